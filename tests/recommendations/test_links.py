"""Links between recommendations: the rules, both ends' versions and feed entries, both directions shown."""

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from core.choices import ChangeAction
from core.models import ChangeEvent
from recommendations.choices import LinkType
from recommendations.models import Recommendation, RecommendationLink
from recommendations.selectors import recommendation_links
from recommendations.services import recommendation_link_create, recommendation_link_delete
from tests.factories import RecommendationFactory
from tests.recommendations.admin_helpers import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def a(db):
    """TOK23-12."""
    return RecommendationFactory(reference="TOK23-12", title="Newer recommendation")


@pytest.fixture
def b(db):
    """TOK23-07."""
    return RecommendationFactory(reference="TOK23-07", title="Older recommendation")


def link(source, target, link_type, actor=None, note=""):
    return recommendation_link_create(
        from_recommendation=source, to_recommendation=target, link_type=link_type, note=note, actor=actor
    )


def versions(*recs):
    return [Recommendation.objects.get(pk=rec.pk).version for rec in recs]


def test_a_recommendation_cannot_link_to_itself(a):
    with pytest.raises(ValidationError, match="cannot be linked to itself"):
        link(a, a, LinkType.RELATED)
    assert not RecommendationLink.objects.exists()
    assert versions(a) == [1] and not ChangeEvent.objects.exists()


def test_the_same_link_twice_is_refused(a, b):
    link(a, b, LinkType.SUPERSEDES)
    with pytest.raises(ValidationError, match="TOK23-12 is already supersedes TOK23-07"):
        link(a, b, LinkType.SUPERSEDES)
    link(a, b, LinkType.RELATED)  # another type between the same two is fine
    assert RecommendationLink.objects.count() == 2


@pytest.mark.parametrize("link_type", [LinkType.RELATED, LinkType.DUPLICATES])
def test_symmetric_links_are_not_made_twice_in_reverse(a, b, link_type):
    link(a, b, link_type)
    with pytest.raises(ValidationError, match="says the same both ways"):
        link(b, a, link_type)
    assert RecommendationLink.objects.count() == 1


@pytest.mark.parametrize("link_type", [LinkType.SUPERSEDES, LinkType.DEPENDS_ON])
def test_two_recommendations_cannot_supersede_or_depend_on_each_other(a, b, link_type):
    link(a, b, link_type)
    with pytest.raises(ValidationError, match="the reverse link would make a cycle"):
        link(b, a, link_type)
    assert RecommendationLink.objects.count() == 1


def test_longer_dependency_cycles_are_refused(a, b):
    c = RecommendationFactory(reference="TOK23-20")
    d = RecommendationFactory(reference="TOK23-21")
    link(a, b, LinkType.DEPENDS_ON)
    link(b, c, LinkType.DEPENDS_ON)
    link(c, d, LinkType.DEPENDS_ON)
    with pytest.raises(ValidationError) as raised:
        link(d, a, LinkType.DEPENDS_ON)
    assert raised.value.messages == [
        "This link would make a cycle: TOK23-21 depends on TOK23-12 depends on TOK23-07 depends on TOK23-20 "
        "depends on TOK23-21."
    ]
    link(d, a, LinkType.RELATED)  # other types may close a loop
    link(a, c, LinkType.DEPENDS_ON)  # a shortcut is no cycle


def test_creating_a_link_changes_both_recommendations(a, b, policy_user):
    made = link(a, b, LinkType.SUPERSEDES, actor=policy_user, note="The 2024 text replaces it.")
    assert (made.created_by, made.note) == (policy_user, "The 2024 text replaces it.")
    assert versions(a, b) == [2, 2]
    events = ChangeEvent.objects.order_by("seq")
    assert [(e.object_id, e.action, e.object_type, e.actor) for e in events] == [
        (a.uuid, ChangeAction.UPDATED, "recommendation", policy_user),
        (b.uuid, ChangeAction.UPDATED, "recommendation", policy_user),
    ]


def test_deleting_a_link_changes_both_recommendations(a, b, policy_user):
    made = link(a, b, LinkType.DEPENDS_ON, actor=policy_user)
    recommendation_link_delete(link=made, actor=policy_user)
    assert not RecommendationLink.objects.exists()
    assert versions(a, b) == [3, 3]
    assert ChangeEvent.objects.filter(action=ChangeAction.UPDATED).count() == 4
    recommendation_link_delete(link=made, actor=policy_user)  # already gone: nothing happens
    assert versions(a, b) == [3, 3]


def test_the_selector_shows_both_directions_with_their_labels(a, b, django_assert_num_queries):
    c = RecommendationFactory(reference="TOK23-30")
    link(a, b, LinkType.SUPERSEDES)
    link(c, a, LinkType.DEPENDS_ON)
    link(c, b, LinkType.RELATED)

    with django_assert_num_queries(1):
        seen_from_a = [str(item) for item in recommendation_links(recommendation=a)]
    assert seen_from_a == ["supersedes TOK23-07", "is a prerequisite of TOK23-30"]
    assert [str(item) for item in recommendation_links(recommendation=b)] == [
        "related to TOK23-30",
        "superseded by TOK23-12",
    ]
    assert [(item.outgoing, item.link_type) for item in recommendation_links(recommendation=c)] == [
        (True, "depends_on"),
        (True, "related"),
    ]


def test_the_links_include_renders_both_directions(a, b):
    link(a, b, LinkType.SUPERSEDES, note="replaced")
    html = render_to_string("recommendations/_links.html", {"links": recommendation_links(recommendation=b)})
    assert f'<a href="/recommendations/{a.uuid}/">TOK23-12</a>' in html
    assert "Superseded by" in html and "(replaced)" in html
    assert "No links" in render_to_string("recommendations/_links.html", {"links": []})


# --- Admin ---------------------------------------------------------------------------------------------------------


def with_link_rows(data, *rows, initial=0):
    """Form data with rows for the outgoing-links inline."""
    data = {**data, "links_out-TOTAL_FORMS": str(len(rows)), "links_out-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"links_out-{index}-{key}": value for key, value in row.items()})
    return data


def test_the_policy_team_adds_and_removes_links_in_the_admin(recommendation, b, policy_client, policy_user):
    data = with_link_rows(
        form_data(recommendation), {"link_type": "supersedes", "to_recommendation": b.pk, "note": "n"}
    )
    response = policy_client.post(change_url(recommendation), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][1].formset.errors
    made = RecommendationLink.objects.get()
    assert (made.from_recommendation, made.to_recommendation, made.link_type, made.created_by) == (
        recommendation,
        b,
        "supersedes",
        policy_user,
    )
    assert versions(recommendation, b) == [2, 2]

    # The target shows the link read-only, the other way round.
    page = policy_client.get(change_url(b)).content.decode()
    assert "superseded by" in page and "TST-01" in page

    recommendation.refresh_from_db()
    row = {"id": made.pk, "from_recommendation": recommendation.pk, "link_type": "supersedes"}
    data = with_link_rows(form_data(recommendation), {**row, "to_recommendation": b.pk, "DELETE": "on"}, initial=1)
    assert policy_client.post(change_url(recommendation), data).status_code == 302
    assert not RecommendationLink.objects.exists()
    assert versions(recommendation, b) == [3, 3]


def test_a_refused_link_is_a_form_error_in_the_admin(recommendation, b, policy_client):
    link(b, recommendation, LinkType.SUPERSEDES)
    recommendation.refresh_from_db()
    data = with_link_rows(form_data(recommendation), {"link_type": "supersedes", "to_recommendation": b.pk})
    response = policy_client.post(change_url(recommendation), data)
    assert response.status_code == 200
    assert "the reverse link would make a cycle" in response.content.decode()
    assert RecommendationLink.objects.count() == 1

    data = with_link_rows(form_data(recommendation), {"link_type": "related", "to_recommendation": recommendation.pk})
    response = policy_client.post(change_url(recommendation), data)
    assert response.status_code == 200
    assert "cannot be linked to itself" in response.content.decode()


def test_link_target_autocomplete_works_for_the_policy_team(policy_client, b):
    response = policy_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "TOK23",
            "app_label": "recommendations",
            "model_name": "recommendationlink",
            "field_name": "to_recommendation",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [str(b)]


def test_managers_see_links_but_cannot_add_them(recommendation, b, manager_client):
    link(recommendation, b, LinkType.RELATED)
    page = manager_client.get(change_url(recommendation)).content.decode()
    assert "TOK23-07" in page
    data = with_link_rows(form_data(recommendation), {"link_type": "depends_on", "to_recommendation": b.pk})
    assert manager_client.post(change_url(recommendation), data).status_code == 403
    assert RecommendationLink.objects.count() == 1


def test_deleting_a_recommendation_updates_the_ones_it_was_linked_with(a, b, policy_user):
    from recommendations.services import recommendation_delete

    link(a, b, LinkType.SUPERSEDES)
    before = versions(b)[0]
    recommendation_delete(recommendation=a, actor=policy_user)
    b.refresh_from_db()
    assert b.version == before + 1
    last = ChangeEvent.objects.filter(object_id=b.uuid).order_by("-seq").first()
    assert last.action == ChangeAction.UPDATED


def test_the_api_shows_links_both_ways(a, b, policy_client):
    link(a, b, LinkType.SUPERSEDES, note="replaced")
    data = policy_client.get(f"/api/v1/recommendations/{b.uuid}/").json()
    assert data["links"] == [
        {
            "link_type": "supersedes",
            "direction": "incoming",
            "label": "superseded by",
            "note": "replaced",
            "recommendation": {
                "id": str(a.uuid),
                "reference": "TOK23-12",
                "url": f"http://testserver/api/v1/recommendations/{a.uuid}/",
            },
        }
    ]
    outgoing = policy_client.get(f"/api/v1/recommendations/{a.uuid}/").json()["links"]
    assert [(item["direction"], item["label"]) for item in outgoing] == [("outgoing", "supersedes")]


def test_a_link_change_is_in_the_feed_with_the_link(a, b, policy_user):
    link(a, b, LinkType.DEPENDS_ON, actor=policy_user)
    event = ChangeEvent.objects.filter(object_id=b.uuid, action=ChangeAction.UPDATED).order_by("-seq").first()
    assert event.data["links"][0]["label"] == "is a prerequisite of"
    recommendation_link_delete(link=RecommendationLink.objects.get(), actor=policy_user)
    event = ChangeEvent.objects.filter(object_id=b.uuid, action=ChangeAction.UPDATED).order_by("-seq").first()
    assert event.changes["links"][1] == [] and event.changes["links"][0][0]["direction"] == "incoming"
