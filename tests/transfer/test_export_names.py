"""Exports say what they hold: names with their filters and date, a CSV's first lines and an Excel "Filters" sheet;
the editable export (for those who may import) re-imports as it is."""

import csv
import io
from datetime import date
from urllib.parse import quote

import pytest
from django.http import QueryDict
from django.utils import timezone
from openpyxl import load_workbook

from core.querystrings import attachment, export_name
from recommendations.choices import Status
from tests.factories import PartnerFactory, RecommendationFactory
from transfer.importing import COLUMNS, import_plan, read_import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def stalled():
    india = PartnerFactory(slug="india", name="India")
    quad = PartnerFactory(slug="quad", name="Quad")
    RecommendationFactory(reference="A-1", status=Status.STALLED, partners=[india])
    RecommendationFactory(reference="A-2", status=Status.STALLED, partners=[quad])
    RecommendationFactory(reference="A-3", status=Status.PROPOSED, partners=[india])


def test_a_name_holds_the_filters_in_order_and_the_day():
    params = QueryDict("partner=india&partner=quad&status=stalled&page=2")
    name = export_name(
        stem="recommendations",
        params=params,
        keys=("status", "partner"),
        day=timezone.localdate(),
        extension="csv",
    )
    assert name == f"recommendations-status-stalled-partner-india-quad-{timezone.localdate()}.csv"
    period = export_name(
        stem="comparison",
        params=params,
        keys=("status",),
        day=date(2026, 8, 31),
        until=date(2026, 11, 30),
        extension="csv",
    )
    assert period == "comparison-status-stalled-2026-08-31-2026-11-30.csv"
    as_of = export_name(
        stem="recommendations", params=params, keys=("status",), day=date(2025, 3, 31), extension="csv", as_of=True
    )
    assert as_of == "recommendations-status-stalled-as-of-2025-03-31.csv"


def test_a_long_filter_is_bounded_and_japanese_gets_an_rfc_5987_name():
    day = timezone.localdate()
    long = export_name(stem="r", params=QueryDict("q=" + "word " * 100), keys=("q",), day=day, extension="csv")
    assert len(long) < 120
    japanese = export_name(stem="r", params=QueryDict("q=日米 指針"), keys=("q",), day=day, extension="csv")
    assert japanese == f"r-q-日米-指針-{day}.csv"
    header = attachment(japanese)
    assert header.startswith(f'attachment; filename="r-q-{day}.csv"; ')
    assert f"filename*=UTF-8''{quote(japanese, safe='')}" in header
    header.encode("latin-1")  # a valid header value


def test_the_readable_csv_is_named_and_headed_by_its_filters(manager_client, stalled):
    response = manager_client.get("/recommendations/export.csv?status=stalled&partner=india&partner=quad")
    day = timezone.localdate()
    assert f'filename="recommendations-status-stalled-partner-india-quad-{day}.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[0] == ["# Filters: Status: Stalled; Partner: India, Quad"]
    assert rows[1][0].startswith("# Exported: ") and str(day.year) in rows[1][0]
    assert rows[2] == []
    assert rows[3][:3] == ["Reference", "Title", "Status"]
    assert sorted(row[0] for row in rows[4:]) == ["A-1", "A-2"]


def test_the_readable_xlsx_has_a_filters_sheet_after_the_table(manager_client, stalled):
    response = manager_client.get("/recommendations/export.xlsx?status=stalled")
    assert "recommendations-status-stalled-" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["Recommendations", "Filters"]
    notes = [list(row) for row in book["Filters"].iter_rows(values_only=True)]
    assert notes[0] == ["Filters", "Status: Stalled"]
    assert notes[1][0] == "Exported"
    unfiltered = load_workbook(io.BytesIO(manager_client.get("/recommendations/export.xlsx").content))
    assert unfiltered["Filters"]["B1"].value == "none (all recommendations)"


def test_the_editable_export_is_for_those_who_may_import_and_re_imports_unchanged(
    manager_client, policy_client, superuser_client, stalled
):
    assert manager_client.get("/recommendations/export-editable.csv").status_code == 403
    assert "export-editable" not in manager_client.get("/recommendations/").content.decode()
    page = superuser_client.get("/recommendations/?status=stalled").content.decode()
    assert 'href="/recommendations/export-editable.csv?status=stalled"' in page
    for fmt in ("csv", "xlsx"):
        response = superuser_client.get(f"/recommendations/export-editable.{fmt}?status=stalled")
        assert response.status_code == 200
        assert (
            f"recommendations-editable-status-stalled-{timezone.localdate()}.{fmt}" in response["Content-Disposition"]
        )
        table = read_import_file(content=response.content, filename=f"back.{fmt}")
        assert tuple(table.headings) == COLUMNS  # the first line (first sheet) is the headings: no header block
        plan = import_plan(table=table)
        assert plan.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    assert superuser_client.get("/recommendations/export-editable.json").status_code == 404
    assert superuser_client.get("/recommendations/export-editable.csv?status=nonsense").status_code == 400


def test_the_report_csv_is_named_and_headed_by_its_filters(manager_client, stalled):
    response = manager_client.get("/reports/progress/export.csv?partner=india")
    assert f"progress-report-partner-india-{timezone.localdate()}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["# Filters: Partner: India"]
    assert rows[2] == [] and rows[3][0] == "Section"
