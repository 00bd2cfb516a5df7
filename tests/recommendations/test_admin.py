"""The admin as each role uses it: the policy team works without superuser rights, managers only look."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from core.choices import ChangeAction
from core.models import ChangeEvent
from recommendations.choices import Status
from recommendations.models import Recommendation, StatusUpdate
from recommendations.services import recommendation_update
from tests.factories import RecommendationFactory, ThemeFactory

from .admin_helpers import LINK_INLINES, change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "admin:recommendations_recommendation_changelist",
        "admin:partners_partner_changelist",
        "admin:recommendations_theme_changelist",
        "admin:recommendations_source_changelist",
        "admin:recommendations_statusupdate_changelist",
        "admin:core_changeevent_changelist",
    ],
)
def test_policy_team_and_managers_can_list(name, recommendation, policy_client, manager_client):
    assert policy_client.get(reverse(name)).status_code == 200
    assert manager_client.get(reverse(name)).status_code == 200


def test_changelist_filters_and_search(recommendation, policy_client):
    url = reverse("admin:recommendations_recommendation_changelist")
    RecommendationFactory(reference="OTHER-1", title="Unrelated")
    response = policy_client.get(url, {"q": "maritime"})
    assert response.context["cl"].result_count == 1
    response = policy_client.get(url, {"status__exact": Status.IMPLEMENTED})
    assert response.context["cl"].result_count == 0
    response = policy_client.get(url, {"partners__id__exact": recommendation.partners.get().pk})
    assert response.context["cl"].result_count == 1


def test_policy_team_records_a_status_change_through_the_form(recommendation, policy_client, policy_user):
    response = policy_client.post(
        change_url(recommendation),
        form_data(
            recommendation, status=Status.IN_PROGRESS, status_note="Talks began.", evidence_url="https://example.org/a"
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    recommendation.refresh_from_db()
    assert recommendation.status == Status.IN_PROGRESS and recommendation.version == 2
    entry = recommendation.status_updates.latest()
    assert (entry.note, entry.evidence_url, entry.author) == ("Talks began.", "https://example.org/a", policy_user)
    assert ChangeEvent.objects.filter(object_type="recommendation", action=ChangeAction.UPDATED).count() == 1


def test_policy_team_edits_content_in_one_version(recommendation, policy_client):
    cyber = ThemeFactory(slug="cyber", name="Cyber")
    response = policy_client.post(
        change_url(recommendation), form_data(recommendation, title_en="Sharper title", themes=[cyber.pk])
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.title == "Sharper title" and recommendation.version == 2
    assert list(recommendation.themes.values_list("slug", flat=True)) == ["cyber"]
    assert recommendation.status_updates.count() == 1


def test_stale_form_is_refused_and_keeps_what_was_typed(recommendation, policy_client, policy_user):
    stale = form_data(recommendation, title_en="My edit")
    recommendation_update(recommendation=recommendation, actor=policy_user, data={"title": "Their edit"})
    response = policy_client.post(change_url(recommendation), stale)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "changed this record while you were editing" in str(form.non_field_errors())
    assert form["title_en"].value() == "My edit"
    recommendation.refresh_from_db()
    assert recommendation.title == "Their edit"


def test_reopening_without_a_note_is_a_form_error(recommendation, policy_client, policy_user):
    from recommendations.services import recommendation_change_status

    recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.IMPLEMENTED)
    recommendation.refresh_from_db()
    response = policy_client.post(change_url(recommendation), form_data(recommendation, status=Status.IN_PROGRESS))
    assert response.status_code == 200
    assert "reopens it" in str(response.context["adminform"].form.errors["status_note"])


def test_policy_team_adds_a_recommendation(policy_client, source, partner, theme):
    response = policy_client.post(
        reverse("admin:recommendations_recommendation_add"),
        {
            "reference": "NEW-1",
            "title_en": "New",
            "description_en": "A new recommendation.",
            "source_excerpt": "",
            "source": source.pk,
            "section": "S",
            "themes": [theme.pk],
            "priority": "high",
            "team": "Defence policy",
            "target_date": "2027-03-31",
            "status": Status.UNDER_REVIEW,
            "status_note": "",
            "evidence_url": "",
            "partner_links-TOTAL_FORMS": "1",
            "partner_links-INITIAL_FORMS": "0",
            "partner_links-MIN_NUM_FORMS": "0",
            "partner_links-MAX_NUM_FORMS": "1000",
            "partner_links-0-partner": partner.pk,
            "partner_links-0-role": "lead",
            "status_updates-TOTAL_FORMS": "0",
            "status_updates-INITIAL_FORMS": "0",
            "status_updates-MIN_NUM_FORMS": "0",
            "status_updates-MAX_NUM_FORMS": "1000",
            **LINK_INLINES,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Recommendation.objects.get(reference="NEW-1")
    assert created.status == Status.UNDER_REVIEW
    assert list(created.partner_links.values_list("partner__slug", "role")) == [("australia", "lead")]
    assert created.status_updates.get().to_status == Status.UNDER_REVIEW


def test_policy_team_cannot_delete(recommendation, policy_client):
    url = reverse("admin:recommendations_recommendation_delete", args=[recommendation.pk])
    assert policy_client.post(url, {"post": "yes"}).status_code == 403
    assert Recommendation.objects.filter(pk=recommendation.pk).exists()


def test_superuser_delete_goes_through_the_service(recommendation, superuser_client):
    url = reverse("admin:recommendations_recommendation_delete", args=[recommendation.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    assert not Recommendation.objects.exists()
    assert ChangeEvent.objects.filter(object_type="recommendation", action=ChangeAction.DELETED).count() == 1


def test_manager_sees_but_cannot_change(recommendation, manager_client):
    response = manager_client.get(change_url(recommendation))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    response = manager_client.post(change_url(recommendation), form_data(recommendation, title_en="Manager edit"))
    assert response.status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.title != "Manager edit"
    assert manager_client.get(reverse("admin:recommendations_recommendation_add")).status_code == 403


def test_bulk_action_asks_then_records_through_the_service(policy_client, policy_user):
    a, b = RecommendationFactory(), RecommendationFactory(status=Status.IN_PROGRESS)
    url = reverse("admin:recommendations_recommendation_changelist")
    ask = policy_client.post(url, {"action": "record_status_change", ACTION_CHECKBOX_NAME: [a.pk, b.pk]})
    assert ask.status_code == 200
    assert b"Record status change" in ask.content
    done = policy_client.post(
        url,
        {
            "action": "record_status_change",
            ACTION_CHECKBOX_NAME: [a.pk, b.pk],
            "apply": "1",
            "status": Status.IN_PROGRESS,
            "note": "Budget approved.",
            "evidence_url": "",
        },
    )
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.status == Status.IN_PROGRESS
    assert StatusUpdate.objects.get(recommendation=a).author == policy_user
    assert not StatusUpdate.objects.filter(recommendation=b).exists()


def test_bulk_action_without_note_shows_the_form_again(policy_client):
    a = RecommendationFactory()
    url = reverse("admin:recommendations_recommendation_changelist")
    response = policy_client.post(
        url,
        {
            "action": "record_status_change",
            ACTION_CHECKBOX_NAME: [a.pk],
            "apply": "1",
            "status": Status.STALLED,
            "note": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    a.refresh_from_db()
    assert a.status == Status.PROPOSED


def test_managers_have_no_bulk_action(manager_client, recommendation):
    response = manager_client.get(reverse("admin:recommendations_recommendation_changelist"))
    assert b"record_status_change" not in response.content


def test_history_shows_who_changed_what(recommendation, policy_client, policy_user):
    recommendation_update(recommendation=recommendation, actor=policy_user, data={"title": "Renamed"})
    response = policy_client.get(reverse("admin:recommendations_recommendation_history", args=[recommendation.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Renamed" in content and "policy" in content


def test_partner_autocomplete_works_for_the_policy_team(policy_client, partner):
    response = policy_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Austr",
            "app_label": "recommendations",
            "model_name": "recommendationpartner",
            "field_name": "partner",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Australia"]


def test_partner_admin_creates_through_the_service(policy_client, partner):
    response = policy_client.post(
        reverse("admin:partners_partner_add"),
        {
            "name_en": "Quad",
            "short_name_en": "Quad",
            "slug": "quad",
            "kind": "framework",
            "members": [partner.pk],
            "description": "",
        },
    )
    assert response.status_code == 302
    event = ChangeEvent.objects.get(object_type="partner", action=ChangeAction.CREATED)
    assert event.data["members"][0]["slug"] == "australia"


def test_theme_in_use_cannot_be_deleted_in_the_admin(recommendation, theme, superuser_client):
    url = reverse("admin:recommendations_theme_delete", args=[theme.pk])
    response = superuser_client.post(url, {"post": "yes"}, follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert recommendation.themes.filter(pk=theme.pk).exists()


# --- The admin's list filters and search are the filterset's ---------------------------------------------------------


def test_admin_list_filters_speak_the_filtersets_parameters(superuser_client, catalogue):
    page = superuser_client.get(reverse("admin:recommendations_recommendation_changelist")).content.decode()
    for query in ("?status=in_progress", "?overdue=true", "?overdue=false", "?partner=india", "?theme=cyber"):
        assert f'href="{query}"' in page, query
    assert "status__exact" not in page and "overdue=yes" not in page


def test_the_admin_sidebar_is_built_from_one_filterset_form(superuser_client, catalogue, monkeypatch):
    from recommendations.filtersets import RecommendationFilterSet

    built = []
    original = RecommendationFilterSet.__init__

    def counting(self, *args, **kwargs):
        built.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(RecommendationFilterSet, "__init__", counting)
    page = superuser_client.get(reverse("admin:recommendations_recommendation_changelist")).content.decode()
    assert 'href="?status=in_progress"' in page and 'href="?partner=india"' in page
    assert len(built) == 1  # a dozen list filters share it; each built its own before


@pytest.mark.parametrize(
    "query",
    [
        "status=in_progress",
        "status=implemented",
        "overdue=true",
        "overdue=false",
        "partner=quad",
        "theme=maritime",
        "priority=high",
        "source=report-b",
        "team=Cyber policy",
        "q=cyber",
        "q=underwater ordnance",
    ],
)
def test_admin_list_shows_what_the_filterset_selects(superuser_client, catalogue, query):
    from django.http import QueryDict

    from recommendations.filtersets import RecommendationFilterSet

    expected = sorted(RecommendationFilterSet(QueryDict(query)).qs.values_list("reference", flat=True))
    response = superuser_client.get(reverse("admin:recommendations_recommendation_changelist") + "?" + query)
    assert response.status_code == 200
    shown = sorted(obj.reference for obj in response.context["cl"].result_list)
    assert shown == expected and expected, query


def test_an_invalid_admin_filter_value_is_flagged_not_a_500(superuser_client, catalogue):
    response = superuser_client.get(reverse("admin:recommendations_recommendation_changelist") + "?overdue=maybe")
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
