"""Milestones: planned steps written through their services from the admin and the API, progress as done of total
on the page, in the feed and the backup."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.models import ChangeEvent
from recommendations.models import Milestone
from recommendations.services import milestone_create, milestone_progress, milestone_update

pytestmark = pytest.mark.django_db


def test_milestones_are_written_through_services_with_versions_and_feed(recommendation, implemented, policy_user):
    first = milestone_create(
        actor=policy_user,
        recommendation=recommendation,
        data={"title": "Working group set up", "due_date": datetime.date(2026, 12, 1), "position": 1},
    )
    second = milestone_create(
        actor=policy_user, recommendation=recommendation, data={"title_ja": "共同声明の発出", "position": 2}
    )
    assert (first.title_en, second.title_ja, second.title) == (
        "Working group set up",
        "共同声明の発出",
        "共同声明の発出",
    )
    assert milestone_progress([first, second]) == (0, 2)
    done = milestone_update(milestone=first, actor=policy_user, data={"done_on": datetime.date(2026, 11, 20)})
    assert done.version == 2 and milestone_progress(list(Milestone.objects.all())) == (1, 2)
    assert ChangeEvent.objects.filter(object_type="milestone").count() == 3
    with pytest.raises(ValidationError):
        milestone_update(milestone=first, actor=policy_user, data={"recommendation": implemented})
    with pytest.raises(ValidationError):
        milestone_create(actor=policy_user, recommendation=recommendation, data={"title": ""})


def test_the_page_shows_progress_as_done_of_total_and_states_the_rule(recommendation, policy_user, manager_client):
    milestone_create(
        actor=policy_user,
        recommendation=recommendation,
        data={"title": "Agree the terms", "done_on": datetime.date(2026, 11, 1)},
    )
    milestone_create(actor=policy_user, recommendation=recommendation, data={"title": "Sign the agreement"})
    page = manager_client.get(f"/recommendations/{recommendation.uuid}/").content.decode()
    assert "1 of 2 done" in page and "a milestone is done when it has a done date" in page
    manager_client.cookies["tracker_language"] = "ja"
    page = manager_client.get(f"/recommendations/{recommendation.uuid}/").content.decode()
    assert "2件中1件完了" in page


def test_the_api_plans_and_completes_milestones_with_if_match(policy_api, manager_user, api_client, recommendation):
    created = policy_api.post(
        "/api/v1/milestones/",
        {"recommendation": str(recommendation.uuid), "title": "Hold the first meeting", "due_date": "2027-01-31"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    url = created.json()["url"]
    done = policy_api.patch(url, {"done_on": "2027-01-20"}, format="json", HTTP_IF_MATCH='"1"')
    assert done.status_code == 200 and done.json()["is_done"] is True
    stale = policy_api.patch(url, {"done_on": None}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    listed = policy_api.get("/api/v1/milestones/", {"recommendation": str(recommendation.uuid), "done": "true"})
    assert [item["title"] for item in listed.json()["results"]] == ["Hold the first meeting"]
    api_client.force_login(manager_user)
    refused = api_client.post(
        "/api/v1/milestones/", {"recommendation": str(recommendation.uuid), "title": "x"}, format="json"
    )
    assert refused.status_code == 403
