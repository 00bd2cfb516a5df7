"""Partner pages: every partner grouped by kind with its progress, and one partner with its recommendations."""

import pytest

from partners.choices import PartnerKind
from recommendations.choices import PartnerRole, Status
from recommendations.models import RecommendationPartner
from tests.factories import PartnerFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners():
    japan = PartnerFactory(slug="japan", name="Japan")
    india = PartnerFactory(slug="india", name="India")
    quad = PartnerFactory(slug="quad", name="Quad", kind=PartnerKind.FRAMEWORK)
    quad.members.set([japan, india])
    PartnerFactory(slug="asean", name="ASEAN", kind=PartnerKind.ORGANISATION)
    done = RecommendationFactory(reference="R-1", title="Done with India", status=Status.IMPLEMENTED)
    open_ = RecommendationFactory(reference="R-2", title="Quad maritime work", status=Status.IN_PROGRESS)
    RecommendationPartner.objects.create(recommendation=done, partner=india, role=PartnerRole.COUNTERPART)
    RecommendationPartner.objects.create(recommendation=open_, partner=india, role=PartnerRole.LEAD)
    RecommendationPartner.objects.create(recommendation=open_, partner=quad, role="")
    return {"japan": japan, "india": india, "quad": quad}


def test_partner_list_groups_by_kind_with_counts(manager_client, partners):
    response = manager_client.get("/partners/")
    assert response.status_code == 200
    groups = {
        str(kind): [(p.slug, row.total, row.implemented) for p, row, _ in items]
        for kind, items in response.context["groups"]
    }
    assert groups == {
        "Country": [("india", 2, 1), ("japan", 0, 0)],
        "Multilateral framework": [("quad", 1, 0)],
        "International organisation": [("asean", 0, 0)],
    }
    html = response.content.decode()
    assert 'href="/partners/india/"' in html
    assert 'href="/recommendations/?partner=india">2</a>' in html
    assert 'class="minibar" role="img" aria-label="In progress: 1, Implemented: 1"' in html
    assert "50% implemented" in html


def test_partner_page_shows_its_recommendations_roles_and_progress(manager_client, partners):
    response = manager_client.get("/partners/india/")
    assert response.status_code == 200
    assert [(link.recommendation.reference, link.role) for link in response.context["links"]] == [
        ("R-1", PartnerRole.COUNTERPART),
        ("R-2", PartnerRole.LEAD),
    ]
    assert response.context["progress"].total == 2 and response.context["progress"].implemented == 1
    html = response.content.decode()
    assert "Done with India" in html and "Lead" in html and "Counterpart" in html
    assert "1 of 2 implemented (50%)" in html
    assert 'href="/partners/quad/">Quad</a>' in html  # member of
    assert 'href="/recommendations/?partner=india"' in html and 'href="/reports/progress/?partner=india"' in html


def test_framework_page_lists_its_members(manager_client, partners):
    html = manager_client.get("/partners/quad/").content.decode()
    assert 'href="/partners/japan/">Japan</a>' in html and 'href="/partners/india/">India</a>' in html
    assert "involved" in html  # the role where the text gives none


def test_unknown_partner_is_a_friendly_404(manager_client):
    response = manager_client.get("/partners/atlantis/")
    assert response.status_code == 404 and b"We could not find that page" in response.content


@pytest.mark.parametrize("n", [3, 40])
def test_partner_pages_run_a_constant_number_of_queries(
    manager_client, make_recommendations, django_assert_max_num_queries, n
):
    made = make_recommendations(n)
    PartnerFactory.create_batch(n)
    # Two queries of each are the role check (the user's and their groups' permissions), whatever the size; one the
    # header's unread count, one the Watch button's state.
    with django_assert_max_num_queries(8):
        assert manager_client.get("/partners/").status_code == 200
    slug = made[0].partner_links.first().partner.slug
    with django_assert_max_num_queries(12):
        assert manager_client.get(f"/partners/{slug}/").status_code == 200
