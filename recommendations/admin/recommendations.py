"""Admin of recommendations: content, partners, themes, links and status, with the timeline inline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.admin import (
    MAX_SEARCH_LENGTH,
    CheckedChoicesMixin,
    LabelledInlineMixin,
    ServiceAdmin,
    VersionedAdminForm,
    filterset_list_filter,
)
from core.models import field_max_length

from ..choices import CLOSED_STATUSES, STATUS_COLOURS, Status
from ..filtersets import RecommendationFilterSet
from ..models import RECOMMENDATION_ORDERING, PartnerStatusUpdate, Recommendation, RecommendationPartner, StatusUpdate
from ..permissions import can_record_status
from ..services import (
    RECOMMENDATION_FIELDS,
    recommendation_bulk_change_status,
    recommendation_create,
    recommendation_delete,
    recommendation_update,
    validate_status_transition,
)
from .links import IncomingLinkInline, OutgoingLinkInline, RecommendationLinksAdminMixin

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec

    # django-stubs' generic inlines, with their type arguments for mypy alone (Django's cannot be subscripted).
    _PartnerInline = admin.TabularInline[RecommendationPartner, Recommendation]
    _TimelineInline = admin.TabularInline[StatusUpdate, Recommendation]
else:
    _PartnerInline = _TimelineInline = admin.TabularInline


class LeadListFilter(filterset_list_filter(RecommendationFilterSet, "lead")):  # type: ignore[misc]
    """The filterset's lead filter, offering the users who lead recommendations."""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = (
            Recommendation.objects.exclude(lead=None)
            .order_by("lead__username")
            .values_list("lead__username", flat=True)
            .distinct()
        )
        return [(name, name) for name in names]


class TeamListFilter(filterset_list_filter(RecommendationFilterSet, "team")):  # type: ignore[misc]
    """The filterset's team filter, offering the teams that recommendations name."""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        teams = Recommendation.objects.exclude(team="").order_by("team").values_list("team", flat=True).distinct()
        return [(team, team) for team in teams]


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
        max_length=field_max_length(StatusUpdate, "note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why the status changes; required when reopening an implemented or rejected one."),
    )
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence URL"),
        required=False,
        max_length=field_max_length(StatusUpdate, "evidence_url"),
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

    #: Whether the user may record status changes (``can_record_status``); set by the admin for each request.
    records_status = True
    #: The form's fields that record a status change.
    STATUS_FIELDS = ("status", "status_note", "evidence_url")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["status"] = self.instance.status
        if not self.records_status:  # shown, but a submitted value is ignored for the stored one
            for name in self.STATUS_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].required = False
            if self.instance.pk:
                self.initial["status"] = self.instance.status

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


class RecommendationPartnerInline(LabelledInlineMixin, CheckedChoicesMixin, _PartnerInline):
    """The partners a recommendation concerns, with their roles."""

    model = RecommendationPartner
    fields = ["partner", "role", "status"]
    readonly_fields = ["status"]  # recorded on the recommendation's page or through the API, with its timeline
    extra = 0
    min_num = 0
    autocomplete_fields = ["partner"]
    verbose_name = gettext_lazy("partner")
    verbose_name_plural = gettext_lazy("partners")


class StatusUpdateInline(_TimelineInline):
    """The status timeline, read-only: new entries come from the status field above or the bulk action."""

    model = StatusUpdate
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "note", "evidence_link", "author"]
    readonly_fields = cast("list[str]", fields)
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


class BulkStatusForm(forms.Form):
    """New status, note and evidence for the bulk action."""

    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=Status.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=field_max_length(StatusUpdate, "note"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence URL"),
        required=False,
        max_length=field_max_length(StatusUpdate, "evidence_url"),
        assume_scheme="https",
    )


@admin.register(Recommendation)
class RecommendationAdmin(RecommendationLinksAdminMixin, ServiceAdmin):
    """Recommendations: content, partners, themes and status, with the timeline inline.

    Its list filters and its search are the web pages' (``RecommendationFilterSet``): the same parameters, values
    and meaning in the admin as on the pages, in the exports and in the API.
    """

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
        "uuid",
    ]
    list_display_links = ["reference", "title"]
    list_filter = [
        *(
            filterset_list_filter(RecommendationFilterSet, name)
            for name in (
                "status",
                "response",
                "assessment",
                "disagreement",
                "priority",
                "overdue",
                "source",
                "theme",
                "partner",
                "agency",
            )
        ),
        LeadListFilter,
        TeamListFilter,
    ]
    search_fields = ["reference"]  # shows the search box; the search itself is the filterset's (get_search_results)
    search_help_text = gettext_lazy(
        "Words in the reference, title, description, excerpt or a status note; or a recommendation's id (UUID)."
    )
    ordering = list(RECOMMENDATION_ORDERING)  # the model's, the list's and the API's default order
    list_select_related = ["source"]
    list_per_page = 50
    autocomplete_fields = ["source", "agency"]
    readonly_fields = [
        "uuid",
        "current_status",
        "status_changed_at",
        "response",
        "response_date",
        "version",
        "created_at",
        "updated_at",
    ]
    actions = ["record_status_change"]
    form_only_fields = ("opened_version", "status", "status_note", "evidence_url")
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
                    "lead",
                    "agency",
                    "target_date",
                    "review_date",
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
        (
            gettext_lazy("Response"),
            {
                "fields": ["response", "response_date"],
                "description": gettext_lazy("Recorded on the recommendation's page or through the API, with a note."),
            },
        ),
        (gettext_lazy("Record"), {"fields": ["uuid", "version", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Recommendation]:
        recommendations: QuerySet[Recommendation] = super().get_queryset(request)
        return recommendations.prefetch_related("partners", "themes")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """The web pages' search (the filterset's ``q``): the same words find the same recommendations."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, "")
        if not search_term:
            return queryset, may_have_duplicates
        if len(search_term) > MAX_SEARCH_LENGTH or "\x00" in search_term:
            return queryset.none(), False
        filterset = RecommendationFilterSet({"q": search_term}, queryset=queryset)
        if not filterset.is_valid():
            return queryset.none(), False
        return filterset.filters["q"].filter(queryset, filterset.form.cleaned_data["q"]), may_have_duplicates

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[RecommendationAdminForm]:
        """The form, knowing whether this user may record status changes (the web form's and the API's rule)."""
        # A subclass of self.form, which is RecommendationAdminForm.
        form = cast("type[RecommendationAdminForm]", super().get_form(request, obj, change=change, **kwargs))
        form.records_status = can_record_status(request.user)
        return form

    def get_fieldsets(self, request: HttpRequest, obj: Recommendation | None = None) -> _FieldsetSpec:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new recommendation has no current status or record data yet
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f not in self.readonly_fields]})
                for name, options in fieldsets
                if name not in (gettext_lazy("Record"), gettext_lazy("Response"))
            ]
        return fieldsets

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, recommendation: Recommendation) -> str:
        """The status as a coloured label."""
        return format_html(
            '<span class="status-badge"><span class="dot" style="background:{}" aria-hidden="true"></span>{}</span>',
            STATUS_COLOURS.get(recommendation.status, "#5b6576"),
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
        shown = date_format(recommendation.target_date, "DATE_FORMAT")
        if recommendation.is_overdue:
            return format_html('<strong style="color:#8b1e2d">{}</strong>', _("%(date)s (overdue)") % {"date": shown})
        return shown

    @staticmethod
    def _partners_from(formsets: list[Any]) -> list[tuple[Any, str]] | None:
        """The (partner, role) pairs the partner inline holds, or None if the inline was not on the page."""
        for formset in formsets:
            if formset.model is RecommendationPartner:
                return [
                    (form.cleaned_data["partner"], form.cleaned_data.get("role", ""))
                    for form in formset.forms
                    if form.cleaned_data and form.cleaned_data.get("partner") and not form.cleaned_data.get("DELETE")
                ]
        return None

    def service_create(self, request: HttpRequest, form: forms.ModelForm[Any], formsets: list[Any]) -> Recommendation:
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

    def service_update(
        self, request: HttpRequest, obj: Recommendation, form: forms.ModelForm[Any], formsets: list[Any]
    ) -> Recommendation:
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

    def service_delete(self, request: HttpRequest, obj: Recommendation) -> None:
        recommendation_delete(recommendation=obj, actor=request.user)

    def get_deleted_objects(
        self, objs: Sequence[Recommendation] | QuerySet[Recommendation], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        """The timeline goes with its recommendation (the service records each deletion): no separate permission."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(str(StatusUpdate._meta.verbose_name))
        perms_needed.discard(str(PartnerStatusUpdate._meta.verbose_name))
        return deleted, counts, perms_needed, protected

    def has_record_status_permission(self, request: HttpRequest) -> bool:
        """Policy team and administrators may record status changes."""
        return can_record_status(request.user)

    @admin.action(
        description=gettext_lazy("Record status change for selected recommendations"), permissions=["record_status"]
    )
    def record_status_change(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> TemplateResponse | None:
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
                    ngettext(
                        "Recorded “%(status)s” for %(changed)d recommendation; %(skipped)d already had it.",
                        "Recorded “%(status)s” for %(changed)d recommendations; %(skipped)d already had it.",
                        len(result.changed),
                    )
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
            "closed_statuses": [status.label for status in Status if status in CLOSED_STATUSES],  # lifecycle order
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/recommendations/recommendation/bulk_status.html", context)
