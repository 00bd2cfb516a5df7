"""The likely duplicates page, and similar recommendations on a recommendation's page."""

import pytest
from django.urls import reverse

from tests.factories import RecommendationFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_duplicates_page_and_similar_on_the_detail_page(policy_client):
    first = RecommendationFactory(
        source=SourceFactory(),
        reference="A-01",
        title_en="Expand coast guard cooperation",
        description_en="Coast guard cooperation with the Philippines should expand.",
    )
    second = RecommendationFactory(
        source=SourceFactory(),
        reference="B-07",
        title_en="Expand coast guard cooperation",
        description_en="Expand coast guard cooperation with the Philippines.",
    )
    page = policy_client.get(reverse("proposals:duplicates"))
    assert page.status_code == 200
    assert [{p.first, p.second} for p in page.context["pairs"]] == [{first, second}]
    detail = policy_client.get(reverse("recommendations:detail", args=[first.uuid]))
    assert [s.recommendation for s in detail.context["similar"]] == [second]
    assert "B-07" in detail.content.decode()
