"""Fixtures of the recommendation tests beyond the shared ones in tests/conftest.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recommendations.choices import Priority, Status
from recommendations.models import Recommendation
from recommendations.services import recommendation_change_status, recommendation_create
from tests.factories import PartnerFactory, RecommendationFactory, SourceFactory, ThemeFactory


@pytest.fixture
def implemented(policy_user, source, partner, theme):
    """A second recommendation, already implemented (a closed status: reopening it needs a note)."""
    rec = recommendation_create(
        actor=policy_user,
        source=source,
        reference="TST-02",
        title="Hold a yearly dialogue",
        description="Hold a yearly maritime dialogue.",
        partners=[(partner, "")],
        themes=[theme],
    )
    recommendation_change_status(recommendation=rec, actor=policy_user, status=Status.IMPLEMENTED)
    rec.refresh_from_db()
    return rec


@pytest.fixture
def catalogue():
    """Three recommendations that each filter tells apart (the filterset, the web list and its exports use them)."""
    india = PartnerFactory(slug="india", name="India")
    quad = PartnerFactory(slug="quad", name="Quad")
    cyber = ThemeFactory(slug="cyber", name="Cyber")
    maritime = ThemeFactory(slug="maritime", name="Maritime")
    report = SourceFactory(slug="report-b", title="Report B")
    today = timezone.localdate()
    a = RecommendationFactory(
        reference="A",
        title="Active cyber defence",
        partners=[india, quad],
        themes=[cyber],
        priority=Priority.HIGH,
        team="Cyber policy",
        target_date=today - timedelta(days=3),
    )
    b = RecommendationFactory(
        reference="B",
        title="Coast guards",
        partners=[quad],
        themes=[maritime],
        status=Status.IN_PROGRESS,
        target_date=today + timedelta(days=30),
        source=report,
    )
    c = RecommendationFactory(
        reference="C",
        title="Old and done",
        description="Underwater clearance of ordnance",
        themes=[maritime, cyber],
        status=Status.IMPLEMENTED,
        target_date=today - timedelta(days=300),
        priority=Priority.LOW,
    )
    Recommendation.objects.filter(pk=c.pk).update(updated_at=timezone.now() - timedelta(days=120))
    Recommendation.objects.filter(pk=a.pk).update(updated_at=timezone.now() - timedelta(days=45))
    return a, b, c
