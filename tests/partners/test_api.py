"""The partners API (and, alike, themes and sources): writes through the services, by slug, with versions."""

import pytest

from core.choices import ChangeAction
from core.models import ChangeEvent
from partners.models import Partner
from recommendations.models import Source, Theme
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/partners/"


@pytest.fixture
def policy_api(policy_user, api_client):
    api_client.force_authenticate(policy_user)
    return api_client


def test_create_partner_with_members_by_slug(policy_api):
    PartnerFactory(slug="japan", name="Japan")
    PartnerFactory(slug="india", name="India")
    body = {"slug": "quad", "name": "Quad", "kind": "framework", "members": ["japan", "india"]}
    response = policy_api.post(LIST, body, format="json")
    assert response.status_code == 201, response.json()
    assert {m["slug"] for m in response.json()["members"]} == {"japan", "india"}
    quad = Partner.objects.get(slug="quad")
    assert response["Location"].endswith(f"{LIST}{quad.uuid}/") and response["ETag"] == '"1"'
    assert ChangeEvent.objects.filter(object_type="partner", action=ChangeAction.CREATED).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "bad slug!", "name": "X", "kind": "country"}, "slug"),
        ({"slug": "x", "name": "X", "kind": "planet"}, "kind"),
        ({"slug": "x", "name": "X", "kind": "country", "members": ["nobody"]}, "members"),
        ({"slug": "x", "name": "X" * 201, "kind": "country"}, "name"),
        ({"slug": "x", "name": "X", "kind": "country", "description": "d" * 10_001}, "description"),
        ({"slug": "australia", "name": "X", "kind": "country"}, "slug"),  # taken
        ({"name": "X", "kind": "country"}, "slug"),
    ],
)
def test_create_partner_bad_input(policy_api, partner, body, field):
    response = policy_api.post(LIST, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]


def test_patch_partner_needs_current_version(policy_api, partner):
    url = f"{LIST}{partner.uuid}/"
    assert policy_api.patch(url, {"short_name": "AUS"}, format="json").status_code == 428
    response = policy_api.patch(url, {"short_name": "AUS"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response["ETag"] == '"2"'
    stale = policy_api.patch(url, {"short_name": "OZ"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    partner.refresh_from_db()
    assert partner.short_name == "AUS"


def test_partner_cannot_be_its_own_member(policy_api, partner):
    url = f"{LIST}{partner.uuid}/"
    response = policy_api.patch(url, {"members": [partner.slug]}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400 and "members" in response.json()["errors"]


def test_partner_detail_etag_and_304(policy_api, partner):
    response = policy_api.get(f"{LIST}{partner.uuid}/")
    assert response["ETag"] == '"1"'
    assert policy_api.get(f"{LIST}{partner.uuid}/", HTTP_IF_NONE_MATCH='"1"').status_code == 304


def test_theme_and_source_round_trip(policy_api):
    theme = policy_api.post("/api/v1/themes/", {"slug": "space", "name": "Space"}, format="json")
    assert theme.status_code == 201
    source = policy_api.post(
        "/api/v1/sources/",
        {"slug": "nss-2022", "title": "National Security Strategy", "kind": "strategy", "document_url": "bad"},
        format="json",
    )
    assert source.status_code == 400 and "document_url" in source.json()["errors"]
    source = policy_api.post(
        "/api/v1/sources/",
        {"slug": "nss-2022", "title": "National Security Strategy", "kind": "strategy", "published_on": "2022-12-16"},
        format="json",
    )
    assert source.status_code == 201, source.json()
    assert Theme.objects.filter(slug="space").exists() and Source.objects.get(slug="nss-2022").kind == "strategy"
    url = source.json()["url"]
    response = policy_api.patch(url, {"document_url": "https://example.org/nss"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["document_url"] == "https://example.org/nss"


def test_admin_deletes_unused_partner_and_the_feed_says_so(superuser, api_client):
    spare = PartnerFactory(slug="spare")
    api_client.force_authenticate(superuser)
    assert api_client.delete(f"{LIST}{spare.uuid}/", HTTP_IF_MATCH='"1"').status_code == 204
    event = ChangeEvent.objects.get(object_type="partner", action=ChangeAction.DELETED)
    assert event.object_id == spare.uuid and event.data["slug"] == "spare"


def test_partner_list_queries_do_not_grow(policy_api, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        policy_api.get(LIST)
    members = [PartnerFactory() for _ in range(3)]
    for _ in range(30):
        PartnerFactory().members.set(members)
    with django_assert_max_num_queries(5):
        assert len(policy_api.get(LIST, {"page_size": 100}).json()["results"]) == 33
