"""Status per partner: progress with each partner of a recommendation, its own timeline, the rule that adds the
partners' statuses up, the page, the API with If-Match, the feed and the query counts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.changes import AlreadyExists, VersionConflict
from core.models import ChangeEvent
from recommendations.choices import Status, partners_overall_status
from recommendations.models import PartnerStatusUpdate, Recommendation, RecommendationPartner
from recommendations.services import (
    recommendation_change_status,
    recommendation_create,
    recommendation_partner_record_status,
)
from tests.factories import PartnerFactory, UserFactory
from tests.recommendations.test_views import DETAIL_PAGE_QUERIES

pytestmark = pytest.mark.django_db

P, UR, IP, PI, IM, ST, NA = (
    Status.PROPOSED,
    Status.UNDER_REVIEW,
    Status.IN_PROGRESS,
    Status.PARTIALLY_IMPLEMENTED,
    Status.IMPLEMENTED,
    Status.STALLED,
    Status.NOT_ADOPTED,
)


@pytest.mark.parametrize(
    ("statuses", "overall"),
    [
        ([], ""),
        (["", ""], ""),
        ([IP, ""], IP),
        ([IM, IM], IM),
        ([IM, NA], IM),
        ([NA, NA], NA),
        ([IM, IP], PI),
        ([PI, P], PI),
        ([IP, ST], IP),
        ([ST, UR], ST),
        ([UR, P], UR),
        ([P, NA], P),
    ],
)
def test_the_partners_statuses_add_up_by_the_documented_rule(statuses, overall):
    assert partners_overall_status(statuses) == overall


@pytest.fixture
def two_partners(policy_user, source):
    """UXO clearance with the Philippines and Vietnam, created through the service."""
    philippines = PartnerFactory(name="Philippines", slug="philippines")
    vietnam = PartnerFactory(name="Vietnam", slug="vietnam")
    return recommendation_create(
        actor=policy_user,
        source=source,
        reference="UXO-01",
        title_en="Work on unexploded-ordnance clearance",
        description_en="Japan should work with the Philippines and Vietnam on UXO clearance.",
        partners=[(philippines, "counterpart"), (vietnam, "counterpart")],
    )


def link(recommendation: Recommendation, slug: str) -> RecommendationPartner:
    return recommendation.partner_links.select_related("partner").get(partner__slug=slug)


def test_progress_with_one_partner_has_its_own_timeline_versions_and_feed(two_partners, policy_user):
    vietnam = link(two_partners, "vietnam")
    rec_version = two_partners.version
    seq = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    entry = recommendation_partner_record_status(
        link=vietnam,
        actor=policy_user,
        status=IP,
        note="Joint survey of the first sites agreed.",
        evidence_url="https://example.org/survey",
        expected_version=vietnam.version,
    )
    vietnam.refresh_from_db()
    two_partners.refresh_from_db()
    assert (vietnam.status, vietnam.version) == (IP, 2) and vietnam.status_changed_at == entry.created_at
    assert link(two_partners, "philippines").status == ""  # the other partner is untouched
    assert two_partners.status == P and two_partners.version == rec_version + 1  # the overall status stays its own
    assert (entry.partner, entry.from_status, entry.to_status, entry.author) == (vietnam.partner, "", IP, policy_user)
    events = list(ChangeEvent.objects.filter(seq__gt=seq).order_by("seq"))
    assert [e.object_type for e in events] == ["partner_status", "partner_status_update", "evidence", "recommendation"]
    assert events[0].changes["status"] == ["", IP]
    assert events[2].data["link"] == "https://example.org/survey"  # the evidence URL is an evidence record
    vietnam_in_feed = next(p for p in events[3].data["partners"] if p["slug"] == "vietnam")
    assert (vietnam_in_feed["status"], vietnam_in_feed["status_label"]) == (IP, "In progress")


def test_the_status_rules_hold_per_partner(two_partners, policy_user):
    vietnam = link(two_partners, "vietnam")
    recommendation_partner_record_status(link=vietnam, actor=policy_user, status=IM)
    with pytest.raises(ValidationError) as already:
        recommendation_partner_record_status(link=vietnam, actor=policy_user, status=IM)
    assert "already" in already.value.message_dict["status"][0]
    with pytest.raises(ValidationError) as reopen:
        recommendation_partner_record_status(link=vietnam, actor=policy_user, status=IP, note=" ")
    assert "note" in reopen.value.message_dict
    with pytest.raises(ValidationError) as invalid:
        recommendation_partner_record_status(link=vietnam, actor=policy_user, status="done")
    assert "status" in invalid.value.message_dict
    with pytest.raises(VersionConflict):
        recommendation_partner_record_status(link=vietnam, actor=policy_user, status=IP, note="x", expected_version=1)
    with pytest.raises(VersionConflict):
        recommendation_partner_record_status(
            link=vietnam, actor=policy_user, status=IP, note="x", expected_recommendation_version=1
        )
    assert PartnerStatusUpdate.objects.count() == 1  # nothing half-written by the refused changes
    entry = recommendation_partner_record_status(link=vietnam, actor=policy_user, status=IP, note="Reopened.")
    with pytest.raises(AlreadyExists):
        recommendation_partner_record_status(
            link=vietnam, actor=policy_user, status=ST, note="retry", entry_uuid=entry.uuid
        )


def test_the_page_shows_both_statuses_and_the_policy_team_records_progress(two_partners, policy_client):
    detail = reverse("recommendations:detail", args=[two_partners.uuid])
    url = reverse("recommendations:partner_status", args=[two_partners.uuid])
    html = policy_client.get(detail).content.decode()
    assert "Progress per partner" in html and f'action="{url}"' in html
    assert "no partner has a status of its own yet" in html
    response = policy_client.post(
        url,
        {"partner-partner": "vietnam", "partner-status": IM, "partner-note": "Handed over.", "partner-version": 1},
    )
    assert response.status_code == 302 and response["Location"].endswith("#partners")
    html = policy_client.get(detail).content.decode()
    assert "the partners’ statuses add up to" in html and "They differ" in html  # overall proposed, partners: done
    assert "With Vietnam:" in html and "Handed over." in html  # on the timeline too
    assert "1 of 2 partners with a status of their own" in html


def test_the_page_form_refuses_bad_input_and_a_stale_page(two_partners, policy_client):
    url = reverse("recommendations:partner_status", args=[two_partners.uuid])
    version = Recommendation.objects.get(pk=two_partners.pk).version
    bad = policy_client.post(url, {"partner-partner": "atlantis", "partner-status": IM, "partner-version": version})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    stale = policy_client.post(url, {"partner-partner": "vietnam", "partner-status": IM, "partner-version": 99})
    assert stale.status_code == 409 and "changed by someone else" in stale.content.decode()
    assert not PartnerStatusUpdate.objects.exists()


def test_only_the_policy_team_records_progress_with_partners(two_partners, manager_client):
    url = reverse("recommendations:partner_status", args=[two_partners.uuid])
    html = manager_client.get(reverse("recommendations:detail", args=[two_partners.uuid])).content.decode()
    assert "Progress per partner" in html and f'action="{url}"' not in html
    response = manager_client.post(url, {"partner-partner": "vietnam", "partner-status": IM, "partner-version": 1})
    assert response.status_code == 403 and not PartnerStatusUpdate.objects.exists()
    assessor = UserFactory(username="judge", assessor=True)
    manager_client.force_login(assessor)
    assert manager_client.post(url, {"partner-partner": "vietnam", "partner-status": IM}).status_code == 403


def test_the_api_reads_and_changes_a_partner_status_with_if_match(two_partners, policy_api, token_client):
    listing = policy_api.get("/api/v1/partner-statuses/", {"recommendation": str(two_partners.uuid)}).json()
    assert [item["partner"] for item in listing["results"]] == ["philippines", "vietnam"]
    url = next(item["url"] for item in listing["results"] if item["partner"] == "vietnam")
    read = policy_api.get(url)
    etag = read["ETag"]
    assert read.json()["status"] == "" and read.json()["reference"] == "UXO-01"
    assert policy_api.patch(url, {"status": IP}, format="json").status_code == 428
    assert policy_api.patch(url, {"status": IP}, format="json", HTTP_IF_MATCH='"v9"').status_code == 412
    missing = policy_api.patch(url, {"note": "no status"}, format="json", HTTP_IF_MATCH=etag)
    assert missing.status_code == 400 and "status" in missing.json()["errors"]
    changed = policy_api.patch(url, {"status": IP, "note": "Survey agreed."}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == IP and changed["ETag"] != etag
    assert policy_api.patch(url, {"status": IM}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    timeline = policy_api.get("/api/v1/partner-status-updates/", {"partner": "vietnam"}).json()["results"]
    assert [(e["from_status"], e["to_status"], e["note"]) for e in timeline] == [("", IP, "Survey agreed.")]
    feed = policy_api.get("/api/v1/changes/", {"object_type": "partner_status"}).json()["results"]
    assert feed[-1]["data"]["status"] == IP
    filtered = policy_api.get("/api/v1/partner-statuses/", {"status": IP}).json()["results"]
    assert [item["partner"] for item in filtered] == ["vietnam"]
    unrecorded = policy_api.get("/api/v1/partner-statuses/", {"recorded": "false"}).json()["results"]
    assert [item["partner"] for item in unrecorded] == ["philippines"]
    assert policy_api.get("/api/v1/partner-statuses/", {"recorded": "maybe"}).status_code == 400


def test_readers_cannot_change_a_partner_status(two_partners, token_client, manager_user, policy_user):
    url = f"/api/v1/partner-statuses/{link(two_partners, 'vietnam').uuid}/"
    manager = token_client(manager_user, can_write=True)
    etag = manager.get(url)["ETag"]
    assert manager.patch(url, {"status": IP}, format="json", HTTP_IF_MATCH=etag).status_code == 403
    reader = token_client(policy_user, can_write=False)
    assert reader.patch(url, {"status": IP}, format="json", HTTP_IF_MATCH=etag).status_code == 403
    assert link(two_partners, "vietnam").status == ""


def test_a_role_change_gives_the_partner_status_a_new_version(two_partners, policy_user):
    from recommendations.services import recommendation_update

    before = link(two_partners, "vietnam").version
    recommendation_update(
        recommendation=two_partners,
        actor=policy_user,
        data={
            "partners": [
                (link(two_partners, "philippines").partner, "counterpart"),
                (link(two_partners, "vietnam").partner, "lead"),
            ]
        },
    )
    assert link(two_partners, "vietnam").version == before + 1


@pytest.mark.parametrize("entries", [1, 8])
def test_the_page_and_the_lists_run_constant_queries(
    two_partners, policy_user, policy_client, policy_api, entries, django_assert_max_num_queries
):
    statuses = [IP, ST] * entries
    for index, status in enumerate(statuses[:entries]):
        for slug in ("vietnam", "philippines"):
            recommendation_partner_record_status(
                link=link(two_partners, slug), actor=policy_user, status=status, note=f"step {index}"
            )
    recommendation_change_status(recommendation=two_partners, actor=policy_user, status=IP)
    with django_assert_max_num_queries(DETAIL_PAGE_QUERIES):
        assert policy_client.get(reverse("recommendations:detail", args=[two_partners.uuid])).status_code == 200
    with django_assert_max_num_queries(6):
        assert policy_api.get("/api/v1/partner-statuses/").status_code == 200
    with django_assert_max_num_queries(6):
        assert policy_api.get("/api/v1/partner-status-updates/").status_code == 200


def test_the_addressee_has_no_status_of_its_own(policy_user, source, policy_api, policy_client):
    japan, vietnam = PartnerFactory(name="Japan", slug="japan"), PartnerFactory(name="Vietnam", slug="vietnam")
    recommendation = recommendation_create(
        actor=policy_user,
        source=source,
        reference="UXO-02",
        title_en="Clear unexploded ordnance",
        description_en="Japan should work with Vietnam.",
        partners=[(japan, "addressee"), (vietnam, "counterpart")],
    )
    addressee = link(recommendation, "japan")
    with pytest.raises(ValidationError) as refused:
        recommendation_partner_record_status(link=addressee, actor=policy_user, status=IP)
    assert "addressee" in refused.value.message_dict["partner"][0]
    url = f"/api/v1/partner-statuses/{addressee.uuid}/"
    answer = policy_api.patch(url, {"status": IP}, format="json", HTTP_IF_MATCH=policy_api.get(url)["ETag"])
    assert answer.status_code == 400 and "partner" in answer.json()["errors"]
    html = policy_client.get(reverse("recommendations:detail", args=[recommendation.uuid])).content.decode()
    form = html[html.index('name="partner-partner"') :]
    form = form[: form.index("</select>")]
    assert 'value="vietnam"' in form and 'value="japan"' not in form
    assert "1 of 1 partner with a status of its own" not in html and "0 of 1 partner with a status of its own" in html
