"""The import: the plan says exactly what each row would do, nothing is written on a dry run or on errors, and a
confirmed import lands whole or not at all, through the services (versions, change feed, timeline)."""

import io
import json
from datetime import date, datetime

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from core import spreadsheets
from core.changes import VersionConflict
from core.choices import ChangeAction
from core.models import ChangeEvent
from core.spreadsheets import TableFileError
from partners.models import Partner
from recommendations.choices import Status
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation, Source, StatusUpdate, Theme
from recommendations.services import recommendation_update
from reports.selectors import progress_summary
from tests.factories import PartnerFactory, UserFactory
from transfer.importing import Action, FieldChange
from transfer.services import recommendations_import

from .helpers import EXAMPLE, db_state, exported, file_bytes, load_commentary, plan_for

pytestmark = pytest.mark.django_db


def run_import(path, *args) -> str:
    """Run the command; return what it printed."""
    out = io.StringIO()
    call_command("import_recommendations", str(path), *args, stdout=out)
    return out.getvalue()


def mixed_file(recommendation, implemented) -> bytes:
    """Four rows: an update, an unchanged row, a create, and a row with two errors."""
    first, second = exported("TST-01", "TST-02")
    first.update(title_en="Sharper title", status="In progress", status_note="Talks began.")
    new = {
        "reference": "NEW-01",
        "title_en": "Open a liaison office",
        "description_en": "Open a liaison office in Canberra.",
        "source": "A commentary",  # by title
        "partners": "australia:lead",
        "themes": "Maritime security",  # by name
        "priority": "High",  # by label
        "target_date": "2027-03-31",
    }
    broken = {
        "reference": "NEW-02",
        "title_en": "Broken",
        "description_en": "Has errors.",
        "source": "a-commentary",
        "partners": "australia; atlantis",
        "target_date": "31/03/2027",
    }
    return file_bytes([first, second, new, broken])


def test_the_plan_of_a_mixed_file_is_exact(recommendation, implemented):
    plan = plan_for(mixed_file(recommendation, implemented))

    assert [(row.number, row.reference, row.action) for row in plan.rows] == [
        (2, "TST-01", Action.UPDATE),
        (3, "TST-02", Action.UNCHANGED),
        (4, "NEW-01", Action.CREATE),
        (5, "NEW-02", Action.ERROR),
    ]
    update, unchanged, create, error = plan.rows
    assert update.changes == [
        FieldChange("title_en", "Strengthen maritime cooperation", "Sharper title"),
        FieldChange("status", "proposed", "in_progress"),
    ]
    assert update.values == {"title_en": "Sharper title", "status": "in_progress", "status_note": "Talks began."}
    assert update.version == recommendation.version
    assert unchanged.changes == [] and unchanged.errors == []
    assert {c.field: c.new for c in create.changes} == {
        "title_en": "Open a liaison office",
        "description_en": "Open a liaison office in Canberra.",
        "source": "a-commentary",
        "partners": "australia:lead",
        "themes": "maritime-security",
        "priority": "high",
        "target_date": "2027-03-31",
        "status": "proposed",
        "response": "no_response",
    }
    assert error.errors == [
        "partners: “atlantis” is not a known partner (write its slug or name, or create missing ones).",
        "target_date: “31/03/2027” is not a date: write it as YYYY-MM-DD.",
    ]
    assert error.changes == []
    assert plan.counts == {"create": 1, "update": 1, "unchanged": 1, "error": 1}
    assert plan.has_errors


def test_a_file_with_errors_writes_nothing_and_exits_non_zero(recommendation, implemented, tmp_path, policy_user):
    path = tmp_path / "mixed.csv"
    path.write_bytes(mixed_file(recommendation, implemented))
    before = db_state()
    with pytest.raises(CommandError, match="1 row\\(s\\) with errors; nothing was written"):
        run_import(path, "--user", "policy")
    assert db_state() == before
    with pytest.raises(ValidationError, match="nothing was imported"):
        recommendations_import(plan=plan_for(path.read_bytes()), actor=policy_user)
    assert db_state() == before


def test_dry_run_prints_the_preview_and_writes_nothing(recommendation, implemented, tmp_path):
    rows = exported("TST-01", "TST-02")
    rows[0]["title_en"] = "Sharper title"
    path = tmp_path / "ok.csv"
    path.write_bytes(file_bytes(rows))
    before = db_state()
    out = run_import(path, "--dry-run")
    assert db_state() == before
    assert "Row 2: TST-01: update\n    title_en: Strengthen maritime cooperation → Sharper title\n" in out
    assert "Row 3: TST-02: unchanged\n" in out
    assert "0 to create, 1 to update, 1 unchanged, 0 with errors." in out
    assert out.rstrip().endswith("Dry run: nothing was written.")


def test_applying_creates_and_updates_through_the_services(recommendation, implemented, tmp_path, policy_user):
    rows = exported("TST-01", "TST-02")
    rows[0].update(title_en="Sharper title", status="in_progress", status_note="Talks began.")
    new = {"reference": "NEW-01", "title_en": "New", "description_en": "A new one.", "source": "a-commentary"}
    new.update(partners="australia:lead", status="under_review", status_note="Tabled at the working level.")
    path = tmp_path / "ok.csv"
    path.write_bytes(file_bytes([*rows, new]))

    out = run_import(path, "--user", "policy")

    assert "Imported: 1 created, 1 updated, 1 unchanged." in out
    recommendation.refresh_from_db()
    assert (recommendation.title, recommendation.status, recommendation.version) == ("Sharper title", "in_progress", 2)
    entry = recommendation.status_updates.latest()
    assert (entry.from_status, entry.to_status, entry.note, entry.author) == (
        "proposed",
        "in_progress",
        "Talks began.",
        policy_user,
    )
    created = Recommendation.objects.get(reference="NEW-01")
    first = created.status_updates.get()
    assert (first.to_status, first.note, first.author) == ("under_review", "Tabled at the working level.", policy_user)
    assert list(created.partner_links.values_list("partner__slug", "role")) == [("australia", "lead")]
    events = ChangeEvent.objects.filter(object_type="recommendation", actor=policy_user)
    assert events.filter(action=ChangeAction.UPDATED, object_id=recommendation.uuid).count() == 1
    assert events.filter(action=ChangeAction.CREATED, object_id=created.uuid).count() == 1
    implemented.refresh_from_db()
    assert implemented.version == 2  # unchanged row: untouched (version 2 from its status change)

    # The same file again changes nothing (the note is ignored once the status is reached).
    before = db_state()
    assert "0 created, 0 updated, 3 unchanged." in run_import(path, "--user", "policy")
    assert db_state() == before


def test_a_failure_at_apply_time_in_the_third_of_four_rows_leaves_nothing(recommendation, policy_user):
    rows = [
        {
            "reference": "NEW-A",
            "title_en": "A",
            "description_en": "a",
            "source": "a-commentary",
            "partners": "australia",
        },
        {
            "reference": "NEW-B",
            "title_en": "B",
            "description_en": "b",
            "source": "a-commentary",
            "partners": "australia",
        },
        {**exported("TST-01")[0], "title_en": "Import's title"},
        {
            "reference": "NEW-C",
            "title_en": "C",
            "description_en": "c",
            "source": "a-commentary",
            "partners": "australia",
        },
    ]
    plan = plan_for(file_bytes(rows), create_missing=True)
    assert [row.action for row in plan.rows] == [Action.CREATE, Action.CREATE, Action.UPDATE, Action.CREATE]
    # Someone else edits row 3's recommendation after the preview: its update must fail, and take rows 1-2 with it.
    other = UserFactory(policy=True)
    recommendation_update(recommendation=recommendation, actor=other, data={"title_en": "Their title"})
    before = db_state()

    with pytest.raises(VersionConflict):
        recommendations_import(plan=plan, actor=policy_user)

    assert db_state() == before
    assert not Recommendation.objects.filter(reference__in=["NEW-A", "NEW-B", "NEW-C"]).exists()
    recommendation.refresh_from_db()
    assert recommendation.title == "Their title"


def test_a_failure_in_a_later_row_also_undoes_created_sources_partners_and_themes(recommendation, policy_user):
    rows = [
        {
            "reference": "NEW-A",
            "title_en": "A",
            "description_en": "a",
            "source": "Fresh report",
            "partners": "Ruritania",
        },
        {"reference": "NEW-B", "title_en": "B", "description_en": "b", "source": "Fresh report", "themes": "Space"},
    ]
    plan = plan_for(file_bytes(rows), create_missing=True)
    assert [(new.kind, new.slug) for new in plan.new_objects] == [
        ("source", "fresh-report"),
        ("partner", "ruritania"),
        ("theme", "space"),
    ]
    Recommendation.objects.filter(pk=recommendation.pk).update(reference="NEW-B")  # NEW-B now exists: create fails
    before = db_state()
    with pytest.raises(ValidationError):
        recommendations_import(plan=plan, actor=policy_user)
    assert db_state() == before


def test_duplicate_references_in_a_file_are_errors(recommendation):
    rows = exported("TST-01") * 2 + [{"reference": "new-9", "title_en": "x"}, {"reference": "NEW-9", "title_en": "y"}]
    plan = plan_for(file_bytes(rows))
    assert [row.action for row in plan.rows] == [Action.ERROR] * 4
    assert plan.rows[0].errors[0] == "reference: “TST-01” is in rows 2 and 3; each may appear once."
    assert plan.rows[3].errors[0] == "reference: “NEW-9” is in rows 4 and 5; each may appear once."


def test_a_reference_differing_only_in_case_is_an_error(recommendation):
    row = {**exported("TST-01")[0], "reference": "tst-01"}
    plan = plan_for(file_bytes([row]))
    assert plan.rows[0].errors == ["reference: “tst-01” differs only in letter case from “TST-01”: write it exactly."]


def test_reopening_needs_a_note_like_everywhere_else(implemented, tmp_path, policy_user):
    row = {**exported("TST-02")[0], "status": "in_progress"}
    plan = plan_for(file_bytes([row]))
    assert plan.rows[0].action == Action.ERROR
    assert "reopens it: give a note saying why" in plan.rows[0].errors[0]
    assert plan.rows[0].errors[0].startswith("status: ")

    row["status_note"] = "Funding cut; work resumes."
    path = tmp_path / "reopen.csv"
    path.write_bytes(file_bytes([row]))
    run_import(path, "--user", "policy")
    entry = StatusUpdate.objects.filter(recommendation=implemented).latest()
    assert (entry.from_status, entry.to_status, entry.note, entry.author) == (
        "implemented",
        "in_progress",
        "Funding cut; work resumes.",
        policy_user,
    )


def test_columns_left_out_keep_their_values(recommendation):
    content = b"Reference,Status,Status note\r\nTST-01,stalled,Budget frozen.\r\n"
    plan = plan_for(content)
    row = plan.rows[0]
    assert row.action == Action.UPDATE
    assert row.changes == [FieldChange("status", "proposed", "stalled")]
    assert row.values == {"status": "stalled", "status_note": "Budget frozen."}


def test_a_new_reference_needs_title_description_and_source(recommendation):
    plan = plan_for(b"reference,title,status\nNEW-1,Only a title,\n")
    assert plan.rows[0].errors == [
        "description: a new recommendation needs one; the file has no such column.",
        "source: a new recommendation needs one; the file has no such column.",
    ]
    plan = plan_for(b"reference,title,description,source\nNEW-1,,d,a-commentary\nTST-01,x,,a-commentary\n")
    assert plan.rows[0].errors == ["title_en: a recommendation needs one; this cell is empty."]
    assert plan.rows[1].errors == ["description_en: a recommendation needs one; this cell is empty."]


def test_bad_values_are_row_errors(recommendation):
    row = {
        **exported("TST-01")[0],
        "status": "done",
        "priority": "urgent",
        "partners": "australia:boss",
        "title_en": "x" * 300,
    }
    errors = plan_for(file_bytes([row])).rows[0].errors
    assert errors == [
        "title_en: Ensure this value has at most 255 characters (it has 300).",
        "partners: “boss” is not a partner role (use one of: lead, counterpart, addressee).",
        "priority: “urgent” is not a priority (use one of: high, medium, low).",
        "status: “done” is not a status (use one of: proposed, under_review, in_progress, partially_implemented, "
        "implemented, stalled, not_adopted).",
    ]


def test_partners_by_slug_name_or_short_name_with_roles(recommendation):
    PartnerFactory(slug="south-korea", name="South Korea", short_name="ROK")
    row = {**exported("TST-01")[0], "partners": "Australia:counterpart; ROK : lead"}
    plan = plan_for(file_bytes([row]))
    assert plan.rows[0].changes == [
        FieldChange("partners", "australia:counterpart", "australia:counterpart; south-korea:lead")
    ]
    twice = {**row, "partners": "australia; Australia:lead"}
    assert plan_for(file_bytes([twice])).rows[0].errors == ["partners: the partner “australia” is listed twice."]


def test_status_note_without_a_status_change_is_ignored(recommendation):
    row = {**exported("TST-01")[0], "status_note": "Nothing new."}
    assert plan_for(file_bytes([row])).rows[0].action == Action.UNCHANGED


def test_whitespace_and_line_ends_are_not_changes(recommendation):
    row = exported("TST-01")[0]
    row.update(title_en=f"  {row['title_en']}  ", description_en=row["description_en"].replace("\n", "\r\n") + "\n")
    assert plan_for(file_bytes([row])).rows[0].action == Action.UNCHANGED


def test_unknown_partners_themes_and_sources_are_created_only_on_request(recommendation, tmp_path, policy_user):
    row = {
        "reference": "NEW-1",
        "title_en": "t",
        "description_en": "d",
        "source": "Example Review 2025",
        "partners": "Ruritania:counterpart; australia",
        "themes": "Space security; maritime-security",
    }
    other = {**row, "reference": "NEW-2", "partners": "ruritania"}
    content = file_bytes([row, other])
    errors = plan_for(content).rows[0].errors
    assert [error.split(":")[0] for error in errors] == ["source", "partners", "themes"]

    path = tmp_path / "new.csv"
    path.write_bytes(content)
    out = run_import(path, "--create-missing", "--user", "policy")
    assert "New source: example-review-2025 (“Example Review 2025”)" in out
    source = Source.objects.get(slug="example-review-2025")
    assert source.title == "Example Review 2025"
    assert Partner.objects.get(slug="ruritania").name == "Ruritania"
    assert Theme.objects.get(slug="space-security").name == "Space security"
    assert Recommendation.objects.filter(source=source).count() == 2
    assert ChangeEvent.objects.filter(object_type="partner", actor=policy_user).count() == 1


def test_a_new_name_whose_slug_is_taken_is_an_error(recommendation):
    row = {
        "reference": "NEW-1",
        "title_en": "t",
        "description_en": "d",
        "source": "a-commentary",
        "themes": "Maritime  Security!",
    }
    errors = plan_for(file_bytes([row]), create_missing=True).rows[0].errors
    assert errors == [
        "themes: “Maritime  Security!” is not a known theme, and its slug “maritime-security” is taken by "
        "“Maritime security”: write “maritime-security” if you mean that one."
    ]


def test_csv_with_bom_and_japanese_text(recommendation, tmp_path):
    PartnerFactory(slug="nihon", name="日本")
    content = (
        "reference,title,description,source,partners,themes\r\n"
        "JP-01,海洋安全保障協力の強化,日本と豪州は海洋安全保障協力を強化すべきである。,a-commentary,日本:lead,maritime-security\r\n"
    ).encode("utf-8-sig")
    assert content.startswith(b"\xef\xbb\xbf")
    path = tmp_path / "japanese.csv"
    path.write_bytes(content)
    plan = plan_for(content)
    assert plan.rows[0].action == Action.CREATE
    run_import(path)
    created = Recommendation.objects.get(reference="JP-01")
    assert created.title == "海洋安全保障協力の強化"
    assert list(created.partner_links.values_list("partner__slug", "role")) == [("nihon", "lead")]


def test_excel_style_csv_semicolons_crlf_and_multiline_cells(recommendation):
    content = (
        "\ufeffReference;Title;Description;Source;Target date\r\n"
        'NEW-1;"Line one";"First line\r\nsecond line";a-commentary;2027/3/31\r\n'
        "\r\n"
        "NEW-2;Two;d;a-commentary;\r\n"
    ).encode()
    plan = plan_for(content)
    assert [(row.number, row.action) for row in plan.rows] == [(2, Action.CREATE), (4, Action.CREATE)]
    assert plan.rows[0].values["description_en"] == "First line\nsecond line"
    assert plan.rows[0].values["target_date"] == date(2027, 3, 31)


def test_xlsx_first_sheet_with_real_dates_and_numbers(recommendation):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "Title", "Description", "Source", "Target date", "Team"])
    sheet.append([2025, "From Excel", "d", "a-commentary", datetime(2027, 3, 31), 42.0])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["TST-01", "Strengthen maritime cooperation", None, None, date(2026, 1, 15), None])
    workbook.create_sheet("ignored").append(["nonsense"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = plan_for(buffer.getvalue(), "sheet.xlsx")
    create, update = plan.rows
    assert (create.number, create.reference, create.action) == (2, "2025", Action.CREATE)
    assert create.values["target_date"] == date(2027, 3, 31) and create.values["team"] == "42"
    assert update.number == 4
    assert update.errors == [
        "description_en: a recommendation needs one; this cell is empty.",
        "source: a recommendation needs one; this cell is empty.",
    ]


def test_json_as_a_list_or_an_object_with_partners_as_lists(recommendation):
    item = {
        "reference": "NEW-1",
        "title_en": "From JSON",
        "description_en": "d",
        "source": "a-commentary",
        "partners": ["australia:lead"],
        "themes": ["maritime-security"],
        "target_date": None,
    }
    for data in ([item], {"recommendations": [item]}, [{**item, "partners": [{"slug": "australia", "role": "lead"}]}]):
        plan = plan_for(json.dumps(data).encode(), "rows.json")
        assert plan.row_label == "item"
        assert plan.rows[0].number == 1 and plan.rows[0].action == Action.CREATE
        assert [(p.slug, r) for p, r in plan.rows[0].values["partners"]] == [("australia", "lead")]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        ("reference,title\nX,Café\n".encode("latin-1"), "a.csv", "not UTF-8 text"),
        ("reference\nX\n".encode("utf-16"), "a.csv", "UTF-16"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "a.csv", "not UTF-8 text"),
        (b"%PDF-1.4\n", "a.xlsx", "not a valid XLSX workbook"),
        (b"\xd0\xcf\x11\xe0", "old.xls", "save the sheet as .xlsx"),
        (b'[{"reference": "A",', "a.json", "not valid JSON"),
        (b'{"rows": []}', "a.json", 'a "recommendations" list'),
        (b"[1, 2]", "a.json", "Item 1 of the list is not an object"),
        (b"", "a.csv", "The file is empty"),
        (b"title,description\nx,y\n", "a.csv", "Required column(s) missing: reference."),
        (b"reference,titel\nx,y\n", "a.csv", "Unknown column(s): “titel”."),
        (b"reference,Reference\nx,y\n", "a.csv", "The column “Reference” appears twice."),
        (b"reference,title\n", "a.csv", "headings but no rows"),
        (b"reference,title\nA,B,C\n", "a.csv", "column C holds a value but the column has no heading"),
        (b'reference,title\nA,"unclosed\n', "a.csv", "malformed"),
    ],
)
def test_unreadable_files_give_a_clear_error(content, filename, message):
    with pytest.raises(TableFileError) as raised:
        plan_for(content, filename)
    assert message in str(raised.value)


def test_size_and_row_limits(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 2)
    with pytest.raises(TableFileError, match="more than 2 rows"):
        plan_for(b"reference\nA\nB\nC\n")
    with pytest.raises(TableFileError, match="more than 2 rows"):
        plan_for(b'[{"reference": "A"}, {"reference": "B"}, {"reference": "C"}]', "a.json")
    monkeypatch.setattr(spreadsheets, "MAX_FILE_BYTES", 10)
    with pytest.raises(TableFileError, match="larger than"):
        plan_for(b"reference\nA-LONG-REFERENCE\n")


def test_the_command_refuses_unknown_users_and_missing_files(tmp_path):
    with pytest.raises(CommandError, match="No user named"):
        run_import(EXAMPLE, "--user", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        run_import(tmp_path / "missing.csv")


def test_a_second_source_with_twenty_recommendations_in_one_import(policy_user, policy_client):
    """The issue's "done when": the example spreadsheet adds a source and its 20 recommendations in one go."""
    load_commentary()
    before = Recommendation.objects.count()
    with pytest.raises(CommandError, match="20 row\\(s\\) with errors"):
        run_import(EXAMPLE, "--user", "policy")  # the source is new: without --create-missing it is an error
    assert Recommendation.objects.count() == before

    out = run_import(EXAMPLE, "--create-missing", "--user", "policy")

    assert "Imported: 20 created, 0 updated, 0 unchanged." in out
    source = Source.objects.get(slug="example-review-regional-maritime-cooperation-fictional-example-data")
    assert "fictional example data" in source.title
    assert Recommendation.objects.count() == before + 20
    mine = RecommendationFilterSet(data={"source": [source.slug]}).qs
    assert mine.count() == 20
    assert all(rec.partner_links.exists() and rec.themes.exists() for rec in mine)
    in_progress = mine.get(status=Status.IN_PROGRESS)
    assert in_progress.status_updates.get().author == policy_user
    assert progress_summary(queryset=Recommendation.objects.all()).total == before + 20
    assert progress_summary(queryset=mine).total == 20
    response = policy_client.get("/admin/recommendations/recommendation/", {"source__id__exact": source.pk})
    assert response.context["cl"].result_count == 20
    # Importing the same file again is a no-op.
    assert "0 to create, 0 to update, 20 unchanged, 0 with errors." in run_import(EXAMPLE, "--dry-run")
