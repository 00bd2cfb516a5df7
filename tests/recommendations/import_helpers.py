"""Helpers shared by the import, export and admin-import tests."""

from pathlib import Path

from partners.models import Partner
from recommendations.bundles import bundle_load, bundle_read
from recommendations.exporting import export_rows
from recommendations.importing import COLUMNS, ImportPlan, import_plan
from recommendations.models import ChangeEvent, Recommendation, RecommendationLink, Source, StatusUpdate, Theme
from recommendations.spreadsheets import table_read, table_write

ROOT = Path(__file__).resolve().parents[2]
COMMENTARY = ROOT / "fixtures" / "tokuchi-2023-nss-commentary.json"
EXAMPLE = ROOT / "docs" / "examples" / "second-source-example.csv"


def load_commentary() -> None:
    """Load the commentary's bundle (32 recommendations, their partners, themes and source)."""
    bundle_load(data=bundle_read(COMMENTARY))


def file_bytes(rows: list[dict], fmt: str = "csv", headings=COLUMNS) -> bytes:
    """A file of ``rows`` in one of the formats, written as the export writes it."""
    return table_write(headings=list(headings), rows=rows, fmt=fmt)


def plan_for(content: bytes, filename: str = "import.csv", *, create_missing: bool = False) -> ImportPlan:
    """The import plan of a file's bytes."""
    return import_plan(table=table_read(content=content, filename=filename), create_missing=create_missing)


def db_state() -> tuple:
    """Everything an import could write, counted: if this is equal before and after, nothing was written."""
    return (
        Recommendation.objects.count(),
        list(Recommendation.objects.order_by("pk").values_list("reference", "version", "status", "title")),
        StatusUpdate.objects.count(),
        ChangeEvent.objects.count(),
        Source.objects.count(),
        Partner.objects.count(),
        Theme.objects.count(),
        RecommendationLink.objects.count(),
    )


def exported(*references: str) -> list[dict]:
    """The export rows of these recommendations, as dicts to edit."""
    return export_rows(Recommendation.objects.filter(reference__in=references).order_by("reference"))
