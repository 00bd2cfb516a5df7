"""Exports of the filtered list: CSV (streamed, UTF-8 with BOM, quoted, formulas defused) and XLSX, same columns."""

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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


# --- As of a past day: the report follows the list's ``as_of``; the editable export is of today's data only -------

TOKYO = ZoneInfo("Asia/Tokyo")
AS_OF_NOTE = "2025-02-28 (statuses as they stood then; other columns as of today)"


def at(day: date) -> datetime:
    """Noon in Tokyo on ``day``."""
    return datetime.combine(day, time(12), tzinfo=TOKYO)


@pytest.fixture
def moved():
    """A: created 10 Jan 2025 (proposed), under review on 10 Feb, in progress on 10 Mar (today's status).
    B: created 20 Mar 2025, proposed."""
    a = RecommendationFactory(
        reference="A", status=Status.IN_PROGRESS, priority=Priority.HIGH, created_at=at(date(2025, 1, 10))
    )
    for day, (before, after) in {
        date(2025, 1, 10): ("", Status.PROPOSED),
        date(2025, 2, 10): (Status.PROPOSED, Status.UNDER_REVIEW),
        date(2025, 3, 10): (Status.UNDER_REVIEW, Status.IN_PROGRESS),
    }.items():
        StatusUpdateFactory(recommendation=a, from_status=before, to_status=after, created_at=at(day))
    b = RecommendationFactory(reference="B", status=Status.PROPOSED, created_at=at(date(2025, 3, 20)))
    StatusUpdateFactory(recommendation=b, from_status="", to_status=Status.PROPOSED, created_at=at(date(2025, 3, 20)))
    return a, b


def csv_with_notes(response) -> tuple[list[str], list[list[str]]]:
    """A readable CSV's header block (its "# …" lines) and its table (headings first)."""
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"), newline="")))
    blank = rows.index([])
    return [row[0] for row in rows[:blank]], rows[blank + 1 :]


def test_the_report_as_of_a_day_holds_what_existed_then_at_its_status_then(manager_client, moved):
    notes, rows = csv_with_notes(manager_client.get("/recommendations/export.csv?as_of=2025-02-28"))
    assert rows[0] == HEADER
    assert [(row[0], row[2], row[3]) for row in rows[1:]] == [("A", "Under review", "High")]  # B did not exist yet
    sheet = read_xlsx(manager_client.get("/recommendations/export.xlsx?as_of=2025-02-28"))
    assert sheet[0] == HEADER
    assert [(row[0], row[2]) for row in sheet[1:]] == [("A", "Under review")]
    # Today (and as of a day after both were made), the statuses now.
    _notes, today = csv_with_notes(manager_client.get("/recommendations/export.csv?ordering=reference"))
    assert [(row[0], row[2]) for row in today[1:]] == [("A", "In progress"), ("B", "Proposed")]
    _notes, later = csv_with_notes(
        manager_client.get("/recommendations/export.csv?as_of=2025-03-31&ordering=reference")
    )
    assert [(row[0], row[2]) for row in later[1:]] == [("A", "In progress"), ("B", "Proposed")]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("as_of=2025-02-28&status=under_review", ["A"]),  # under review then, in progress today
        ("as_of=2025-02-28&status=in_progress", []),
        ("as_of=2025-01-31&status=proposed", ["A"]),
        ("as_of=2025-03-31&status=proposed", ["B"]),
        ("status=under_review", []),  # today's status without as_of
    ],
)
def test_the_status_filter_of_the_report_as_of_a_day_reads_the_status_then(manager_client, moved, params, expected):
    listed = [r.reference for r in manager_client.get(f"/recommendations/?{params}").context["page"].object_list]
    assert listed == expected  # the page and its exports hold the same rows
    _notes, rows = csv_with_notes(manager_client.get(f"/recommendations/export.csv?{params}"))
    assert [row[0] for row in rows[1:]] == expected
    assert [row[0] for row in read_xlsx(manager_client.get(f"/recommendations/export.xlsx?{params}"))[1:]] == expected


def test_the_report_as_of_a_day_says_so_in_its_header_and_its_name(manager_client, moved):
    response = manager_client.get("/recommendations/export.csv?as_of=2025-02-28&status=under_review")
    assert response["Content-Disposition"] == (
        'attachment; filename="recommendations-status-under-review-as-of-2025-02-28.csv"'
    )
    notes, _rows = csv_with_notes(response)
    assert notes[:2] == ["# Filters: Status: Under review", f"# As of: {AS_OF_NOTE}"]
    assert notes[2].startswith("# Exported: ") and len(notes) == 3
    response = manager_client.get("/recommendations/export.xlsx?as_of=2025-02-28")
    assert response["Content-Disposition"] == 'attachment; filename="recommendations-as-of-2025-02-28.xlsx"'
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = [list(row) for row in book["Filters"].iter_rows(values_only=True)]
    assert sheet[:2] == [["Filters", "none (all recommendations)"], ["As of", AS_OF_NOTE]]
    assert sheet[2][0] == "Exported"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2999-01-01", "The date is in the future"),
        ("2025-01-09", "The first recommendation was created on"),
        ("yesterday", "Enter a valid date"),
        ("2025-02-30", "Enter a valid date"),
    ],
)
def test_an_invalid_as_of_is_a_plain_400_naming_it(manager_client, moved, value, message):
    for url in ("/recommendations/export.csv", "/recommendations/export.xlsx"):
        response = manager_client.get(f"{url}?as_of={value}&overdue=maybe")
        assert response.status_code == 400, url
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        lines = response.content.decode().splitlines()
        assert lines[0] == "Invalid filters:"
        assert any(line.startswith("as_of: ") and message in line for line in lines), lines
        assert any(line.startswith("overdue: ") for line in lines), lines  # with the other invalid filters


def test_the_editable_export_is_of_today_only(superuser_client, moved):
    for fmt in ("csv", "xlsx"):
        for value in ("2025-02-28", "yesterday"):
            response = superuser_client.get(f"/recommendations/export-editable.{fmt}?as_of={value}")
            assert response.status_code == 400
            assert response["Content-Type"] == "text/plain; charset=utf-8"
            assert response.content.decode().startswith("as_of: The editable export holds today’s data only")
        assert superuser_client.get(f"/recommendations/export-editable.{fmt}").status_code == 200


def test_the_list_as_of_a_day_links_the_report_as_of_it_and_offers_no_editable_export(superuser_client, moved):
    page = superuser_client.get("/recommendations/?as_of=2025-02-28&status=under_review").content.decode()
    assert 'href="/recommendations/export.csv?as_of=2025-02-28&amp;status=under_review"' in page
    assert 'href="/recommendations/export.xlsx?as_of=2025-02-28&amp;status=under_review"' in page
    assert "export-editable" not in page
    assert "the CSV and Excel downloads follow the same date" in page
    assert "export-editable" in superuser_client.get("/recommendations/?status=under_review").content.decode()
