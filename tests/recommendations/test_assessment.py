"""Independent assessment: assessors rate progress, change nothing else, and a rating that does not fit the reported
status is flagged on the page, in the list and its filter, the report and the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from core.models import ChangeEvent
from recommendations.choices import AGREEING_RATINGS, Rating, Status, assessment_disagrees
from recommendations.models import Assessment
from recommendations.services import recommendation_assess, recommendation_change_status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessor(db):
    return UserFactory(username="assessor", assessor=True)


@pytest.fixture
def assessor_client(assessor):
    client = Client()
    client.force_login(assessor)
    return client


def test_every_status_has_agreeing_ratings_and_the_rule_reads_as_documented():
    assert set(AGREEING_RATINGS) == set(Status.values)
    assert assessment_disagrees(Status.IMPLEMENTED, Rating.LIMITED)
    assert not assessment_disagrees(Status.IMPLEMENTED, Rating.COMPLETE)
    assert not assessment_disagrees(Status.IMPLEMENTED, "")  # not assessed never disagrees


def test_an_assessment_changes_only_the_latest_assessment(recommendation, implemented, assessor):
    status, response = implemented.status, implemented.response
    entry = recommendation_assess(
        recommendation=implemented,
        actor=assessor,
        rating=Rating.LIMITED,
        rationale="Only a working group exists.",
        assessed_on=datetime.date(2026, 11, 20),
    )
    implemented.refresh_from_db()
    assert (implemented.assessment, implemented.assessed_on) == (Rating.LIMITED, datetime.date(2026, 11, 20))
    assert (implemented.status, implemented.response) == (status, response)
    assert entry.reported_status == Status.IMPLEMENTED and entry.assessor == assessor
    types = list(ChangeEvent.objects.order_by("-seq").values_list("object_type", flat=True)[:2])
    assert types == ["assessment", "recommendation"]
    with pytest.raises(ValidationError):
        recommendation_assess(recommendation=implemented, actor=assessor, rating=Rating.COMPLETE, rationale=" ")
    with pytest.raises(ValidationError):
        recommendation_assess(recommendation=implemented, actor=assessor, rating="great", rationale="x")


def test_only_assessors_assess_and_they_change_nothing_else(
    recommendation, assessor_client, policy_client, manager_client
):
    url = f"/recommendations/{recommendation.uuid}/assessment/"
    data = {"assessment-rating": "limited", "assessment-rationale": "Talks only.", "assessment-version": 1}
    assert policy_client.post(url, data).status_code == 403  # those who report do not judge themselves
    assert manager_client.post(url, data).status_code == 403
    assert assessor_client.post(url, data).status_code == 302
    status = assessor_client.post(
        f"/recommendations/{recommendation.uuid}/status/", {"status": "in_progress", "note": "", "version": 2}
    )
    assert status.status_code == 403
    response = assessor_client.post(
        f"/recommendations/{recommendation.uuid}/response/", {"response-response": "accepted", "response-version": 2}
    )
    assert response.status_code == 403
    assert Assessment.objects.count() == 1


def test_the_disagreement_shows_on_the_page_the_list_the_report_and_the_api(
    recommendation, implemented, assessor, manager_client, policy_user
):
    recommendation_assess(recommendation=implemented, actor=assessor, rating=Rating.LIMITED, rationale="Hardly.")
    recommendation_assess(recommendation=recommendation, actor=assessor, rating=Rating.NOT_STARTED, rationale="No.")
    page = manager_client.get(f"/recommendations/{implemented.uuid}/").content.decode()
    assert "Disagrees with the reported status “Implemented”." in page
    listed = manager_client.get("/recommendations/", {"disagreement": "true"}).content.decode()
    assert implemented.reference in listed and recommendation.reference not in listed
    assert "Assessment disagrees" in listed
    report = manager_client.get("/reports/progress/")
    assert (report.context["summary"].assessed, report.context["summary"].disagreeing) == (2, 1)
    api = manager_client.get("/api/v1/recommendations/", {"disagreement": "true"}).json()["results"]
    assert [item["reference"] for item in api] == [implemented.reference]
    assert api[0]["assessment"] == "limited" and api[0]["assessment_disagrees"] is True
    assert manager_client.get("/api/v1/reports/progress/").json()["assessment_disagrees"] == 1
    recommendation_change_status(recommendation=implemented, actor=policy_user, status="in_progress", note="Reopened.")
    assert manager_client.get("/api/v1/recommendations/", {"disagreement": "true"}).json()["results"] == []


def test_the_api_takes_assessments_from_assessors_only(recommendation, assessor, policy_api, api_client):
    body = {"recommendation": str(recommendation.uuid), "rating": "substantial", "rationale": "Most steps taken."}
    assert policy_api.post("/api/v1/assessments/", body, format="json").status_code == 403
    api_client.force_login(assessor)
    created = api_client.post("/api/v1/assessments/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["reported_status"] == "proposed" and created.json()["assessor"] == "assessor"
    feed = api_client.get("/api/v1/changes/", {"object_type": "assessment"}).json()["results"]
    assert feed[-1]["data"]["rating"] == "substantial"


def test_the_japanese_page_names_the_rating_in_japanese(recommendation, assessor, manager_client):
    recommendation_assess(recommendation=recommendation, actor=assessor, rating=Rating.SUBSTANTIAL, rationale="x")
    manager_client.cookies["tracker_language"] = "ja"
    page = manager_client.get(f"/recommendations/{recommendation.uuid}/").content.decode()
    assert "独立評価" in page and "相当の進展" in page
