"""Import and export carry both languages: they round-trip unchanged, a file with one language's columns leaves the
other as it is, and headings may be the columns' labels in Japanese or English."""

import csv
import io

import pytest
from django.utils import translation

from recommendations.models import Recommendation
from transfer.exports import export_file
from transfer.importing import COLUMNS, Action, FieldChange
from transfer.services import recommendations_import

from .helpers import db_state, file_bytes, load_commentary, plan_for

pytestmark = pytest.mark.django_db


def test_the_editable_export_has_both_languages_and_imports_back_unchanged():
    load_commentary()
    assert {"title_ja", "title_en", "description_ja", "description_en"} <= set(COLUMNS)
    for fmt in ("csv", "xlsx", "json"):
        content = export_file(queryset=Recommendation.objects.order_by("reference"), fmt=fmt)
        plan = plan_for(content, f"export.{fmt}")
        assert {row.action for row in plan.rows} == {Action.UNCHANGED}, fmt
    rows = list(
        csv.DictReader(io.StringIO(export_file(queryset=Recommendation.objects.all(), fmt="csv").decode("utf-8-sig")))
    )
    guidelines = next(row for row in rows if row["reference"] == "TOK23-07")
    assert "日米防衛協力のための指針" in guidelines["title_ja"] and "Defense Guidelines" in guidelines["title_en"]


def test_a_file_with_only_japanese_columns_leaves_the_english_as_it_is(recommendation, policy_user):
    rows = [{"reference": "TST-01", "title_ja": "海洋協力を強化する", "description_ja": "日豪の海洋協力。"}]
    content = file_bytes(rows, headings=["reference", "title_ja", "description_ja"])
    plan = plan_for(content)
    assert plan.rows[0].changes == [
        FieldChange("title_ja", "", "海洋協力を強化する"),
        FieldChange("description_ja", "", "日豪の海洋協力。"),
    ]
    recommendations_import(plan=plan, actor=policy_user)
    recommendation.refresh_from_db()
    assert (recommendation.title_ja, recommendation.title_en) == (
        "海洋協力を強化する",
        "Strengthen maritime cooperation",
    )
    assert recommendation.description_en.startswith("Japan and Australia")


def test_a_new_recommendation_may_be_japanese_only(recommendation, policy_user):
    row = {"reference": "JA-1", "title_ja": "日本語だけの提言", "description_ja": "説明。", "source": "a-commentary"}
    plan = plan_for(file_bytes([row], headings=["reference", "title_ja", "description_ja", "source"]))
    assert plan.rows[0].action == Action.CREATE, plan.rows[0].errors
    recommendations_import(plan=plan, actor=policy_user)
    created = Recommendation.objects.get(reference="JA-1")
    assert (created.title_ja, created.title_en, created.title) == ("日本語だけの提言", "", "日本語だけの提言")


def test_a_title_in_neither_language_is_a_row_error(recommendation):
    row = {"reference": "TST-01", "title_ja": "", "title_en": ""}
    plan = plan_for(file_bytes([row], headings=["reference", "title_ja", "title_en"]))
    assert plan.rows[0].errors == [
        "title_ja: a recommendation needs one in at least one language; these cells are empty."
    ]
    before = db_state()
    assert plan.rows[0].action == Action.ERROR and db_state() == before


@pytest.mark.parametrize("language", ["ja", "en"])
def test_headings_may_be_the_column_labels_in_either_language(recommendation, language):
    with translation.override(language):
        labels = {
            "reference": str(translation.gettext("Reference")),
            "title_ja": str(translation.gettext("Title (Japanese)")),
            "status": str(translation.gettext("Status")),
        }
    row = {labels["reference"]: "TST-01", labels["title_ja"]: "海洋協力", labels["status"]: "in_progress"}
    plan = plan_for(file_bytes([row], headings=list(labels.values())))
    assert [change.field for change in plan.rows[0].changes] == ["title_ja", "status"]


def test_legacy_files_say_title_and_description_for_english(recommendation):
    plan = plan_for(b"reference,title\nTST-01,Sharper title\n")
    assert plan.rows[0].changes == [FieldChange("title_en", "Strengthen maritime cooperation", "Sharper title")]


def test_the_readable_export_reads_in_the_interface_language(recommendation, policy_user, manager_client):
    from recommendations.services import recommendation_update

    recommendation_update(recommendation=recommendation, actor=policy_user, data={"title_ja": "海洋協力を強化する"})
    manager_client.cookies["tracker_language"] = "ja"
    content = b"".join(manager_client.get("/recommendations/export.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    heading = rows.index(next(row for row in rows if "件名" in row))
    title = rows[heading].index("件名")
    assert rows[heading + 1][title] == "海洋協力を強化する"
