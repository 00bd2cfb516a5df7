"""The admin and the pages meet (issue 16): links both ways, the same id, one default order, one set of colours."""

import re

import pytest
from django.urls import reverse

from core.styles import css_properties
from recommendations.admin.recommendations import RecommendationAdmin
from recommendations.choices import STATUS_COLOURS, Status
from recommendations.listing import DEFAULT_ORDERING
from recommendations.models import RECOMMENDATION_ORDERING, Recommendation
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:recommendations_recommendation_changelist")


def change_url(rec: Recommendation) -> str:
    return reverse("admin:recommendations_recommendation_change", args=[rec.pk])


def test_the_page_links_to_the_admin_for_those_who_may_change_it(recommendation, policy_client, superuser_client):
    page = reverse("recommendations:detail", args=[recommendation.uuid])
    for client in (policy_client, superuser_client):
        html = client.get(page).content.decode()
        assert f'href="{change_url(recommendation)}"' in html
        assert "Edit in admin" in html


def test_no_admin_link_for_those_who_may_not_change_it(recommendation, manager_client):
    page = reverse("recommendations:detail", args=[recommendation.uuid])
    html = manager_client.get(page).content.decode()
    assert change_url(recommendation) not in html
    assert "Edit in admin" not in html


def test_the_admin_links_to_the_page(recommendation, policy_client):
    html = policy_client.get(change_url(recommendation)).content.decode()
    # Django's "View on site" leads through its shortcut to the recommendation's page
    assert "View on site" in html
    assert recommendation.get_absolute_url() == f"/recommendations/{recommendation.uuid}/"


def test_the_admin_shows_and_finds_the_id_the_pages_and_the_api_show(recommendation, policy_client, policy_api):
    other = RecommendationFactory(reference="TST-99")
    assert str(recommendation.uuid) in policy_client.get(CHANGELIST).content.decode()
    found = policy_client.get(CHANGELIST, {"q": str(recommendation.uuid)}).context["cl"].result_list
    assert list(found) == [recommendation]
    found = policy_client.get(CHANGELIST, {"q": f"  {str(other.uuid).upper()} "}).context["cl"].result_list
    assert list(found) == [other]
    # the same id as the API's, and the web list's search finds it too (one filterset)
    api_ids = {row["id"] for row in policy_api.get("/api/v1/recommendations/").json()["results"]}
    assert str(recommendation.uuid) in api_ids
    listed = policy_client.get(reverse("recommendations:list"), {"q": str(other.uuid)}).context["page"].object_list
    assert list(listed) == [other]


def test_one_default_order(recommendation, policy_client):
    RecommendationFactory(reference="AAA-01")
    assert list(Recommendation._meta.ordering) == list(RECOMMENDATION_ORDERING)
    assert RecommendationAdmin.ordering == list(RECOMMENDATION_ORDERING)
    assert ",".join(RECOMMENDATION_ORDERING) == DEFAULT_ORDERING
    admin_rows = [r.reference for r in policy_client.get(CHANGELIST).context["cl"].result_list]
    page_rows = [r.reference for r in policy_client.get(reverse("recommendations:list")).context["page"].object_list]
    assert admin_rows == page_rows == sorted(page_rows)


def test_one_set_of_status_colours(recommendation, policy_client):
    assert set(STATUS_COLOURS) == set(Status.values)
    assert css_properties() == {f"--s-{status}": colour for status, colour in STATUS_COLOURS.items()}
    page = policy_client.get(reverse("recommendations:list")).content.decode()
    declared = dict(re.findall(r"(--s-[a-z_]+):(#[0-9a-f]+);", page))
    assert declared == {f"--s-{status}": colour for status, colour in STATUS_COLOURS.items()}
    admin = policy_client.get(CHANGELIST).content.decode()
    assert f'style="background:{STATUS_COLOURS[recommendation.status]}"' in admin
    assert f"--s-{recommendation.status}:{STATUS_COLOURS[recommendation.status]};" in admin
