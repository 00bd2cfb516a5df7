"""Admin for recommendations, their timeline, sources, themes and the change feed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .admin_base import CheckedChoicesMixin, CheckedSearchMixin, ServiceAdmin, VersionedAdminForm, copy_saved_into
from .admin_import import RecommendationImportExportMixin
from .admin_links import IncomingLinkInline, OutgoingLinkInline, RecommendationLinksAdminMixin
from .choices import CLOSED_STATUSES, ObjectType, Status
from .models import ApiToken, ChangeEvent, Recommendation, RecommendationPartner, Source, StatusUpdate, Theme
from .models.recommendation import LONG_TEXT_MAX, NOTE_MAX
from .roles import can_record_status
from .services import (
    RECOMMENDATION_FIELDS,
    api_token_create,
    api_token_revoke,
    recommendation_bulk_change_status,
    recommendation_create,
    recommendation_delete,
    recommendation_update,
    source_create,
    source_delete,
    source_update,
    theme_create,
    theme_delete,
    theme_update,
    validate_status_transition,
)

admin.site.site_header = gettext_lazy("Recommendation tracker")
admin.site.site_title = gettext_lazy("Recommendation tracker")
admin.site.index_title = gettext_lazy("Content and status")


# --- Recommendations ------------------------------------------------------------------------------------------------


class RecommendationAdminForm(VersionedAdminForm):
    """The recommendation form: content fields, plus a status change recorded with its note and evidence."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=Status.choices,
        initial=Status.PROPOSED,
        help_text=gettext_lazy("Choosing a new status records a timeline entry with the note and evidence below."),
    )
    status_note = forms.CharField(
        label=gettext_lazy("Note on the status change"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why the status changes; required when reopening an implemented or rejected one."),
    )
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("Link to the document, statement or record that shows the change."),
    )

    class Meta:
        model = Recommendation
        fields = [
            "reference",
            "title",
            "description",
            "source_excerpt",
            "source",
            "section",
            "themes",
            "priority",
            "team",
            "target_date",
        ]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "title": forms.TextInput(attrs={"class": "vLargeTextField", "size": 90}),
            "section": forms.TextInput(attrs={"class": "vLargeTextField", "size": 90}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["status"] = self.instance.status
        # The same limits as the API's: the model's text fields are unbounded.
        for name in ("description", "source_excerpt"):
            field = self.fields.get(name)
            if field is None:  # read-only for this user
                continue
            field.max_length = LONG_TEXT_MAX
            field.validators.append(MaxLengthValidator(LONG_TEXT_MAX))
            field.widget.attrs["maxlength"] = str(LONG_TEXT_MAX)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        status = cleaned.get("status")
        if self.instance.pk and status and status != self.instance.status:
            try:
                validate_status_transition(
                    from_status=self.instance.status, to_status=status, note=cleaned.get("status_note", "")
                )
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    self.add_error("status_note" if field == "note" else field, messages_)
        elif self.instance.pk and (cleaned.get("status_note") or cleaned.get("evidence_url")):
            self.add_error("status", _("A note or evidence is recorded with a status change: choose a new status."))
        return cleaned


class RecommendationPartnerInline(CheckedChoicesMixin, admin.TabularInline):
    """The partners a recommendation concerns, with their roles."""

    model = RecommendationPartner
    fields = ["partner", "role"]
    extra = 0
    min_num = 0
    autocomplete_fields = ["partner"]
    verbose_name = gettext_lazy("partner")
    verbose_name_plural = gettext_lazy("partners")


class StatusUpdateInline(admin.TabularInline):
    """The status timeline, read-only: new entries come from the status field above or the bulk action."""

    model = StatusUpdate
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "note", "evidence_link", "author"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    verbose_name = gettext_lazy("timeline entry")
    verbose_name_plural = gettext_lazy("status timeline")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("evidence"))
    def evidence_link(self, entry: StatusUpdate) -> str:
        """The evidence as a link that opens in a new tab."""
        if not entry.evidence_url:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', entry.evidence_url, entry.evidence_url
        )


class OverdueFilter(admin.SimpleListFilter):
    """Open recommendations whose target date has passed."""

    title = gettext_lazy("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(pk__in=Recommendation.objects.overdue().values("pk"))
        return queryset


class BulkStatusForm(forms.Form):
    """New status, note and evidence for the bulk action."""

    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=Status.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence URL"), required=False, max_length=500, assume_scheme="https"
    )


STATUS_COLOURS = {
    Status.PROPOSED: "#5b6770",
    Status.UNDER_REVIEW: "#6a4fa3",
    Status.IN_PROGRESS: "#1f6fb2",
    Status.PARTIALLY_IMPLEMENTED: "#2b8a8a",
    Status.IMPLEMENTED: "#2e7d32",
    Status.STALLED: "#b45309",
    Status.NOT_ADOPTED: "#8b1e2d",
}


@admin.register(Recommendation)
class RecommendationAdmin(RecommendationLinksAdminMixin, RecommendationImportExportMixin, ServiceAdmin):
    """Recommendations: content, partners, themes and status, with the timeline inline."""

    object_type = ObjectType.RECOMMENDATION
    form = RecommendationAdminForm
    inlines = [RecommendationPartnerInline, OutgoingLinkInline, IncomingLinkInline, StatusUpdateInline]
    list_display = [
        "reference",
        "title",
        "status_badge",
        "partner_list",
        "theme_list",
        "priority",
        "target",
        "updated_at",
    ]
    list_display_links = ["reference", "title"]
    list_filter = [
        "status",
        "priority",
        OverdueFilter,
        "source",
        ("themes", admin.RelatedOnlyFieldListFilter),
        ("partners", admin.RelatedOnlyFieldListFilter),
        "target_date",
        "team",
    ]
    search_fields = ["reference", "title", "description", "source_excerpt"]
    list_select_related = ["source"]
    list_per_page = 50
    autocomplete_fields = ["source"]
    readonly_fields = ["uuid", "current_status", "status_changed_at", "version", "created_at", "updated_at"]
    actions = ["record_status_change", "export_selected_csv", "export_selected_xlsx"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "title",
                    "description",
                    "priority",
                    "team",
                    "target_date",
                    "themes",
                    "opened_version",
                ]
            },
        ),
        (gettext_lazy("Source"), {"fields": ["source", "section", "source_excerpt"]}),
        (
            gettext_lazy("Status"),
            {"fields": ["current_status", "status", "status_note", "evidence_url", "status_changed_at"]},
        ),
        (gettext_lazy("Record"), {"fields": ["uuid", "version", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("partners", "themes")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new recommendation has no current status or record data yet
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f not in self.readonly_fields]})
                for name, options in fieldsets
                if name != gettext_lazy("Record")
            ]
        return fieldsets

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, recommendation: Recommendation) -> str:
        """The status as a coloured label."""
        return format_html(
            '<span style="color:#fff;background:{};padding:1px 7px;border-radius:9px;white-space:nowrap">{}</span>',
            STATUS_COLOURS.get(recommendation.status, "#555"),
            recommendation.get_status_display(),
        )

    @admin.display(description=gettext_lazy("current status"))
    def current_status(self, recommendation: Recommendation) -> str:
        """The stored status (changed through the status field, which records a timeline entry)."""
        return self.status_badge(recommendation)

    @admin.display(description=gettext_lazy("partners"))
    def partner_list(self, recommendation: Recommendation) -> str:
        """Partner short names, comma-separated."""
        return format_html_join(", ", "{}", ((p.label,) for p in recommendation.partners.all()))

    @admin.display(description=gettext_lazy("themes"))
    def theme_list(self, recommendation: Recommendation) -> str:
        """Theme names, comma-separated."""
        return format_html_join(", ", "{}", ((t.name,) for t in recommendation.themes.all()))

    @admin.display(description=gettext_lazy("target date"), ordering="target_date")
    def target(self, recommendation: Recommendation) -> str:
        """The target date, marked when overdue."""
        if recommendation.target_date is None:
            return "—"
        if recommendation.is_overdue:
            return format_html(
                '<strong style="color:#8b1e2d">{} ({})</strong>', recommendation.target_date, _("overdue")
            )
        return str(recommendation.target_date)

    @staticmethod
    def _partners_from(formsets: list) -> list[tuple[Any, str]] | None:
        """The (partner, role) pairs the partner inline holds, or None if the inline was not on the page."""
        for formset in formsets:
            if formset.model is RecommendationPartner:
                return [
                    (form.cleaned_data["partner"], form.cleaned_data.get("role", ""))
                    for form in formset.forms
                    if form.cleaned_data and form.cleaned_data.get("partner") and not form.cleaned_data.get("DELETE")
                ]
        return None

    def service_create(self, request, form, formsets):
        data = {name: form.cleaned_data[name] for name in RECOMMENDATION_FIELDS if name in form.cleaned_data}
        return recommendation_create(
            actor=request.user,
            **data,
            partners=self._partners_from(formsets) or [],
            themes=form.cleaned_data.get("themes", []),
            status=form.cleaned_data["status"],
            status_note=form.cleaned_data.get("status_note", ""),
            evidence_url=form.cleaned_data.get("evidence_url", ""),
        )

    def service_update(self, request, obj, form, formsets):
        data: dict[str, Any] = {
            name: form.cleaned_data[name] for name in RECOMMENDATION_FIELDS if name in form.cleaned_data
        }
        data["themes"] = form.cleaned_data.get("themes", [])
        partners = self._partners_from(formsets)
        if partners is not None:
            data["partners"] = partners
        # The status is compared with the stored one by the service (the form already wrote it onto ``obj``).
        data.update(
            status=form.cleaned_data["status"],
            status_note=form.cleaned_data.get("status_note", ""),
            evidence_url=form.cleaned_data.get("evidence_url", ""),
        )
        return recommendation_update(
            recommendation=obj, actor=request.user, data=data, expected_version=form.cleaned_data.get("opened_version")
        ).recommendation

    def service_delete(self, request, obj):
        recommendation_delete(recommendation=obj, actor=request.user)

    def get_deleted_objects(self, objs, request):
        """The timeline goes with its recommendation (the service records each deletion): no separate permission."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(str(StatusUpdate._meta.verbose_name))
        return deleted, counts, perms_needed, protected

    def has_record_status_permission(self, request: HttpRequest) -> bool:
        """Policy team and administrators may record status changes."""
        return can_record_status(request.user)

    @admin.action(
        description=gettext_lazy("Record status change for selected recommendations"), permissions=["record_status"]
    )
    def record_status_change(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        """Ask for a new status and a note, then record the change for every selected recommendation at once."""
        form = BulkStatusForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                result = recommendation_bulk_change_status(
                    recommendations=list(queryset),
                    actor=request.user,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    evidence_url=form.cleaned_data["evidence_url"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                label = Status(form.cleaned_data["status"]).label
                self.message_user(
                    request,
                    _("Recorded “%(status)s” for %(changed)d recommendation(s); %(skipped)d already had it.")
                    % {"status": label, "changed": len(result.changed), "skipped": len(result.skipped)},
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record status change"),
            "queryset": queryset,
            "form": form,
            "opts": self.opts,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "closed_statuses": [Status(s).label for s in CLOSED_STATUSES],
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/recommendations/recommendation/bulk_status.html", context)


# --- Sources and themes ---------------------------------------------------------------------------------------------


class SourceAdminForm(VersionedAdminForm):
    """A source document."""

    class Meta:
        model = Source
        fields = ["title", "short_title", "slug", "kind", "author", "publisher", "published_on", "url", "description"]


@admin.register(Source)
class SourceAdmin(ServiceAdmin):
    """Source documents, with how many recommendations each makes and how far they got."""

    object_type = ObjectType.SOURCE
    form = SourceAdminForm
    list_display = ["title", "kind", "author", "publisher", "published_on", "recommendation_count", "implemented_count"]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "short_title", "slug", "author", "publisher"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["uuid", "version", "created_at", "updated_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                recommendation_total=Count("recommendations", distinct=True),
                implemented_total=Count(
                    "recommendations", filter=Q(recommendations__status=Status.IMPLEMENTED), distinct=True
                ),
            )
            .order_by("-published_on", "title")
        )

    @admin.display(description=gettext_lazy("recommendations"), ordering="recommendation_total")
    def recommendation_count(self, source: Source) -> int:
        """How many recommendations come from the source."""
        return source.recommendation_total

    @admin.display(description=gettext_lazy("implemented"), ordering="implemented_total")
    def implemented_count(self, source: Source) -> int:
        """How many of them are implemented."""
        return source.implemented_total

    def _data(self, form) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in SourceAdminForm.Meta.fields if name in form.cleaned_data}

    def service_create(self, request, form, formsets):
        return source_create(actor=request.user, data=self._data(form))

    def service_update(self, request, obj, form, formsets):
        return source_update(
            source=obj,
            actor=request.user,
            data=self._data(form),
            expected_version=form.cleaned_data.get("opened_version"),
        )

    def service_delete(self, request, obj):
        source_delete(source=obj, actor=request.user)


class ThemeAdminForm(VersionedAdminForm):
    """A theme."""

    class Meta:
        model = Theme
        fields = ["name", "slug", "description"]


@admin.register(Theme)
class ThemeAdmin(ServiceAdmin):
    """Themes, with how many recommendations use each."""

    object_type = ObjectType.THEME
    form = ThemeAdminForm
    list_display = ["name", "slug", "recommendation_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["uuid", "version", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(recommendation_total=Count("recommendations")).order_by("name")

    @admin.display(description=gettext_lazy("recommendations"), ordering="recommendation_total")
    def recommendation_count(self, theme: Theme) -> int:
        """How many recommendations have the theme."""
        return theme.recommendation_total

    def _data(self, form) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in ThemeAdminForm.Meta.fields if name in form.cleaned_data}

    def service_create(self, request, form, formsets):
        return theme_create(actor=request.user, data=self._data(form))

    def service_update(self, request, obj, form, formsets):
        return theme_update(
            theme=obj,
            actor=request.user,
            data=self._data(form),
            expected_version=form.cleaned_data.get("opened_version"),
        )

    def service_delete(self, request, obj):
        theme_delete(theme=obj, actor=request.user)


# --- Timeline and change feed (read-only) ---------------------------------------------------------------------------


class ReadOnlyAdmin(CheckedSearchMixin, admin.ModelAdmin):
    """An admin that only lists and shows: these records are written by the services alone."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyAdmin):
    """The timeline of all status changes."""

    list_display = ["created_at", "recommendation", "from_status", "to_status", "author", "note"]
    list_filter = ["to_status", "from_status", "created_at", "author"]
    search_fields = ["recommendation__reference", "recommendation__title", "note"]
    list_select_related = ["recommendation", "author"]
    date_hierarchy = "created_at"


@admin.register(ChangeEvent)
class ChangeEventAdmin(ReadOnlyAdmin):
    """Every create, change and deletion, as the change feed gives it to external tools."""

    list_display = ["seq", "created_at", "action", "object_type", "object_repr", "actor_name", "changed_fields"]
    list_filter = ["action", "object_type", "created_at"]
    search_fields = ["object_repr", "actor_name", "request_id", "object_id"]
    date_hierarchy = "created_at"

    @admin.display(description=gettext_lazy("changed fields"))
    def changed_fields(self, event: ChangeEvent) -> str:
        """The names of the fields an update changed."""
        return ", ".join(event.changes) if event.changes else "—"


# --- API tokens (administrators only) -------------------------------------------------------------------------------


class ApiTokenAdminForm(forms.ModelForm):
    """A new token: whose, what for, whether it may write, when it expires. The secret is generated."""

    class Meta:
        model = ApiToken
        fields = ["user", "name", "can_write", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(CheckedSearchMixin, CheckedChoicesMixin, admin.ModelAdmin):
    """API tokens for external tools: issued and revoked by administrators; the raw token is shown once."""

    form = ApiTokenAdminForm
    list_display = ["name", "user", "prefix", "can_write", "created_at", "expires_at", "last_used_at", "state"]
    list_filter = ["can_write", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the row keeps who had access and when

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["user", "name", "can_write", "expires_at"]
        return ["user", "name", "prefix", "can_write", "expires_at", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["user", "name", "prefix", "can_write", "expires_at", "created_at", "last_used_at", "revoked_at"]

    @admin.display(description=gettext_lazy("state"))
    def state(self, token: ApiToken) -> str:
        """Active, expired or revoked."""
        if token.revoked_at:
            return _("revoked")
        return _("active") if token.is_active else _("expired")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: forms.ModelForm, change: bool) -> None:
        if change:
            return  # tokens are not edited; revoke and issue a new one
        token, raw = api_token_create(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            can_write=form.cleaned_data["can_write"],
            expires_at=form.cleaned_data["expires_at"],
        )
        copy_saved_into(obj, token)
        self.message_user(
            request,
            _("The token is shown this once; copy it now: %(token)s") % {"token": raw},
            messages.WARNING,
        )

    @admin.action(description=gettext_lazy("Revoke selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Revoke the selected tokens from now on."""
        for token in queryset:
            api_token_revoke(token=token)
        self.message_user(request, _("Revoked %(count)d token(s).") % {"count": len(queryset)}, messages.SUCCESS)
