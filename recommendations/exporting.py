"""Export of recommendations in the import's columns and notation, so that an exported file imports back unchanged."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .importing import COLUMNS, format_partners, format_themes
from .models import Recommendation, RecommendationPartner, Theme
from .spreadsheets import table_write


def export_rows(queryset: QuerySet[Recommendation]) -> list[dict[str, Any]]:
    """One row per recommendation, in the queryset's order, with every import column (in three queries)."""
    queryset = (
        queryset.select_related("source")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "partner_links",
                queryset=RecommendationPartner.objects.select_related("partner").order_by("partner__name"),
            ),
            Prefetch("themes", queryset=Theme.objects.order_by("name")),
        )
    )
    return [
        {
            "reference": rec.reference,
            "title": rec.title,
            "description": rec.description,
            "source_excerpt": rec.source_excerpt,
            "section": rec.section,
            "source": rec.source.slug,
            "partners": format_partners((link.partner, link.role) for link in rec.partner_links.all()),
            "themes": format_themes(rec.themes.all()),
            "priority": rec.priority,
            "team": rec.team,
            "target_date": rec.target_date,
            "status": rec.status,
            "status_note": "",
        }
        for rec in queryset
    ]


def export_file(*, queryset: QuerySet[Recommendation], fmt: str) -> bytes:
    """The recommendations as a CSV, XLSX or JSON file in the import's columns."""
    return table_write(headings=COLUMNS, rows=export_rows(queryset), fmt=fmt)


def export_filename(fmt: str) -> str:
    """A download name with the local date and time, e.g. recommendations-20250331-1420.csv."""
    return f"recommendations-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
