"""Owners and dates: a responsible lead and agency and a next review date, written through the services, shown on
the timeline, filtered by, imported and exported, and the signed-in user's own recommendations."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from partners.choices import PartnerKind
from recommendations.services import recommendation_update
from tests.factories import PartnerFactory
from transfer.exports import export_file
from transfer.importing import Action, FieldChange
from transfer.services import recommendations_import

from ..transfer.helpers import file_bytes, plan_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def mofa(db):
    return PartnerFactory(
        slug="mofa", name="Ministry of Foreign Affairs", kind=PartnerKind.AGENCY, added_by_tracker=True
    )


def test_owners_are_written_through_the_service_and_must_be_an_agency(recommendation, policy_user, mofa, partner):
    change = recommendation_update(
        recommendation=recommendation,
        actor=policy_user,
        data={"lead": policy_user, "agency": mofa, "review_date": datetime.date(2027, 1, 15)},
    )
    assert set(change.changed_fields) == {"lead", "agency", "review_date"}
    recommendation.refresh_from_db()
    assert (recommendation.lead, recommendation.agency, recommendation.version) == (policy_user, mofa, 2)
    with pytest.raises(ValidationError) as raised:
        recommendation_update(recommendation=recommendation, actor=policy_user, data={"agency": partner})
    assert "agency" in raised.value.message_dict  # Australia is a country, not a domestic agency


def test_the_api_reads_writes_and_filters_owners(policy_api, recommendation, policy_user, mofa):
    url = f"/api/v1/recommendations/{recommendation.uuid}/"
    response = policy_api.patch(
        url,
        {"lead": policy_user.username, "agency": "mofa", "review_date": "2027-01-15"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["lead"] == policy_user.username and body["review_date"] == "2027-01-15"
    assert body["agency"]["slug"] == "mofa" and body["agency"]["name_en"] == "Ministry of Foreign Affairs"
    listed = policy_api.get("/api/v1/recommendations/", {"agency": "mofa"}).json()["results"]
    assert listed[0] == policy_api.get(url).json()  # the lean list shows owners as the detail does
    assert policy_api.get("/api/v1/recommendations/", {"lead": "nobody"}).json()["results"] == []
    refused = policy_api.patch(url, {"agency": "australia"}, format="json", HTTP_IF_MATCH='"2"')
    assert refused.status_code == 400 and "agency" in refused.json()["errors"]


def test_a_change_of_owner_is_on_the_timeline(policy_client, recommendation, policy_user, mofa):
    recommendation_update(recommendation=recommendation, actor=policy_user, data={"agency": mofa})
    page = policy_client.get(f"/recommendations/{recommendation.uuid}/").content.decode()
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    assert "owner-change" in timeline and "Responsible agency" in timeline and "Ministry of Foreign Affairs" in timeline


def test_my_recommendations_is_the_list_of_what_i_lead(policy_client, recommendation, implemented, policy_user):
    recommendation_update(recommendation=recommendation, actor=policy_user, data={"lead": policy_user})
    response = policy_client.get("/recommendations/mine/", follow=True)
    assert response.redirect_chain[-1][0] == f"/recommendations/?lead={policy_user.username}"
    page = response.content.decode()
    assert recommendation.reference in page and implemented.reference not in page


def test_owners_round_trip_through_the_import(recommendation, policy_user, mofa):
    rows = [{"reference": "TST-01", "lead": policy_user.username, "agency": "mofa", "review_date": "2027-02-01"}]
    plan = plan_for(file_bytes(rows, headings=["reference", "lead", "agency", "review_date"]))
    assert plan.rows[0].changes == [
        FieldChange("lead", "", policy_user.username),
        FieldChange("agency", "", "mofa"),
        FieldChange("review_date", "", "2027-02-01"),
    ]
    recommendations_import(plan=plan, actor=policy_user)
    recommendation.refresh_from_db()
    assert (recommendation.agency, recommendation.review_date) == (mofa, datetime.date(2027, 2, 1))
    assert plan_for(export_file(queryset=recommendation.__class__.objects.all(), fmt="csv")).rows[0].action == (
        Action.UNCHANGED
    )
    bad = plan_for(b"reference,lead,agency\nTST-01,ghost,australia\n").rows[0]
    assert bad.errors == [
        "lead: “ghost” is not an active user's name.",
        "agency: “australia” is not the slug of a partner of kind domestic agency.",
    ]
