"""The webhooks' admin, for administrators (superusers) only: endpoints with their state and delivery log, the
pause, resume and rotate-secret actions, and a read-only delivery log with a "Redeliver" button.

Every write goes through ``webhooks.services`` (and ``webhooks.delivery.redeliver``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.admin import CheckedChoicesMixin, CheckedSearchMixin, copy_saved_into
from core.changes import latest_seq
from core.choices import ChangeAction
from core.feed import object_type_choices
from core.models import ChangeEvent

from .delivery import redeliver
from .models import WebhookDelivery, WebhookEndpoint
from .services import (
    validate_endpoint,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_pause,
    webhook_endpoint_resume,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups

    _ModelAdmin = admin.ModelAdmin[Any]
    _ModelForm = forms.ModelForm[Any]
else:
    _ModelAdmin = admin.ModelAdmin
    _ModelForm = forms.ModelForm


def is_administrator(request: HttpRequest) -> bool:
    """Whether the user manages webhooks (an active superuser)."""
    return bool(request.user.is_active and request.user.is_superuser)


class AdministratorsOnly(_ModelAdmin):
    """Visible to administrators alone, whatever the model permissions say."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)


def never_cached(response: HttpResponse) -> HttpResponse:
    """A page with a secret on it: never stored by a browser or a proxy."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, " + response["Cache-Control"]
    return response


class WebhookEndpointForm(_ModelForm):
    """An endpoint's name, URL and filters (and, when it is created, where in the feed it starts)."""

    object_types = forms.MultipleChoiceField(
        label=gettext_lazy("object types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only events about these object types; none: all."),
    )
    actions = forms.MultipleChoiceField(
        label=gettext_lazy("actions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=ChangeAction.choices,
        help_text=gettext_lazy("Only these actions; none: all."),
    )
    start_seq = forms.IntegerField(
        label=gettext_lazy("start after seq"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=gettext_lazy("Empty: only events from now on. 0: the whole change feed from its beginning."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "object_types", "actions", "saved_view", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_types"].choices = object_type_choices()  # type: ignore[attr-defined]
        if self.instance.pk is not None:
            del self.fields["start_seq"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            fields = validate_endpoint(
                name=cleaned.get("name", ""),
                url=cleaned.get("url", ""),
                object_types=cleaned.get("object_types", []),
                actions=cleaned.get("actions", []),
                saved_view=cleaned.get("saved_view"),
                start_seq=cleaned.get("start_seq"),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
            return cleaned
        cleaned.update(fields)
        return cleaned

    def _post_clean(self) -> None:
        """The model's own validation would repeat the checks above (and the URL's DNS lookup): skipped."""


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CheckedSearchMixin, CheckedChoicesMixin, AdministratorsOnly):
    """Webhook endpoints: where the change feed is POSTed, how far each got, and its recent deliveries."""

    #: Where save_model leaves a new endpoint's secret for response_add, on the request itself.
    SECRET_ATTRIBUTE = "_webhook_secret"

    form = WebhookEndpointForm
    list_display = [
        "name",
        "url",
        "state",
        "cursor",
        "latest",
        "consecutive_failures",
        "next_attempt_at",
        "last_delivery",
    ]
    list_filter = ["is_active", ("paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "url"]
    actions = ["pause", "resume", "rotate_secret"]
    readonly_fields = [
        "uuid",
        "state",
        "pause_reason",
        "paused_at",
        "cursor",
        "latest",
        "consecutive_failures",
        "next_attempt_at",
        "created_at",
        "updated_at",
        "recent_deliveries",
    ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> _FieldGroups:
        editable = ["name", "url", "object_types", "actions", "saved_view", "is_active"]
        if obj is None:
            return [*editable, "start_seq"]
        return [*editable, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else list(self.readonly_fields)

    @admin.display(description=gettext_lazy("state"))
    def state(self, endpoint: WebhookEndpoint) -> str:
        """Active, paused (with the reason) or off."""
        if endpoint.paused_at is not None and endpoint.is_active:
            return f"{endpoint.state}: {endpoint.pause_reason}"
        return endpoint.state

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[WebhookEndpoint]:
        newest = ChangeEvent.objects.order_by("-seq").values("seq")[:1]
        endpoints: models.QuerySet[WebhookEndpoint] = super().get_queryset(request)
        return endpoints.annotate(newest_seq=Subquery(newest))

    @admin.display(description=gettext_lazy("newest seq"))
    def latest(self, endpoint: WebhookEndpoint) -> int:
        """The change feed's newest seq, to compare with the cursor."""
        newest: int | None = getattr(endpoint, "newest_seq", None)
        return newest or latest_seq()

    @admin.display(description=gettext_lazy("last delivery"))
    def last_delivery(self, endpoint: WebhookEndpoint) -> str:
        """The last delivery's status code or error."""
        delivery = endpoint.deliveries.order_by("-id").first()
        if delivery is None:
            return "—"
        return f"#{delivery.seq}: {delivery.status_code or delivery.error[:60] or '—'}"

    @admin.display(description=gettext_lazy("recent deliveries"))
    def recent_deliveries(self, endpoint: WebhookEndpoint) -> str:
        """The last 20 deliveries, and a link to all of them."""
        rows = endpoint.deliveries.order_by("-id")[:20]
        table = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:webhooks_webhookdelivery_change", args=[row.pk]),
                    row.requested_at.strftime("%Y-%m-%d %H:%M:%S"),
                    row.seq,
                    row.event,
                    row.attempt,
                    row.status_code or "—",
                    row.error[:100],
                )
                for row in rows
            ),
        )
        link = reverse("admin:webhooks_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            '<tbody>{}</tbody></table><p><a href="{}">{}</a></p>',
            _("requested at"),
            _("seq"),
            _("event"),
            _("attempt"),
            _("status"),
            _("error"),
            table,
            link,
            _("All deliveries of this endpoint"),
        )

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: _ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = webhook_endpoint_update(
                endpoint=obj,
                data={key: data[key] for key in ("name", "url", "object_types", "actions", "saved_view", "is_active")},
            )
        else:
            saved = webhook_endpoint_create(
                name=data["name"],
                url=data["url"],
                object_types=data["object_types"],
                actions=data["actions"],
                saved_view=data["saved_view"],
                is_active=data["is_active"],
                start_seq=data.get("start_seq"),
            )
            setattr(request, self.SECRET_ATTRIBUTE, saved.secret)
        copy_saved_into(obj, saved)

    def save_related(self, request: HttpRequest, form: _ModelForm, formsets: list[Any], change: bool) -> None:
        """Nothing: an endpoint has no relations to save."""

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        webhook_endpoint_delete(endpoint=obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            webhook_endpoint_delete(endpoint=endpoint)

    def secrets_page(self, request: HttpRequest, endpoints: list[tuple[WebhookEndpoint, str]]) -> HttpResponse:
        """The signing secrets just made, in the body of this one page (never in a message, never cached)."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("Webhook signing secret"),
            "endpoints": endpoints,
            "opts": self.opts,
            "changelist_url": reverse("admin:webhooks_webhookendpoint_changelist"),
        }
        return never_cached(TemplateResponse(request, "admin/webhooks/webhookendpoint/secret.html", context))

    def response_add(
        self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue: str | None = None
    ) -> HttpResponse:
        secret = getattr(request, self.SECRET_ATTRIBUTE, None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return self.secrets_page(request, [(obj, secret)])

    @admin.action(description=gettext_lazy("Pause the selected endpoints"))
    def pause(self, request: HttpRequest, queryset: models.QuerySet[WebhookEndpoint]) -> None:
        """Stop sending to them until they are resumed."""
        for endpoint in queryset:
            webhook_endpoint_pause(endpoint=endpoint, reason=_("Paused by %(user)s.") % {"user": request.user})
        count = len(queryset)
        message = ngettext("Paused %(count)d endpoint.", "Paused %(count)d endpoints.", count) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Resume the selected endpoints (from their cursor, now)"))
    def resume(self, request: HttpRequest, queryset: models.QuerySet[WebhookEndpoint]) -> None:
        """Send again from their cursors: the failures are forgotten and the backoff is over."""
        for endpoint in queryset:
            webhook_endpoint_resume(endpoint=endpoint)
        count = len(queryset)
        message = ngettext("Resumed %(count)d endpoint.", "Resumed %(count)d endpoints.", count) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Rotate the signing secret of the selected endpoints"))
    def rotate_secret(self, request: HttpRequest, queryset: models.QuerySet[WebhookEndpoint]) -> HttpResponse:
        """Give each a new secret and show the new secrets once."""
        rotated = [(endpoint, webhook_endpoint_rotate_secret(endpoint=endpoint)) for endpoint in queryset]
        return self.secrets_page(request, rotated)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CheckedSearchMixin, AdministratorsOnly):
    """Every POST to every endpoint and what came back; a delivery can be sent again from its page."""

    list_display = [
        "created_at",
        "endpoint",
        "seq",
        "event",
        "attempt",
        "status_code",
        "duration_ms",
        "redelivery",
        "short_error",
    ]
    list_filter = ["endpoint", "redelivery", ("status_code", admin.EmptyFieldListFilter)]
    list_select_related = ["endpoint"]
    search_fields = ["event", "delivery_id"]
    fields = (
        "endpoint",
        "seq",
        "event",
        "delivery_id",
        "attempt",
        "redelivery",
        "requested_at",
        "status_code",
        "duration_ms",
        "response_excerpt",
        "error",
        "created_at",
        "redeliver_button",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("error"))
    def short_error(self, delivery: WebhookDelivery) -> str:
        """The first words of the error."""
        return delivery.error[:80] or "—"

    @admin.display(description=gettext_lazy("send again"))
    def redeliver_button(self, delivery: WebhookDelivery) -> str:
        """A link to the page that sends this event again."""
        url = reverse("admin:webhooks_webhookdelivery_redeliver", args=[delivery.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Redeliver"))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/redeliver/",
                self.admin_site.admin_view(self.redeliver_view),
                name="webhooks_webhookdelivery_redeliver",
            )
        ]
        return [*own, *super().get_urls()]

    def redeliver_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: ask; POST with ``confirm``: send the event again now (the cursor does not move)."""
        if not is_administrator(request):
            raise PermissionDenied
        delivery = self.get_object(request, object_id)
        if delivery is None:
            missing: HttpResponse = self._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
                request, self.opts, object_id
            )
            return missing
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            try:
                sent = redeliver(delivery=delivery)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk]))
            outcome = sent.status_code or sent.error or "—"
            self.message_user(
                request,
                _("Sent event %(seq)s again: %(outcome)s.") % {"seq": sent.seq, "outcome": outcome},
                messages.SUCCESS if sent.succeeded else messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:webhooks_webhookdelivery_change", args=[sent.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send event %(seq)s to %(endpoint)s again?")
            % {"seq": delivery.seq, "endpoint": delivery.endpoint},
            "delivery": delivery,
            "opts": self.opts,
            "changelist_url": reverse("admin:webhooks_webhookdelivery_changelist"),
        }
        return TemplateResponse(request, "admin/webhooks/webhookdelivery/redeliver.html", context)
