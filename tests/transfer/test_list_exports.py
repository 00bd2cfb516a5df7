"""Exports of the filtered list: CSV (streamed, UTF-8 with BOM, quoted, formulas defused) and XLSX, same columns."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.spreadsheets import csv_cell
from recommendations.choices import PartnerRole, Priority, Status
from recommendations.models import RecommendationPartner
from tests.factories import PartnerFactory, RecommendationFactory, StatusUpdateFactory, ThemeFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Reference",
    "Title",
    "Status",
    "Priority",
    "Partners (roles)",
    "Themes",
    "Source",
    "Section",
    "Team",
    "Target date",
    "Overdue",
    "Needs attention because",
    "Responsible lead",
    "Next review date",
    "Latest note",
    "Latest note date",
    "Latest note by",
    "Last update",
    "URL",
    "Description",
]
JAPANESE = "日米防衛協力のための指針の見直し"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    # The readable export is a report: its filters and time come first ("# …" lines), then a blank line, the table.
    assert rows[0][0].startswith("# Filters: ") and rows[1][0].startswith("# Exported: ") and rows[2] == []
    return rows[3:]


def read_xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def catalogue():
    japan = PartnerFactory(slug="japan", name="Japan")
    us = PartnerFactory(slug="united-states", name="United States")
    alliance = ThemeFactory(slug="alliance", name="Alliance framework")
    first = RecommendationFactory(
        reference="TOK-01",
        title=JAPANESE,
        description='Review the "Guidelines", then act.\nSecond line, with a comma.',
        status=Status.IN_PROGRESS,
        priority=Priority.HIGH,
        section="Alliance",
        team="Defense Policy Bureau",
        target_date=timezone.localdate() - timedelta(days=5),
        themes=[alliance],
    )
    RecommendationPartner.objects.create(recommendation=first, partner=japan, role=PartnerRole.ADDRESSEE)
    RecommendationPartner.objects.create(recommendation=first, partner=us, role="")
    RecommendationFactory(reference="TOK-02", title='=HYPERLINK("http://evil")', status=Status.IMPLEMENTED)
    RecommendationFactory(reference="TOK-03", title="-2+3", description="@SUM(A1)", status=Status.PROPOSED)
    return first


def test_csv_has_the_columns_and_one_row_per_recommendation(manager_client, catalogue):
    response = manager_client.get("/recommendations/export.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="recommendations-{today}.csv"'
    rows = read_csv(response)
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == ["TOK-01", "TOK-02", "TOK-03"]
    first = dict(zip(HEADER, rows[1], strict=True))
    assert first["Title"] == JAPANESE  # round-trips through UTF-8
    assert first["Status"] == "In progress" and first["Priority"] == "High"
    assert first["Partners (roles)"] == "Japan (addressee); United States"
    assert first["Themes"] == "Alliance framework"
    assert first["Section"] == "Alliance" and first["Team"] == "Defense Policy Bureau"
    assert first["Target date"] == (timezone.localdate() - timedelta(days=5)).isoformat()
    assert first["Overdue"] == "yes"
    assert first["Needs attention because"] == "Overdue"
    assert first["URL"] == f"http://testserver/recommendations/{catalogue.uuid}/"
    assert first["Description"] == 'Review the "Guidelines", then act.\nSecond line, with a comma.'


def test_csv_quotes_commas_quotes_and_newlines(manager_client, catalogue):
    body = b"".join(manager_client.get("/recommendations/export.csv?q=Guidelines").streaming_content).decode("utf-8")
    assert '"Review the ""Guidelines"", then act.\nSecond line, with a comma."' in body
    assert body.endswith("\r\n")


def test_csv_defuses_formulas(manager_client, catalogue):
    rows = {row[0]: row for row in read_csv(manager_client.get("/recommendations/export.csv"))[1:]}
    assert rows["TOK-02"][1] == '\'=HYPERLINK("http://evil")'
    assert rows["TOK-03"][1] == "'-2+3"
    assert rows["TOK-03"][HEADER.index("Description")] == "'@SUM(A1)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81 3", "'+81 3"),
        ("-x", "'-x"),
        ("@here", "'@here"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (None, ""),
        (date(2026, 1, 2), "2026-01-02"),
        (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02 03:04"),
    ],
)
def test_csv_cell(value, expected):
    assert csv_cell(value) == expected


@pytest.mark.parametrize(
    ("params", "count"),
    [("", 3), ("status=implemented", 1), ("status=in_progress&status=proposed", 2), ("q=nothing-matches", 0)],
)
def test_exports_hold_exactly_the_filtered_rows(manager_client, catalogue, params, count):
    listed = manager_client.get(f"/recommendations/?{params}").context["page"].paginator.count
    assert listed == count
    assert len(read_csv(manager_client.get(f"/recommendations/export.csv?{params}"))) == count + 1
    assert len(read_xlsx(manager_client.get(f"/recommendations/export.xlsx?{params}"))) == count + 1


def test_exports_follow_the_sort_order(manager_client, catalogue):
    rows = read_csv(manager_client.get("/recommendations/export.csv?ordering=-reference"))
    assert [row[0] for row in rows[1:]] == ["TOK-03", "TOK-02", "TOK-01"]


def test_xlsx_has_the_same_columns_and_keeps_text_as_text(manager_client, catalogue):
    response = manager_client.get("/recommendations/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith(f'recommendations-{timezone.localdate().isoformat()}.xlsx"')
    rows = read_xlsx(response)
    assert rows[0] == HEADER
    first = dict(zip(HEADER, rows[1], strict=True))
    assert first["Title"] == JAPANESE
    assert first["Partners (roles)"] == "Japan (addressee); United States"
    assert first["Target date"].date() == timezone.localdate() - timedelta(days=5)
    assert first["Description"] == 'Review the "Guidelines", then act.\nSecond line, with a comma.'
    # A title that looks like a formula is stored as a string, not a formula
    workbook = load_workbook(io.BytesIO(response.content))
    cell = workbook.active["B3"]
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"


def test_invalid_filters_are_a_400_naming_them(manager_client, catalogue):
    for url in ["/recommendations/export.csv", "/recommendations/export.xlsx", "/reports/progress/export.csv"]:
        response = manager_client.get(f"{url}?status=done&overdue=maybe")
        assert response.status_code == 400
        text = response.content.decode()
        assert "status:" in text and "overdue:" in text


@pytest.mark.parametrize("n", [3, 40])
def test_exports_run_a_constant_number_of_queries(
    manager_client, make_recommendations, django_assert_max_num_queries, n
):
    make_recommendations(n)
    with django_assert_max_num_queries(8):
        rows = read_csv(manager_client.get("/recommendations/export.csv"))
    assert len(rows) == n + 1
    with django_assert_max_num_queries(8):
        assert len(read_xlsx(manager_client.get("/recommendations/export.xlsx"))) == n + 1


def test_exports_show_the_lead_the_next_review_and_the_latest_note(manager_client, catalogue, django_user_model):
    lead = django_user_model.objects.create_user("hanako", first_name="Hanako", last_name="Sato")
    catalogue.lead, catalogue.review_date = lead, date(2031, 4, 1)
    catalogue.save(update_fields=["lead", "review_date"])
    StatusUpdateFactory(recommendation=catalogue, from_status="", to_status=Status.PROPOSED, note="Made.", author=lead)
    StatusUpdateFactory(recommendation=catalogue, from_status=Status.PROPOSED, to_status=Status.IN_PROGRESS, note="")
    newest = StatusUpdateFactory(
        recommendation=catalogue, from_status=Status.IN_PROGRESS, to_status=Status.STALLED, note="=Waiting", author=lead
    )
    rows = read_csv(manager_client.get("/recommendations/export.csv?ordering=reference"))
    first = dict(zip(HEADER, rows[1], strict=True))
    assert first["Responsible lead"] == "Hanako Sato"
    assert first["Next review date"] == "2031-04-01"
    assert first["Latest note"] == "'=Waiting"  # the newest note, formula guard kept
    assert first["Latest note date"] == timezone.localtime(newest.created_at).strftime("%Y-%m-%d %H:%M")
    assert first["Latest note by"] == "Hanako Sato"
    others = dict(zip(HEADER, rows[2], strict=True))
    assert others["Latest note"] == "" and others["Responsible lead"] == "" and others["Needs attention because"] == ""
