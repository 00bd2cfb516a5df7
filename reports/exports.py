"""The progress report as rows of a CSV: overall counts, partner × status, theme × status and month ends."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from recommendations.choices import Status

from .selectors import MonthCounts, ProgressSummary


def report_header() -> list[str]:
    """The columns of the progress report's CSV: a section, a row label, one count per status, the total."""
    return [
        pgettext("a part of the progress report's CSV", "Section"),
        pgettext("what a row of the progress report's CSV counts", "Row"),
        *[str(label) for label in Status.labels],
        _("Total"),
        _("Implemented share"),
    ]


def report_rows(summary: ProgressSummary, history: Sequence[MonthCounts]) -> Iterator[list[Any]]:
    """The report as rows: the overall counts, partner × status, theme × status, and the counts at each month's end."""

    def counts(row_counts: dict[str, int], total: int, implemented: int) -> list[Any]:
        share = f"{implemented / total:.3f}" if total else ""
        return [*[row_counts.get(status, 0) for status in Status.values], total, share]

    overall = summary.overall
    yield [_("Overall"), _("All recommendations"), *counts(overall.counts, overall.total, overall.implemented)]
    yield [_("Overall"), _("Overdue"), *[""] * len(Status.values), summary.overdue, ""]
    for row in summary.by_partner:
        yield [_("Partner"), row.label, *counts(row.counts, row.total, row.implemented)]
    for row in summary.by_theme:
        yield [_("Theme"), row.label, *counts(row.counts, row.total, row.implemented)]
    for month in history:
        implemented = month.counts.get(Status.IMPLEMENTED, 0)
        yield [_("Month end"), month.month.strftime("%Y-%m"), *counts(month.counts, month.total, implemented)]
