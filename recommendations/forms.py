"""Forms of the recommendation pages: the filter panel's widgets and the status change form."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Min
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.models import field_max_length
from core.translation import value_in

from .choices import Rating, Response, SavedViewPage, SharedWith, Status, tracks_progress
from .filtersets import MAX_STALE_DAYS
from .models import (
    Assessment,
    Evidence,
    PartnerStatusUpdate,
    Recommendation,
    ResponseUpdate,
    SavedView,
    StatusUpdate,
)

#: Filters shown as lists of checkboxes in the filter panel (any of the ticked values matches).
CHECKBOX_FILTERS = ("status", "priority", "partner", "theme", "source")
#: Filters that take a date.
DATE_FILTERS = ("target_after", "target_before", "updated_after", "updated_before")


class DateInput(forms.DateInput):
    """A native date picker that still accepts typed ISO dates."""

    input_type = "date"


def style_filter_form(form: forms.Form) -> forms.Form:
    """Give the filterset's form the widgets the filter panel needs (checkbox lists, date pickers, a search box).

    Only the widgets change: the fields, their names and their validation stay the filterset's own, so the page,
    the exports and the API read the same query string the same way.
    """
    for name in CHECKBOX_FILTERS:
        field = form.fields.get(name)
        if field is not None:
            # django-stubs type a field's normalised choices more loosely than a widget takes them.
            choices = cast(forms.ChoiceField, field).choices
            field.widget = forms.CheckboxSelectMultiple(choices=choices)  # type: ignore[arg-type]
            field.widget.is_required = field.required
    for name in DATE_FILTERS:
        if name in form.fields:
            form.fields[name].widget = DateInput(format="%Y-%m-%d")
    if "q" in form.fields:
        limit = cast(forms.CharField, form.fields["q"]).max_length
        form.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "placeholder": _("Words in the title, text or reference"), "maxlength": limit}
        )
    if "stale" in form.fields:
        form.fields["stale"].widget = forms.NumberInput(
            attrs={"min": 1, "max": MAX_STALE_DAYS, "step": 1, "placeholder": _("days")}
        )
    if "team" in form.fields:
        limit = cast(forms.CharField, form.fields["team"]).max_length
        form.fields["team"].widget = forms.TextInput(attrs={"maxlength": limit})
    return form


class StatusChangeForm(forms.Form):
    """Record a status change: the new status, a note, an evidence link, and the version the page was opened at."""

    status = forms.ChoiceField(label=_("New status"), choices=())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=field_max_length(StatusUpdate, "note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happened, and why. Required when reopening an implemented or not adopted recommendation."),
    )
    evidence_url = forms.URLField(
        label=_("Evidence URL"),
        required=False,
        max_length=field_max_length(StatusUpdate, "evidence_url"),
        assume_scheme="https",
        help_text=_("A link to the document, statement or record that shows it."),
    )
    # Bounded like the column: a larger number would make the version check's query fail instead of conflict.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", recommendation.version)
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        # Every status validates (the service says "already in that status", after checking the version, so that a
        # stale page gets the conflict message); the menu offers the statuses it can move to.
        field = cast(forms.ChoiceField, self.fields["status"])
        field.choices = [("", "—"), *Status.choices]
        field.widget.choices = [("", "—")] + [
            (value, label) for value, label in Status.choices if value != recommendation.status
        ]


class ResponseForm(forms.Form):
    """Record the addressee's response: which, when, a note, an evidence link, and the version the page shows."""

    response = forms.ChoiceField(label=_("New response"), choices=())
    responded_on = forms.DateField(
        label=_("Response date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When the response was made; empty: today."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=field_max_length(ResponseUpdate, "note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was said, where. Required when a new response reopens a rejected recommendation."),
    )
    evidence_url = forms.URLField(
        label=_("Evidence URL"),
        required=False,
        max_length=field_max_length(ResponseUpdate, "evidence_url"),
        assume_scheme="https",
        help_text=_("A link to the statement, reply or record of the response."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    #: The page also holds the status form: prefixed names and ids keep the two apart.
    prefix = "response"

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", recommendation.version)
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        field = cast(forms.ChoiceField, self.fields["response"])
        field.choices = [("", "—"), *Response.choices]
        field.widget.choices = [("", "—")] + [
            (value, label) for value, label in Response.choices if value != recommendation.response
        ]
        # The form's fields are named for people; the service's errors come under its own names.
        self.service_names = {
            "response_note": "note",
            "response_date": "responded_on",
            "response_evidence_url": "evidence_url",
        }


class AssessmentForm(forms.Form):
    """Record an independent assessment: the rating, why, when, the evidence, and the version the page shows."""

    rating = forms.ChoiceField(label=_("Rating"), choices=[("", "—"), *Rating.choices])
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=field_max_length(Assessment, "rationale"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this rating: what you checked."),
    )
    assessed_on = forms.DateField(
        label=_("Assessed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: today."),
    )
    evidence_url = forms.URLField(
        label=_("Evidence URL"),
        required=False,
        max_length=field_max_length(Assessment, "evidence_url"),
        assume_scheme="https",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    #: The page also holds other forms: prefixed names and ids keep them apart.
    prefix = "assessment"

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", recommendation.version)
        super().__init__(*args, **kwargs)


class PartnerStatusForm(forms.Form):
    """Record progress with one partner: which partner, its new status there, a note, evidence, the page's version."""

    partner = forms.ChoiceField(label=_("Partner"), choices=())
    status = forms.ChoiceField(label=_("New status with this partner"), choices=[("", "—"), *Status.choices])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=field_max_length(PartnerStatusUpdate, "note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What happened with this partner. Required when reopening progress marked implemented or not adopted."
        ),
    )
    evidence_url = forms.URLField(
        label=_("Evidence URL"),
        required=False,
        max_length=field_max_length(PartnerStatusUpdate, "evidence_url"),
        assume_scheme="https",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    #: The page also holds other forms: prefixed names and ids keep them apart.
    prefix = "partner"

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", recommendation.version)
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        links = [link for link in recommendation.partner_links.all() if tracks_progress(link.role)]
        self.links = {link.partner.slug: link for link in links}
        field = cast(forms.ChoiceField, self.fields["partner"])
        field.choices = [("", "—"), *[(link.partner.slug, value_in(link.partner, "name")[0]) for link in links]]


class EvidenceForm(forms.Form):
    """Add evidence: a title, a file or a link, its date, whether it may be published, and the entry it supports."""

    title = forms.CharField(label=_("Title"), max_length=field_max_length(Evidence, "title"))
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("A PDF, an Office document or an image; its type is checked from its content."),
    )
    link = forms.URLField(
        label=_("or a link"), required=False, max_length=field_max_length(Evidence, "url"), assume_scheme="https"
    )
    evidence_date = forms.DateField(
        label=_("Date of the evidence"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    publishable = forms.BooleanField(
        label=_("Publishable"), required=False, help_text=_("May be shown outside the ministry; otherwise internal.")
    )
    attach_to = forms.ChoiceField(label=_("Supports"), required=False, choices=())
    #: The page also holds other forms: prefixed names and ids keep them apart.
    prefix = "evidence"

    def __init__(self, *args: Any, recommendation: Recommendation, entries: list[tuple[str, str, Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        #: Choice value → the entry it names ("" is the recommendation as a whole).
        self.entries = {value: entry for value, _label, entry in entries}
        field = cast(forms.ChoiceField, self.fields["attach_to"])
        field.choices = [("", _("The recommendation as a whole")), *[(value, label) for value, label, _e in entries]]
        limit = int(settings.EVIDENCE_MAX_BYTES)
        self.fields["file"].help_text = _(
            "A PDF, an Office document or an image of at most %(size)s; its type is checked from its content."
        ) % {"size": filesizeformat(limit)}
        self.service_names = {"url": "link"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("file")) == bool(cleaned.get("link")) and not self.errors:
            raise forms.ValidationError(_("Give either a file or a link, not both and not neither."))
        return cleaned


class EvidenceVerifyForm(forms.Form):
    """Verify evidence: the version the page showed (a change since then is a conflict)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class SaveViewForm(forms.Form):
    """Save the page's filters: a name in the reader's language (the other optional), who else sees it."""

    name = forms.CharField(label=_("Name"), max_length=field_max_length(SavedView, "name"))
    name_other = forms.CharField(label=_("Name in the other language (optional)"), required=False, max_length=120)
    shared_with = forms.ChoiceField(label=_("Share with"), required=False, choices=SharedWith.choices)
    page = forms.ChoiceField(choices=SavedViewPage.choices, widget=forms.HiddenInput)
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)

    def __init__(self, *args: Any, allowed_shares: list[str], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["shared_with"])
        field.choices = [(value, label) for value, label in SharedWith.choices if value in allowed_shares]
        other = "en" if language == "ja" else "ja"
        self.fields["name_other"].label = (
            _("Name in English (optional)") if other == "en" else _("Name in Japanese (optional)")
        )
        self.language, self.other_language = language, other

    def names(self) -> dict[str, str]:
        """The names by language column: the reader's language, and the other one if given."""
        return {
            f"name_{self.language}": self.cleaned_data["name"],
            f"name_{self.other_language}": self.cleaned_data.get("name_other") or "",
        }


class SavedViewEditForm(forms.Form):
    """Rename or re-share a saved view: its name in both languages (one is enough) and who sees it."""

    name_ja = forms.CharField(
        label=_("Name in Japanese"), required=False, max_length=field_max_length(SavedView, "name")
    )
    name_en = forms.CharField(
        label=_("Name in English"), required=False, max_length=field_max_length(SavedView, "name")
    )
    shared_with = forms.ChoiceField(label=_("Share with"), required=True, choices=SharedWith.choices)

    def __init__(self, *args: Any, allowed_shares: list[str], current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["shared_with"])
        field.required = False
        field.choices = [
            (value, label) for value, label in SharedWith.choices if value in allowed_shares or value == current
        ]


def first_recommendation_day() -> date | None:
    """The local date the first recommendation was created (None while there are none), in one query."""
    first = Recommendation.objects.aggregate(first=Min("created_at"))["first"]
    return timezone.localdate(first) if first else None


def past_date_field(label: Any) -> forms.DateField:
    """A YYYY-MM-DD date of the tracker's past (checked by ``check_past_date``)."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        help_text=_("YYYY-MM-DD, from the first recommendation's date to today."),
    )


def check_past_date(day: date | None, first: date | None) -> None:
    """Refuse a date after today, or before the first recommendation (nothing to show then)."""
    if day is None:
        return
    if day > timezone.localdate():
        raise forms.ValidationError(_("The date is in the future: choose today or an earlier date."), code="future")
    if first is None:
        raise forms.ValidationError(_("There are no recommendations yet."), code="empty")
    if day < first:
        raise forms.ValidationError(
            _("The first recommendation was created on %(first)s: choose that date or a later one."),
            code="too_early",
            params={"first": date_format(first, "SHORT_DATE_FORMAT")},
        )


class AsOfForm(forms.Form):
    """The ``as_of`` parameter of the list and the report: show statuses as they stood at the end of a past date."""

    as_of = past_date_field(_("As of"))

    def clean_as_of(self) -> date | None:
        """A date between the first recommendation and today."""
        day: date | None = self.cleaned_data.get("as_of")
        check_past_date(day, first_recommendation_day() if day else None)
        return day

    def day(self) -> date | None:
        """The valid date asked for, or None (not asked, or invalid: see ``errors``)."""
        return self.cleaned_data.get("as_of") if self.is_valid() else None
