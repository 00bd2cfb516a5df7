"""The import and export carry the response: a row records it under the response rules, and an export of responses
imports back unchanged."""

import datetime

import pytest

from recommendations.choices import Response, Status
from recommendations.models import Recommendation
from transfer.exports import export_file
from transfer.importing import Action, FieldChange
from transfer.services import recommendations_import

from .helpers import file_bytes, plan_for

pytestmark = pytest.mark.django_db


def test_a_row_records_a_response_with_its_date_and_the_rules_apply(recommendation, policy_user):
    rows = [{"reference": "TST-01", "response": "Rejected", "response_date": "2026-10-01", "status_note": "Declined."}]
    plan = plan_for(file_bytes(rows, headings=["reference", "response", "response_date", "status_note"]))
    assert plan.rows[0].changes == [
        FieldChange("response", "no_response", "rejected"),
        FieldChange("response_date", "", "2026-10-01"),
    ]
    recommendations_import(plan=plan, actor=policy_user)
    recommendation.refresh_from_db()
    assert (recommendation.response, recommendation.response_date, recommendation.status) == (
        Response.REJECTED,
        datetime.date(2026, 10, 1),
        Status.NOT_ADOPTED,
    )
    assert recommendation.response_updates.get().note == "Declined."


def test_rows_that_break_the_response_rules_are_errors(recommendation, policy_user):
    update = plan_for(b"reference,status,response\nTST-01,in_progress,rejected\n").rows[0]
    assert update.action == Action.ERROR and update.errors[0].startswith("status:")
    create = plan_for(
        b"reference,title_en,description_en,source,status,response\nNEW-1,t,d,a-commentary,implemented,rejected\n"
    ).rows[0]
    assert create.action == Action.ERROR and create.errors[0].startswith("response:")
    unknown = plan_for(b"reference,response\nTST-01,maybe\n")
    assert unknown.rows[0].errors[0].startswith("response: “maybe” is not a response")


def test_an_export_with_responses_imports_back_unchanged(recommendation, implemented, policy_user):
    from recommendations.services import recommendation_record_response

    recommendation_record_response(recommendation=recommendation, actor=policy_user, response=Response.NOTED)
    for fmt in ("csv", "xlsx", "json"):
        plan = plan_for(export_file(queryset=Recommendation.objects.order_by("reference"), fmt=fmt), f"x.{fmt}")
        assert {row.action for row in plan.rows} == {Action.UNCHANGED}, fmt
