"""The export writes the import's columns: an exported file imports back as "unchanged", in every format."""

import csv
import io
import json

import openpyxl
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import CommandError, call_command
from django.urls import reverse

from partners.models import Partner
from recommendations.choices import Status
from recommendations.models import Recommendation, Source, Theme
from recommendations.services import recommendation_change_status, recommendation_update
from tests.factories import RecommendationFactory
from transfer.exports import editable_records, export_file
from transfer.importing import COLUMNS, Action
from transfer.services import recommendations_import

from .helpers import load_commentary, plan_for

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:recommendations_recommendation_changelist"


def edit_some(actor) -> None:
    """Give a few commentary recommendations the values that are easy to get wrong in a round trip."""
    first, second, third = Recommendation.objects.order_by("reference")[:3]
    recommendation_update(
        recommendation=first,
        actor=actor,
        data={
            "team": "=SUM(A1:A3)",  # a formula to Excel
            "title_en": "-minus, +plus and 'quote first",
            "description_en": first.description + "\nA second line, with “quotes”, commas; and semicolons.",
            "target_date": Recommendation._meta.get_field("target_date").to_python("2027-03-31"),
        },
    )
    recommendation_change_status(recommendation=second, actor=actor, status=Status.IMPLEMENTED, note="Done.")
    recommendation_update(recommendation=third, actor=actor, data={"section": "", "source_excerpt": "  "})


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_commentary_round_trips_unchanged(fmt, policy_user):
    load_commentary()
    edit_some(policy_user)
    content = export_file(queryset=Recommendation.objects.all(), fmt=fmt)
    plan = plan_for(content, f"export.{fmt}")
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 32, "error": 0}
    assert [row.reference for row in plan.rows] == sorted(Recommendation.objects.values_list("reference", flat=True))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_commands_round_trip(fmt, tmp_path):
    load_commentary()
    path = tmp_path / f"all.{fmt}"
    out = io.StringIO()
    call_command("export_recommendations", str(path), stdout=out)
    assert "32 recommendation(s) exported" in out.getvalue()
    out = io.StringIO()
    call_command("import_recommendations", str(path), "--dry-run", stdout=out)
    assert "0 to create, 0 to update, 32 unchanged, 0 with errors." in out.getvalue()


def comparable(rows: list[dict]) -> list[dict]:
    """Export rows with partners and themes as sets (their order follows names, which differ after a re-creation)."""
    return [{**row, "partners": set(row["partners"]), "themes": set(row["themes"])} for row in rows]


def test_an_export_imported_into_an_empty_database_gives_the_same_export(policy_user):
    load_commentary()
    content = export_file(queryset=Recommendation.objects.all(), fmt="csv")
    original = comparable(editable_records(Recommendation.objects.all()))
    Recommendation.objects.all().delete()
    Partner.objects.all().delete()
    Theme.objects.all().delete()
    Source.objects.all().delete()

    plan = plan_for(content, create_missing=True)
    assert plan.counts["create"] == 32 and not plan.has_errors
    recommendations_import(plan=plan, actor=policy_user)

    assert comparable(editable_records(Recommendation.objects.all())) == original
    assert plan_for(export_file(queryset=Recommendation.objects.all(), fmt="csv")).count(Action.UNCHANGED) == 32


def test_cells_excel_would_run_as_formulas_are_kept_as_text():
    rec = RecommendationFactory(reference="F-1", title='=HYPERLINK("http://x")', team="@team", section="+81")
    rows = list(
        csv.reader(io.StringIO(export_file(queryset=Recommendation.objects.all(), fmt="csv").decode("utf-8-sig")))
    )
    assert rows[0] == list(COLUMNS)
    title, section, team = (COLUMNS.index(name) for name in ("title_en", "section", "team"))
    assert rows[1][title] == '\'=HYPERLINK("http://x")' and rows[1][section] == "'+81" and rows[1][team] == "'@team"

    sheet = openpyxl.load_workbook(io.BytesIO(export_file(queryset=Recommendation.objects.all(), fmt="xlsx"))).active
    cell = sheet.cell(row=2, column=title + 1)
    assert cell.value == rec.title and cell.data_type == "s"
    for fmt in ("csv", "xlsx", "json"):
        content = export_file(queryset=Recommendation.objects.all(), fmt=fmt)
        assert plan_for(content, f"x.{fmt}").rows[0].action == Action.UNCHANGED


def test_export_formats_and_notation(policy_user):
    load_commentary()
    data = json.loads(export_file(queryset=Recommendation.objects.filter(reference="TOK23-01"), fmt="json"))
    item = data["recommendations"][0]
    assert list(item) == list(COLUMNS)
    assert item["partners"] == ["japan:addressee", "jsdf"] and item["themes"] == ["defence-posture"]
    text = export_file(queryset=Recommendation.objects.filter(reference="TOK23-01"), fmt="csv").decode("utf-8-sig")
    assert ",japan:addressee; jsdf,defence-posture,high," in text


def test_the_export_command_filters_and_checks_its_arguments(tmp_path, policy_user):
    load_commentary()
    other = Source.objects.create(slug="other", title="Other")
    RecommendationFactory(reference="OTH-1", source=other)
    path = tmp_path / "other.csv"
    call_command("export_recommendations", str(path), "--source", "other", stdout=io.StringIO())
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [row["reference"] for row in rows] == ["OTH-1"]
    call_command(
        "export_recommendations", str(path), "--partner", "india", "--status", "proposed", stdout=io.StringIO()
    )
    assert 0 < len(list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))) < 32
    with pytest.raises(CommandError, match="must end in one of"):
        call_command("export_recommendations", str(tmp_path / "x.txt"))
    with pytest.raises(CommandError, match="--source"):
        call_command("export_recommendations", str(path), "--source", "nowhere")


# --- Admin ---------------------------------------------------------------------------------------------------------


def test_export_selected_as_csv_and_xlsx(policy_client):
    a, b, _c = RecommendationFactory(), RecommendationFactory(), RecommendationFactory()
    url = reverse(CHANGELIST)
    response = policy_client.post(url, {"action": "export_selected_csv", ACTION_CHECKBOX_NAME: [a.pk, b.pk]})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="recommendations-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["reference"] for row in rows] == sorted([a.reference, b.reference])

    response = policy_client.post(url, {"action": "export_selected_xlsx", ACTION_CHECKBOX_NAME: [a.pk]})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == list(COLUMNS) and sheet["A2"].value == a.reference


def test_export_of_the_filtered_changelist(manager_client):
    RecommendationFactory(reference="A-1", status=Status.IN_PROGRESS)
    RecommendationFactory(reference="A-2")
    page = manager_client.get(reverse(CHANGELIST), {"status__exact": "in_progress"}).content.decode()
    export_url = reverse("admin:recommendations_recommendation_export", args=["csv"])
    assert f'href="{export_url}?status__exact=in_progress"' in page
    response = manager_client.get(export_url, {"status__exact": "in_progress"})
    assert response.status_code == 200
    assert [row["reference"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))] == ["A-1"]
    response = manager_client.get(reverse("admin:recommendations_recommendation_export", args=["xlsx"]))
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row == 3
    assert manager_client.get(reverse("admin:recommendations_recommendation_export", args=["pdf"])).status_code == 404
    response = manager_client.get(export_url, {"no_such_field": "1"})
    assert response.status_code == 302


def test_export_needs_a_login(client):
    response = client.get(reverse("admin:recommendations_recommendation_export", args=["csv"]))
    assert response.status_code == 302 and "/login/" in response["Location"]
