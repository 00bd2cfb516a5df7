"""One guard for every export against cells a spreadsheet would run as a formula: every prefix a spreadsheet treats as
one (ASCII and full-width, after any kind of leading space), in every CSV and XLSX the tracker writes; the editable
export still round-trips through the import unchanged."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from core.spreadsheets import FORMULA_STARTS, csv_cell, needs_formula_guard, xlsx_bytes
from recommendations.models import Recommendation
from tests.factories import RecommendationFactory
from tests.transfer.helpers import plan_for
from transfer.exports import export_file
from transfer.importing import COLUMNS, Action

pytestmark = pytest.mark.django_db

#: Every way a cell can start that some spreadsheet (Excel, LibreOffice, Japanese-locale Excel) reads as a formula.
PREFIXES = ["=", "+", "-", "@", "\t", "\r", "\n", "'", "＝", "＋", "－", "＠"]
#: Leading spaces a spreadsheet may skip before it looks for the prefix.
SPACES = ["", " ", "  ", "\u00a0", "\u3000"]
DANGEROUS = [f"{space}{prefix}HYPERLINK(1)" for prefix in PREFIXES for space in SPACES]
HARMLESS = ["HYPERLINK(1)", "Plain title", "2+2", "mail@example.org", "日本語のタイトル", "", "A-1"]


def test_every_prefix_is_known_to_the_guard():
    assert set(PREFIXES) == set(FORMULA_STARTS)


@pytest.mark.parametrize("value", DANGEROUS)
def test_dangerous_cells_are_guarded(value):
    assert needs_formula_guard(value)
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", HARMLESS)
def test_harmless_cells_are_left_alone(value):
    assert not needs_formula_guard(value)
    assert csv_cell(value) == value


def test_xlsx_cells_are_text_and_quote_prefixed():
    content = xlsx_bytes(["title"], [[value] for value in DANGEROUS + HARMLESS], title="t")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    for row, value in enumerate(DANGEROUS + HARMLESS, start=2):
        cell = sheet.cell(row=row, column=1)
        if not value:
            continue
        assert cell.data_type == "s", value
        assert cell.value == value.replace("\r", "\n") or cell.value == value, value
        assert cell.quotePrefix == (value in DANGEROUS), value


def csv_titles(content: bytes, column: int = 1) -> dict[str, str]:
    """Title by reference (the first column of both list exports, and the title's); the readable export's header
    block (its filters, when it was made, a blank line) comes before the headings."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    if rows and rows[0] and rows[0][0].startswith("#"):
        rows = rows[rows.index([]) + 1 :]
    return {row[0]: row[column] for row in rows[1:]}


@pytest.fixture
def hostile():
    return {
        f"F-{index:02d}": RecommendationFactory(reference=f"F-{index:02d}", title=f"{value}title", section=value)
        for index, value in enumerate(DANGEROUS)
    }


def test_every_export_guards_every_prefix(hostile, manager_client):
    editable = csv_titles(
        export_file(queryset=Recommendation.objects.order_by("reference"), fmt="csv"), COLUMNS.index("title_en")
    )
    readable = csv_titles(b"".join(manager_client.get("/recommendations/export.csv").streaming_content))
    for reference, rec in hostile.items():
        assert editable[reference] == "'" + rec.title
        assert readable[reference] == "'" + rec.title
    report = b"".join(manager_client.get("/reports/progress/export.csv").streaming_content).decode("utf-8-sig")
    assert all(not line.startswith(tuple(PREFIXES)) for line in report.splitlines()[1:])


def test_the_editable_export_round_trips_every_prefix(hostile):
    for fmt in ("csv", "xlsx", "json"):
        plan = plan_for(export_file(queryset=Recommendation.objects.all(), fmt=fmt), f"x.{fmt}")
        assert [row.reference for row in plan.rows if row.action != Action.UNCHANGED] == [], fmt
