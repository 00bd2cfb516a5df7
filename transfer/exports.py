"""Exports of recommendations: one row builder, two sets of columns.

- The **editable** export writes the import's columns in the import's notation (slugs, ``slug:role``, status
  values), so an exported file imports back as "unchanged" and export → edit → import changes many at once. The
  admin's exports, the list's *Editable export* (for those who may import) and ``manage.py export_recommendations``
  write it.
- The **readable** export writes what a person reads in the list (labels, names, the page's URL): a report, headed
  by its filters. The web list's *Report (CSV)* and *Report (Excel)* write it.

Rows are read in chunks, each with its source, partners and themes, so an export of any size keeps memory flat.
Files are written by ``core.spreadsheets`` (one writer, one formula guard).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.spreadsheets import table_write
from recommendations.choices import Status, label
from recommendations.models import Recommendation, RecommendationPartner, Theme
from recommendations.selectors import attention_reasons, with_latest_note

from .importing import COLUMNS, JSON_KEY, format_partners, format_themes

#: Rows fetched per query (with their partners and themes prefetched per chunk).
CHUNK_SIZE = 500

UrlFor = Callable[[Recommendation], str]


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading, how wide it is in XLSX, and its value for a recommendation."""

    heading: Any  # a string, or a lazy translation
    value: Callable[[Recommendation, UrlFor], Any]
    width: int = 18


def _partners_text(recommendation: Recommendation) -> str:
    """The partners with their roles, e.g. "Australia (counterpart); Quad"."""
    parts = []
    for link in recommendation.partner_links.all():
        role = link.get_role_display()
        if role:
            parts.append(
                pgettext("a partner and its role", "%(partner)s (%(role)s)")
                % {"partner": link.partner.name, "role": str(role).lower()}
            )
        else:
            parts.append(link.partner.name)
    return "; ".join(parts)


def _local(value: Any) -> Any:
    """A stored time as the local wall-clock time to the second (spreadsheets have no time zones)."""
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _local_or_blank(value: Any) -> Any:
    """``_local`` of a time, or blank where there is none."""
    return _local(value) if value else ""


def _person(user: Any) -> str:
    """A person's full name, else their user name; blank for nobody."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _status_label(recommendation: Recommendation) -> str:
    """The status's label: as it stood on the day of a list as of a past day (``existing_on``'s ``status_on``), else
    today's."""
    status_on = getattr(recommendation, "status_on", None)
    return label(Status, recommendation.status if status_on is None else status_on)


#: The import's columns, in its notation (``transfer.importing`` reads them back).
EDITABLE_COLUMNS: dict[str, Column] = {
    "reference": Column("reference", lambda r, url: r.reference, 12),
    "title_ja": Column("title_ja", lambda r, url: r.title_ja or "", 40),
    "title_en": Column("title_en", lambda r, url: r.title_en or "", 40),
    "description_ja": Column("description_ja", lambda r, url: r.description_ja or "", 40),
    "description_en": Column("description_en", lambda r, url: r.description_en or "", 40),
    "source_excerpt": Column("source_excerpt", lambda r, url: r.source_excerpt, 40),
    "section": Column("section", lambda r, url: r.section),
    "source": Column("source", lambda r, url: r.source.slug),
    "partners": Column(
        "partners", lambda r, url: format_partners((link.partner, link.role) for link in r.partner_links.all())
    ),
    "themes": Column("themes", lambda r, url: format_themes(r.themes.all())),
    "priority": Column("priority", lambda r, url: r.priority),
    "team": Column("team", lambda r, url: r.team),
    "target_date": Column("target_date", lambda r, url: r.target_date),
    "status": Column("status", lambda r, url: r.status),
    "status_note": Column("status_note", lambda r, url: ""),
    "response": Column("response", lambda r, url: r.response),
    "response_date": Column("response_date", lambda r, url: r.response_date),
    "lead": Column("lead", lambda r, url: r.lead.get_username() if r.lead else ""),
    "agency": Column("agency", lambda r, url: r.agency.slug if r.agency else ""),
    "review_date": Column("review_date", lambda r, url: r.review_date),
}
assert tuple(EDITABLE_COLUMNS) == COLUMNS, "the editable export writes exactly the import's columns"

#: What a person reads in the list, with the page's address.
READABLE_COLUMNS: list[Column] = [
    Column(gettext_lazy("Reference"), lambda r, url: r.reference, 12),
    Column(gettext_lazy("Title"), lambda r, url: r.title, 48),
    Column(gettext_lazy("Status"), lambda r, url: _status_label(r), 20),
    Column(gettext_lazy("Priority"), lambda r, url: r.get_priority_display(), 10),
    Column(gettext_lazy("Partners (roles)"), lambda r, url: _partners_text(r), 40),
    Column(gettext_lazy("Themes"), lambda r, url: "; ".join(theme.name for theme in r.themes.all()), 36),
    Column(gettext_lazy("Source"), lambda r, url: str(r.source), 30),
    Column(gettext_lazy("Section"), lambda r, url: r.section, 30),
    Column(gettext_lazy("Team"), lambda r, url: r.team, 18),
    Column(gettext_lazy("Target date"), lambda r, url: r.target_date, 12),
    Column(gettext_lazy("Overdue"), lambda r, url: _("yes") if r.is_overdue else _("no"), 9),
    Column(
        gettext_lazy("Needs attention because"),
        lambda r, url: pgettext("separates the items of a list", ", ").join(
            str(label) for _key, label in attention_reasons(r)
        ),
        22,
    ),
    Column(gettext_lazy("Responsible lead"), lambda r, url: _person(r.lead), 20),
    Column(gettext_lazy("Next review date"), lambda r, url: r.review_date, 12),
    Column(gettext_lazy("Latest note"), lambda r, url: getattr(r, "latest_note", None) or "", 60),
    Column(gettext_lazy("Latest note date"), lambda r, url: _local_or_blank(getattr(r, "latest_note_at", None)), 17),
    Column(gettext_lazy("Latest note by"), lambda r, url: getattr(r, "latest_note_author", None) or "", 20),
    Column(gettext_lazy("Last update"), lambda r, url: _local(r.updated_at), 17),
    Column(gettext_lazy("URL"), lambda r, url: url(r), 50),
    Column(gettext_lazy("Description"), lambda r, url: r.description, 80),
]


def _no_url(recommendation: Recommendation) -> str:
    return ""


def export_queryset(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """The recommendations with what every column reads: source, partners (by name), themes (by name), the latest
    note of the timeline (annotated, no query per row)."""
    return (
        with_latest_note(queryset.select_related("source", "lead", "agency"))
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "partner_links",
                queryset=RecommendationPartner.objects.select_related("partner").order_by("partner__name"),
            ),
            Prefetch("themes", queryset=Theme.objects.order_by("name")),
        )
    )


def export_headings(columns: Sequence[Column]) -> list[str]:
    """The columns' headings, translated now."""
    return [str(column.heading) for column in columns]


def export_rows(
    queryset: QuerySet[Recommendation], columns: Sequence[Column], *, url_for: UrlFor = _no_url
) -> Iterator[list[Any]]:
    """One row per recommendation, in the queryset's order, typed (dates stay dates) for each format to write."""
    for recommendation in export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield [column.value(recommendation, url_for) for column in columns]


def editable_records(queryset: QuerySet[Recommendation]) -> list[dict[str, Any]]:
    """The editable export's rows as {column: value} records (to edit and write back, as scripts and tests do)."""
    columns = list(EDITABLE_COLUMNS.values())
    return [dict(zip(EDITABLE_COLUMNS, row, strict=True)) for row in export_rows(queryset, columns)]


def export_file(
    *,
    queryset: QuerySet[Recommendation],
    fmt: str,
    columns: Sequence[Column] | None = None,
    url_for: UrlFor = _no_url,
    notes: Sequence[tuple[str, str]] = (),
    notes_title: str = "",
) -> bytes:
    """The recommendations as a CSV, XLSX or JSON file (in the import's columns unless told otherwise).

    ``notes`` (its filters, when it was made) go on a second sheet of an XLSX file; CSV and JSON stay importable.
    """
    columns = list(EDITABLE_COLUMNS.values()) if columns is None else list(columns)
    return table_write(
        headings=export_headings(columns),
        rows=export_rows(queryset, columns, url_for=url_for),
        fmt=fmt,
        title=_("Recommendations"),
        json_key=JSON_KEY,
        widths=[column.width for column in columns],
        notes=notes,
        notes_title=notes_title,
    )


def export_filename(fmt: str, name: str = "recommendations") -> str:
    """A download name with the local date and time, e.g. recommendations-20250331-1420.csv."""
    return f"{name}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
