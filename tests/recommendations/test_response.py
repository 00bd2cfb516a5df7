"""The addressee's response: its own timeline, the rule that couples it to the status, every entry point, the feed,
and the migration of existing data."""

import datetime
import importlib
import uuid

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from core.changes import AlreadyExists, VersionConflict
from core.models import ChangeEvent
from recommendations.choices import Response, Status
from recommendations.models import Recommendation, ResponseUpdate, StatusUpdate
from recommendations.services import (
    recommendation_change_status,
    recommendation_record_response,
    recommendation_update,
)

pytestmark = pytest.mark.django_db


def fresh(recommendation: Recommendation) -> Recommendation:
    recommendation.refresh_from_db()
    return recommendation


def test_a_response_is_recorded_with_its_entry_and_leaves_the_status(recommendation, policy_user):
    entry = recommendation_record_response(
        recommendation=recommendation,
        actor=policy_user,
        response=Response.ACCEPTED_IN_PRINCIPLE,
        responded_on=datetime.date(2026, 11, 1),
        note="Welcomed in the Diet.",
        evidence_url="https://www.mofa.go.jp/",
    )
    rec = fresh(recommendation)
    assert (rec.response, rec.response_date, rec.status) == (
        Response.ACCEPTED_IN_PRINCIPLE,
        datetime.date(2026, 11, 1),
        Status.PROPOSED,
    )
    assert (entry.from_response, entry.to_response, entry.author, entry.note) == (
        Response.NO_RESPONSE,
        Response.ACCEPTED_IN_PRINCIPLE,
        policy_user,
        "Welcomed in the Diet.",
    )
    assert rec.version == 2 and rec.status_updates.count() == 1  # the status timeline is untouched
    types = list(ChangeEvent.objects.order_by("-seq").values_list("object_type", flat=True)[:3])
    assert types == ["evidence", "response_update", "recommendation"]  # its evidence URL is an evidence record


def test_the_date_defaults_to_today_and_the_same_response_twice_is_refused(recommendation, policy_user):
    entry = recommendation_record_response(recommendation=recommendation, actor=policy_user, response=Response.NOTED)
    assert entry.responded_on is not None
    with pytest.raises(ValidationError, match="already"):
        recommendation_record_response(recommendation=recommendation, actor=policy_user, response=Response.NOTED)
    with pytest.raises(ValidationError):
        recommendation_record_response(recommendation=recommendation, actor=policy_user, response="maybe")
    assert ResponseUpdate.objects.count() == 1


def test_rejected_is_not_adopted_and_either_records_the_other(recommendation, implemented, policy_user):
    recommendation_record_response(
        recommendation=recommendation, actor=policy_user, response=Response.REJECTED, note="Declined."
    )
    rec = fresh(recommendation)
    assert (rec.response, rec.status) == (Response.REJECTED, Status.NOT_ADOPTED)
    assert rec.status_updates.latest().note == "Declined."

    recommendation_change_status(
        recommendation=implemented, actor=policy_user, status=Status.NOT_ADOPTED, note="Dropped after review."
    )
    other = fresh(implemented)
    assert (other.response, other.status) == (Response.REJECTED, Status.NOT_ADOPTED)
    assert other.response_updates.get().note == "Dropped after review."


def test_a_rejected_recommendation_is_reopened_only_by_a_new_response_with_a_note(recommendation, policy_user):
    recommendation_record_response(recommendation=recommendation, actor=policy_user, response=Response.REJECTED)
    with pytest.raises(ValidationError, match="new response"):
        recommendation_change_status(
            recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS, note="Work began."
        )
    with pytest.raises(ValidationError) as raised:
        recommendation_record_response(recommendation=recommendation, actor=policy_user, response=Response.ACCEPTED)
    assert "note" in raised.value.message_dict  # reopening needs a reason
    assert (fresh(recommendation).response, recommendation.status) == (Response.REJECTED, Status.NOT_ADOPTED)

    recommendation_record_response(
        recommendation=recommendation, actor=policy_user, response=Response.ACCEPTED, note="New cabinet accepted it."
    )
    rec = fresh(recommendation)
    assert (rec.response, rec.status) == (Response.ACCEPTED, Status.UNDER_REVIEW)
    assert rec.status_updates.latest().note == "New cabinet accepted it."


def test_a_rejection_with_another_status_in_the_same_write_is_refused(recommendation, policy_user):
    with pytest.raises(ValidationError):
        recommendation_update(
            recommendation=recommendation,
            actor=policy_user,
            data={"response": Response.REJECTED, "status": Status.IN_PROGRESS},
        )
    with pytest.raises(ValidationError):
        recommendation_update(
            recommendation=recommendation,
            actor=policy_user,
            data={"response": Response.ACCEPTED, "status": Status.NOT_ADOPTED},
        )
    assert fresh(recommendation).version == 1 and not ResponseUpdate.objects.exists()


def test_versions_and_retries(recommendation, policy_user):
    with pytest.raises(VersionConflict):
        recommendation_record_response(
            recommendation=recommendation, actor=policy_user, response=Response.NOTED, expected_version=7
        )
    chosen = uuid.uuid4()
    recommendation_record_response(
        recommendation=recommendation, actor=policy_user, response=Response.NOTED, entry_uuid=chosen
    )
    with pytest.raises(AlreadyExists):
        recommendation_record_response(
            recommendation=recommendation, actor=policy_user, response=Response.ACCEPTED, entry_uuid=chosen
        )


# --- Entry points ---------------------------------------------------------------------------------------------------


def test_the_api_records_a_response_and_the_feed_shows_it(policy_api, recommendation):
    response = policy_api.post(
        "/api/v1/response-updates/",
        {
            "recommendation": str(recommendation.uuid),
            "to_response": "rejected",
            "responded_on": "2026-11-02",
            "note": "Not in this budget.",
            "expected_version": 1,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["to_response"], body["from_response"], body["responded_on"]) == (
        "rejected",
        "no_response",
        "2026-11-02",
    )
    detail = policy_api.get(f"/api/v1/recommendations/{recommendation.uuid}/").json()
    assert (detail["response"], detail["response_date"], detail["status"]) == ("rejected", "2026-11-02", "not_adopted")
    listed = policy_api.get("/api/v1/recommendations/", {"response": "rejected"}).json()["results"]
    assert [item["id"] for item in listed] == [str(recommendation.uuid)]
    assert policy_api.get("/api/v1/recommendations/", {"response": "accepted"}).json()["results"] == []
    feed = policy_api.get("/api/v1/changes/", {"object_type": "response_update"}).json()["results"]
    assert feed[-1]["data"]["to_response"] == "rejected"


def test_managers_read_responses_but_cannot_record_them(manager_client, recommendation, api_client, manager_user):
    api_client.force_login(manager_user)
    refused = api_client.post(
        "/api/v1/response-updates/",
        {"recommendation": str(recommendation.uuid), "to_response": "accepted"},
        format="json",
    )
    assert refused.status_code == 403
    page = manager_client.get(f"/recommendations/{recommendation.uuid}/").content.decode()
    assert (
        "No response yet" in page
        and 'action="/recommendations/' not in page.split('id="response"')[1].split("</section>")[0]
    )


def test_the_page_records_a_response_and_shows_errors_in_the_form(policy_client, recommendation):
    url = f"/recommendations/{recommendation.uuid}/response/"
    page = policy_client.post(url, {"response-response": "rejected", "response-version": 1}, follow=True)
    assert page.status_code == 200
    assert "Response recorded: “Rejected”." in page.content.decode()
    assert fresh(recommendation).status == Status.NOT_ADOPTED
    reopen = policy_client.post(url, {"response-response": "accepted", "response-version": 2})
    assert reopen.status_code == 400
    assert "give a note saying why" in reopen.content.decode()
    stale = policy_client.post(url, {"response-response": "noted", "response-version": 1})
    assert stale.status_code == 409 and fresh(recommendation).response == Response.REJECTED


def test_the_japanese_page_names_the_response_in_japanese(manager_client, recommendation):
    manager_client.cookies["tracker_language"] = "ja"
    page = manager_client.get(f"/recommendations/{recommendation.uuid}/").content.decode()
    assert "未回答" in page


# --- Migration ------------------------------------------------------------------------------------------------------


def test_existing_not_adopted_recommendations_become_rejected_without_losing_history(recommendation, policy_user):
    StatusUpdate.objects.create(
        recommendation=recommendation,
        from_status=Status.PROPOSED,
        to_status=Status.NOT_ADOPTED,
        note="Old decision.",
        author=policy_user,
    )
    Recommendation.objects.filter(pk=recommendation.pk).update(status=Status.NOT_ADOPTED)
    migration = importlib.import_module(
        "recommendations.migrations.0009_rejected_recommendations_and_response_permissions"
    )
    migration.rejected_responses(django_apps, None)
    rec = fresh(recommendation)
    assert rec.response == Response.REJECTED and rec.response_date is not None
    entry = rec.response_updates.get()
    assert (entry.note, entry.author, entry.from_response) == ("Old decision.", policy_user, Response.NO_RESPONSE)
    assert rec.status_updates.count() == 2  # the status history is kept as it was


def test_the_report_counts_responses_in_the_page_and_the_api(recommendation, implemented, policy_user, manager_client):
    recommendation_record_response(recommendation=recommendation, actor=policy_user, response=Response.ACCEPTED)
    page = manager_client.get("/reports/progress/")
    assert ("accepted", "Accepted", 1) in [row[:3] for row in page.context["responses"]]
    assert ("no_response", "No response yet", 1) in [row[:3] for row in page.context["responses"]]
    assert "?response=accepted" in page.content.decode()
    api = manager_client.get("/api/v1/reports/progress/").json()
    assert {row["response"]: row["count"] for row in api["by_response"]} == {
        "no_response": 1,
        "accepted": 1,
        "accepted_in_part": 0,
        "accepted_in_principle": 0,
        "noted": 0,
        "rejected": 0,
    }
