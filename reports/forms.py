"""Forms of the reports: options that are not filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from recommendations.filtersets import MAX_STALE_DAYS
from recommendations.forms import check_past_date, first_recommendation_day, past_date_field

#: Days without an update after which the report lists an open recommendation as stale, unless told otherwise.
DEFAULT_STALE_DAYS = 90


class ReportOptionsForm(forms.Form):
    """Options of the progress report that are not filters: how many idle days make an open recommendation stale."""

    stale_days = forms.IntegerField(
        label=_("Stale after (days)"),
        required=False,
        min_value=1,
        max_value=MAX_STALE_DAYS,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_STALE_DAYS, "step": 1}),
    )

    def stale_days_value(self) -> int:
        """The number of days to use (the default when not given or invalid)."""
        if self.is_valid() and self.cleaned_data.get("stale_days"):
            days: int = self.cleaned_data["stale_days"]
            return days
        return DEFAULT_STALE_DAYS


class CompareForm(forms.Form):
    """The two dates of a comparison (``from`` and ``to``, YYYY-MM-DD): both in the tracker's past, in order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the fields are added by name.
        self.fields["from"] = past_date_field(pgettext_lazy("the first date of a comparison", "From"))
        self.fields["to"] = past_date_field(pgettext_lazy("the second date of a comparison", "To"))
        self.fields["from"].required = self.fields["to"].required = True

    def clean(self) -> dict[str, Any]:
        """Both dates between the first recommendation and today, the first not after the second."""
        cleaned = super().clean() or {}
        start, end = cleaned.get("from"), cleaned.get("to")
        first = first_recommendation_day() if start or end else None
        for name, day in (("from", start), ("to", end)):
            try:
                check_past_date(day, first)
            except forms.ValidationError as error:
                self.add_error(name, error)
        if start and end and start > end and not self.errors:
            self.add_error("to", forms.ValidationError(_("Choose a date after the first one."), code="order"))
        return cleaned

    def dates(self) -> tuple[date, date]:
        """The two valid dates (call after ``is_valid()``)."""
        return self.cleaned_data["from"], self.cleaned_data["to"]
