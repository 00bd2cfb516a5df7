"""ETags and the change feed tell the truth about nested data: renaming a partner, theme or source, or changing a
linked recommendation's reference, changes the representation of every recommendation that shows it, so each gets a
new version (its ETag) and an update in the change feed, in the same transaction; the feed's nested URLs are
absolute like the API's."""

import pytest

from core.models import ChangeEvent
from partners.choices import PartnerKind
from partners.services import partner_update
from recommendations.services import recommendation_link_create, recommendation_update, source_update, theme_update
from tests.factories import PartnerFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def etag(client, recommendation) -> str:
    response = client.get(f"/api/v1/recommendations/{recommendation.uuid}/")
    assert response.status_code == 200
    return response["ETag"]


def last_feed_entry(object_id):
    return ChangeEvent.objects.filter(object_id=object_id).order_by("-seq").first()


RENAMES = {
    "partner": lambda rec, actor: partner_update(
        partner=rec.partner_links.get().partner, actor=actor, data={"name": "Commonwealth of Australia"}
    ),
    "theme": lambda rec, actor: theme_update(theme=rec.themes.get(), actor=actor, data={"name": "Seas"}),
    "source": lambda rec, actor: source_update(source=rec.source, actor=actor, data={"title": "A new title"}),
}


@pytest.mark.parametrize("what", RENAMES)
def test_renaming_what_a_recommendation_shows_gives_it_a_new_etag_and_a_feed_entry(
    recommendation, policy_api, policy_user, what
):
    old_tag = etag(policy_api, recommendation)
    unrelated = RecommendationFactory(reference="OTHER")
    unrelated_version = unrelated.version
    RENAMES[what](recommendation, policy_user)
    new_tag = etag(policy_api, recommendation)
    assert new_tag != old_tag
    stale = policy_api.get(f"/api/v1/recommendations/{recommendation.uuid}/", HTTP_IF_NONE_MATCH=old_tag)
    assert stale.status_code == 200  # not a 304 with stale data
    entry = last_feed_entry(recommendation.uuid)
    assert entry.object_type == "recommendation" and entry.action == "updated"
    assert entry.data["version"] == int(new_tag.strip('"'))
    assert set(entry.changes) == {{"partner": "partners", "theme": "themes", "source": "source"}[what]}
    unrelated.refresh_from_db()
    assert unrelated.version == unrelated_version


def test_a_change_that_no_recommendation_shows_leaves_them_alone(recommendation, policy_user):
    partner = recommendation.partner_links.get().partner
    version = recommendation.version
    partner_update(partner=partner, actor=policy_user, data={"description": "Not shown in a recommendation."})
    recommendation.refresh_from_db()
    assert recommendation.version == version


def test_a_new_reference_shows_in_the_recommendations_that_link_to_it(recommendation, implemented, policy_user):
    recommendation_link_create(
        from_recommendation=implemented, to_recommendation=recommendation, link_type="related", actor=policy_user
    )
    implemented.refresh_from_db()
    version = implemented.version
    recommendation_update(recommendation=recommendation, actor=policy_user, data={"reference": "TST-99"})
    implemented.refresh_from_db()
    assert implemented.version == version + 1
    entry = last_feed_entry(implemented.uuid)
    assert entry.changes["links"][1][0]["recommendation"]["reference"] == "TST-99"


def test_renaming_a_member_changes_the_frameworks_that_list_it(policy_user):
    india = PartnerFactory(slug="india", name="India")
    quad = PartnerFactory(slug="quad", name="Quad", kind=PartnerKind.FRAMEWORK)
    quad.members.set([india])
    version = quad.version
    partner_update(partner=india, actor=policy_user, data={"name": "Republic of India"})
    quad.refresh_from_db()
    assert quad.version == version + 1
    assert last_feed_entry(quad.uuid).data["members"][0]["name"] == "Republic of India"


def test_the_feed_writes_nested_urls_absolute_like_the_api(recommendation, implemented, policy_api, policy_user):
    recommendation_link_create(
        from_recommendation=recommendation, to_recommendation=implemented, link_type="related", actor=policy_user
    )
    feed = policy_api.get("/api/v1/changes/", {"object_type": "recommendation", "limit": 500}).json()
    item = [entry for entry in feed["results"] if entry["object_id"] == str(recommendation.uuid)][-1]
    detail = policy_api.get(f"/api/v1/recommendations/{recommendation.uuid}/").json()
    assert item["data"]["links"][0]["recommendation"]["url"] == detail["links"][0]["recommendation"]["url"]
    assert item["data"]["links"][0]["recommendation"]["url"].startswith("http://testserver/api/v1/")
