"""Exports of the filtered recommendation list (CSV, XLSX) and of the progress report (CSV).

CSV is streamed row by row from a chunked queryset; cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .choices import Status
from .models import Recommendation
from .selectors import MonthCounts, ProgressSummary

#: Rows fetched per query (with their partners and themes prefetched per chunk) while exporting.
CHUNK_SIZE = 500

#: Cell beginnings a spreadsheet program reads as a formula (OWASP: CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_header() -> list[str]:
    """The column titles of the recommendation exports, CSV and XLSX alike."""
    return [
        _("Reference"),
        _("Title"),
        _("Status"),
        _("Priority"),
        _("Partners (roles)"),
        _("Themes"),
        _("Source"),
        _("Section"),
        _("Team"),
        _("Target date"),
        _("Overdue"),
        _("Last update"),
        _("URL"),
        _("Description"),
    ]


def _partners_text(recommendation: Recommendation) -> str:
    """The partners with their roles, e.g. "Australia (counterpart); Quad"."""
    parts = []
    for link in recommendation.partner_links.all():
        role = link.get_role_display()
        parts.append(f"{link.partner.name} ({str(role).lower()})" if role else link.partner.name)
    return "; ".join(parts)


def export_rows(
    recommendations: Iterable[Recommendation], *, url_for: Callable[[Recommendation], str]
) -> Iterator[list[Any]]:
    """One row per recommendation, typed (dates stay dates) so each format can write them its own way."""
    for recommendation in recommendations:
        yield [
            recommendation.reference,
            recommendation.title,
            recommendation.get_status_display(),
            recommendation.get_priority_display(),
            _partners_text(recommendation),
            "; ".join(theme.name for theme in recommendation.themes.all()),
            str(recommendation.source),
            recommendation.section,
            recommendation.team,
            recommendation.target_date,
            _("yes") if recommendation.is_overdue else _("no"),
            timezone.localtime(recommendation.updated_at).replace(tzinfo=None, microsecond=0),
            url_for(recommendation),
            recommendation.description,
        ]


def csv_cell(value: Any) -> str:
    """A value as CSV text: ISO dates, local date-times to the minute, and formulas defused with a leading '."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns what it is given, so csv.writer yields lines for streaming."""

    def write(self, value: str) -> str:
        """Hand the line back."""
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text, line by line, starting with a UTF-8 byte order mark so spreadsheets read Japanese correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


#: Column widths of the XLSX export (characters), in the order of export_header().
XLSX_WIDTHS = [12, 48, 20, 10, 40, 36, 30, 30, 18, 12, 9, 17, 50, 80]


def _xlsx_cell(sheet: Any, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    """A cell that keeps text as text: a value starting with = is stored as a string, never as a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    """A one-sheet workbook (openpyxl in write-only mode) with a bold, frozen header row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(XLSX_WIDTHS[: len(header)]):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([_xlsx_cell(sheet, value, bold=True) for value in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_header() -> list[str]:
    """The columns of the progress report's CSV: a section, a row label, one count per status, the total."""
    return [_("Section"), _("Row"), *[str(label) for label in Status.labels], _("Total"), _("Implemented share")]


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
