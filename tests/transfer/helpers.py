"""Helpers shared by the import, export and admin-import tests."""

from pathlib import Path

from core.models import ChangeEvent
from core.spreadsheets import table_write
from partners.models import Partner
from recommendations.models import Recommendation, RecommendationLink, Source, StatusUpdate, Theme
from transfer.bundles import bundle_load, bundle_read
from transfer.exports import editable_records
from transfer.importing import COLUMNS, JSON_KEY, ImportPlan, import_plan, read_import_file

ROOT = Path(__file__).resolve().parents[2]
COMMENTARY = ROOT / "fixtures" / "tokuchi-2023-nss-commentary.json"
EXAMPLE = ROOT / "docs" / "examples" / "second-source-example.csv"


def load_commentary() -> None:
    """Load the commentary's bundle (32 recommendations, their partners, themes and source)."""
    bundle_load(data=bundle_read(COMMENTARY))


def file_bytes(rows: list[dict], fmt: str = "csv", headings=COLUMNS) -> bytes:
    """A file of ``rows`` in one of the formats, written as the export writes it."""
    headings = list(headings)
    values = [[row.get(heading) for heading in headings] for row in rows]
    return table_write(headings=headings, rows=values, fmt=fmt, title="recommendations", json_key=JSON_KEY)


def plan_for(content: bytes, filename: str = "import.csv", *, create_missing: bool = False) -> ImportPlan:
    """The import plan of a file's bytes."""
    return import_plan(table=read_import_file(content=content, filename=filename), create_missing=create_missing)


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
    return editable_records(Recommendation.objects.filter(reference__in=references).order_by("reference"))
