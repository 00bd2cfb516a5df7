"""Forms of the reports: options that are not filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from recommendations.filtersets import MAX_STALE_DAYS

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
