"""Progress per partner: the report, the partner pages and the partner × recommendation grid count a recommendation
at its status with each partner where one is recorded, else at its overall status."""

import pytest
from django.urls import reverse

from recommendations.choices import Status
from recommendations.services import recommendation_create, recommendation_partner_record_status
from reports.selectors import partners_with_progress, progress_summary
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def uxo(policy_user, source):
    """A recommendation with the Philippines (implemented with them) and Vietnam (nothing recorded)."""
    philippines = PartnerFactory(name="Philippines", slug="philippines")
    vietnam = PartnerFactory(name="Vietnam", slug="vietnam")
    recommendation = recommendation_create(
        actor=policy_user,
        source=source,
        reference="UXO-01",
        title_en="Work on unexploded-ordnance clearance",
        description_en="Japan should work with the Philippines and Vietnam on UXO clearance.",
        partners=[(philippines, "counterpart"), (vietnam, "counterpart")],
    )
    recommendation_partner_record_status(
        link=recommendation.partner_links.get(partner=philippines), actor=policy_user, status=Status.IMPLEMENTED
    )
    return recommendation


def test_the_report_counts_each_partner_at_its_own_status(uxo):
    from recommendations.models import Recommendation

    summary = progress_summary(queryset=Recommendation.objects.all())
    rows = {row.key: {status: n for status, n in row.counts.items() if n} for row in summary.by_partner}
    assert rows["philippines"] == {Status.IMPLEMENTED: 1}
    assert rows["vietnam"] == {Status.PROPOSED: 1}  # no status of its own: the overall one
    listed = {partner.slug: row.counts for partner, row in partners_with_progress()}
    assert listed["philippines"][Status.IMPLEMENTED] == 1 and listed["philippines"][Status.PROPOSED] == 0
    assert listed["vietnam"][Status.PROPOSED] == 1 and listed["vietnam"][Status.IMPLEMENTED] == 0


def test_the_partner_page_shows_the_status_with_that_partner(uxo, manager_client):
    html = manager_client.get(reverse("reports:partner_detail", args=["philippines"])).content.decode()
    assert "Status with this partner" in html and "1 of 1 implemented" in html
    html = manager_client.get(reverse("reports:partner_detail", args=["vietnam"])).content.decode()
    assert "(overall)" in html and "0 of 1 implemented" in html


def test_the_grid_shows_partners_against_recommendations(uxo, manager_client):
    response = manager_client.get(reverse("reports:partner_grid"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Partners × recommendations" in html and "UXO-01" in html
    column = '<th scope="col"><a href="/partners/{}/">{}</a></th>'
    assert html.index(column.format("philippines", "Philippines")) < html.index(column.format("vietnam", "Vietnam"))
    assert html.count('class="inherited"') == 1  # Vietnam's cell falls back to the overall status
    only_vietnam = manager_client.get(reverse("reports:partner_grid"), {"partner": "vietnam"}).content.decode()
    assert column.format("vietnam", "Vietnam") in only_vietnam
    assert column.format("philippines", "Philippines") not in only_vietnam
    bad = manager_client.get(reverse("reports:partner_grid"), {"status": "finished"})
    assert bad.status_code == 400 and "Some filters are not valid" in bad.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_the_grid_runs_constant_queries(size, policy_user, source, manager_client, django_assert_max_num_queries):
    partners = [PartnerFactory(slug=f"p{index}") for index in range(3)]
    for index in range(size):
        recommendation_create(
            actor=policy_user,
            source=source,
            reference=f"G-{index:02}",
            title_en=f"Recommendation {index}",
            description_en="Text.",
            partners=[(partner, "counterpart") for partner in partners],
        )
    with django_assert_max_num_queries(12):
        assert manager_client.get(reverse("reports:partner_grid")).status_code == 200
