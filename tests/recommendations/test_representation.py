"""The list's lean read path and the orjson renderer give exactly what the serializer and DRF's renderer give."""

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from core.api.renderers import ORJSONRenderer
from recommendations.api.serializers import RecommendationSerializer
from recommendations.choices import LinkType, PartnerRole, Status
from recommendations.models import Recommendation, RecommendationPartner
from tests.factories import PartnerFactory, RecommendationFactory, RecommendationLinkFactory, ThemeFactory


@pytest.fixture
def page(db):
    """Recommendations with partners (roles, one blank), themes, and links both ways, some to rows off the page."""
    partners = [PartnerFactory(name=name) for name in ("Zeta", "Alpha", "Mu")]
    themes = [ThemeFactory(name=name) for name in ("Oceans", "Cyber")]
    a = RecommendationFactory(status=Status.IN_PROGRESS, target_date=datetime.date(2020, 1, 1), team="Team A")
    b = RecommendationFactory(status=Status.IMPLEMENTED, target_date=datetime.date(2020, 1, 1))
    c = RecommendationFactory(status=Status.STALLED, target_date=None)
    outside = RecommendationFactory()
    for partner, role in zip(partners, [PartnerRole.LEAD, "", PartnerRole.COUNTERPART], strict=True):
        RecommendationPartner.objects.create(recommendation=a, partner=partner, role=role)
    RecommendationPartner.objects.create(recommendation=c, partner=partners[0], role="")
    a.themes.set(themes)
    b.themes.set(themes[:1])
    RecommendationLinkFactory(from_recommendation=a, to_recommendation=b, link_type=LinkType.SUPERSEDES, note="old")
    RecommendationLinkFactory(from_recommendation=a, to_recommendation=b, link_type=LinkType.RELATED)
    RecommendationLinkFactory(from_recommendation=c, to_recommendation=a, link_type=LinkType.DEPENDS_ON)
    RecommendationLinkFactory(from_recommendation=outside, to_recommendation=c, link_type=LinkType.DUPLICATES)
    RecommendationLinkFactory(from_recommendation=b, to_recommendation=outside, link_type=LinkType.RELATED)
    Recommendation.objects.filter(pk=c.pk).update(
        updated_at=datetime.datetime(2024, 5, 1, 12, 0, 0, 123456, datetime.UTC)
    )
    return [a.pk, b.pk, c.pk]


@pytest.mark.parametrize("time_zone", ["Asia/Tokyo", "UTC"])
def test_the_lean_list_is_the_serializer_row_by_row(page, settings, time_zone):
    settings.TIME_ZONE = time_zone
    request = APIRequestFactory().get("/api/v1/recommendations/")
    context = {"request": request}
    rows = Recommendation.objects.filter(pk__in=page).order_by("id")
    lean = RecommendationSerializer(rows.select_related("source"), many=True, context=context).data
    one_by_one = [RecommendationSerializer(r, context=context).data for r in rows.for_representation()]
    assert json.loads(json.dumps(lean)) == json.loads(json.dumps(one_by_one))
    assert [len(row["links"]) for row in lean] == [3, 3, 2]
    assert {row["links"][0]["direction"] for row in lean} == {"outgoing"}


def test_the_api_list_shows_each_recommendation_as_its_detail_does(page, manager_client):
    listed = manager_client.get("/api/v1/recommendations/").json()["results"]
    assert len(listed) == 4
    for row in listed:
        assert manager_client.get(row["url"]).json() == row


def test_orjson_renders_what_the_standard_renderer_renders():
    data = {
        "when": datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
        "local": timezone.localtime(datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)),
        "day": datetime.date(2026, 1, 2),
        "id": uuid.UUID(int=7),
        "label": gettext_lazy("Implemented"),
        "amount": Decimal("1.50"),
        "items": [1, 2.5, None, True, "caf\u00e9 \u2028"],
        "nested": {"tuple": (1, 2)},
    }
    assert json.loads(ORJSONRenderer().render(data)) == json.loads(JSONRenderer().render(data))
    assert ORJSONRenderer().render(None) == b""
    assert ORJSONRenderer().render({1: "a"}) == JSONRenderer().render({1: "a"})  # orjson refuses it: the fallback


def test_the_browsable_api_still_renders(manager_client, page):
    response = manager_client.get("/api/v1/recommendations/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<html" in response.content.lower()
