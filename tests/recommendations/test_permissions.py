"""Recording a status change needs the same permissions on every path: the web form, the admin's change form and bulk
action, ``POST /status-updates/`` and ``PATCH /recommendations/``, all through ``can_record_status``."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from recommendations.choices import Status
from recommendations.models import Recommendation, StatusUpdate
from recommendations.permissions import RECORD_STATUS_PERMISSIONS, can_record_status
from tests.factories import UserFactory

from .admin_helpers import change_url, form_data

pytestmark = pytest.mark.django_db

READ = ["recommendations.view_recommendation", "recommendations.view_statusupdate", "partners.view_partner"]


def user_with(*perms: str):
    """A staff user holding exactly ``perms`` (besides reading)."""
    user = UserFactory()
    for name in [*READ, *perms]:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)  # a fresh object: the permission cache is per instance


#: Users that hold one half of what recording a status change needs, and a user that holds both.
HALVES = {
    "change only": ["recommendations.change_recommendation"],
    "add entry only": ["recommendations.add_statusupdate"],
}


def unchanged(recommendation) -> bool:
    recommendation.refresh_from_db()
    return recommendation.status == Status.PROPOSED and recommendation.status_updates.count() == 1


def test_the_rule_needs_both_permissions(policy_user):
    assert can_record_status(policy_user)
    assert set(RECORD_STATUS_PERMISSIONS) == {
        "recommendations.add_statusupdate",
        "recommendations.change_recommendation",
    }
    for perms in HALVES.values():
        assert not can_record_status(user_with(*perms))
    assert can_record_status(user_with(*RECORD_STATUS_PERMISSIONS))


@pytest.mark.parametrize("half", HALVES)
def test_web_form_refuses_half_the_permissions(recommendation, half):
    client = Client()
    client.force_login(user_with(*HALVES[half]))
    url = reverse("recommendations:status", args=[recommendation.uuid])
    response = client.post(url, {"status": Status.IN_PROGRESS, "note": "", "version": recommendation.version})
    assert response.status_code == 403
    assert unchanged(recommendation)


@pytest.mark.parametrize("half", HALVES)
def test_api_status_update_refuses_half_the_permissions(recommendation, half):
    client = APIClient()
    client.force_login(user_with(*HALVES[half]))
    response = client.post(
        "/api/v1/status-updates/",
        {"recommendation": str(recommendation.uuid), "to_status": Status.IN_PROGRESS},
        format="json",
    )
    assert response.status_code == 403
    assert unchanged(recommendation)


def test_api_patch_of_the_status_needs_the_rule_but_other_fields_do_not(recommendation):
    client = APIClient()
    client.force_login(user_with("recommendations.change_recommendation"))
    url = f"/api/v1/recommendations/{recommendation.uuid}/"
    refused = client.patch(url, {"status": Status.IN_PROGRESS}, format="json", HTTP_IF_MATCH="*")
    assert refused.status_code == 403
    assert unchanged(recommendation)
    allowed = client.patch(url, {"team": "Maritime desk"}, format="json", HTTP_IF_MATCH="*")
    assert allowed.status_code == 200, allowed.json()
    assert Recommendation.objects.get(pk=recommendation.pk).team == "Maritime desk"
    assert unchanged(recommendation)


def test_admin_change_form_keeps_the_status_for_half_the_permissions(recommendation):
    user = user_with("recommendations.change_recommendation", "recommendations.change_recommendationpartner")
    client = Client()
    client.force_login(user)
    page = client.get(change_url(recommendation))
    assert page.status_code == 200
    assert re.search(r'<select name="status"[^>]*\bdisabled\b', page.content.decode())
    data = form_data(recommendation, status=Status.IMPLEMENTED, status_note="Done", title_en="Renamed")
    response = client.post(change_url(recommendation), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    recommendation.refresh_from_db()
    assert recommendation.title == "Renamed"  # the rest of the edit is saved
    assert unchanged(recommendation)


def test_admin_change_form_records_the_status_for_the_policy_team(recommendation, policy_client):
    response = policy_client.post(change_url(recommendation), form_data(recommendation, status=Status.IN_PROGRESS))
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == Status.IN_PROGRESS
    assert StatusUpdate.objects.filter(recommendation=recommendation, to_status=Status.IN_PROGRESS).exists()


def test_admin_bulk_action_is_not_offered_to_half_the_permissions(recommendation):
    client = Client()
    client.force_login(user_with("recommendations.change_recommendation"))
    url = reverse("admin:recommendations_recommendation_changelist")
    assert "record_status_change" not in client.get(url).content.decode()
    response = client.post(
        url,
        {"action": "record_status_change", ACTION_CHECKBOX_NAME: [recommendation.pk], "apply": "1"}
        | {"status": Status.IN_PROGRESS, "note": "Bulk"},
    )
    assert response.status_code in (200, 302)
    assert unchanged(recommendation)
