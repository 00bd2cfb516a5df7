"""Report selectors: counts come from SQL in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recommendations.choices import Status
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation
from reports.selectors import progress_summary
from tests.factories import PartnerFactory, RecommendationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def make(n: int, partners, themes) -> None:
    statuses = [Status.PROPOSED, Status.IN_PROGRESS, Status.IMPLEMENTED]
    for i in range(n):
        RecommendationFactory(
            status=statuses[i % 3],
            partners=partners[: 1 + i % len(partners)],
            themes=themes[: 1 + i % len(themes)],
            target_date=timezone.localdate() - timedelta(days=1) if i % 4 == 0 else None,
        )


def test_summary_counts():
    india, quad = PartnerFactory(slug="india"), PartnerFactory(slug="quad")
    cyber = ThemeFactory(slug="cyber")
    make(6, [india, quad], [cyber])
    summary = progress_summary(queryset=Recommendation.objects.all())
    assert summary.total == 6
    assert summary.overall.counts[Status.IMPLEMENTED] == 2
    assert summary.overall.implemented_share == pytest.approx(2 / 6)
    rows = {row.key: row for row in summary.by_partner}
    assert rows["india"].total == 6 and rows["quad"].total == 3
    assert summary.by_theme[0].total == 6
    # overdue: i = 0 (proposed) and i = 4 (in progress) are open with a past target; i = 8 does not exist
    assert summary.overdue == 2


def test_summary_honours_the_filters():
    india = PartnerFactory(slug="india")
    make(6, [india], [ThemeFactory()])
    filterset = RecommendationFilterSet({"status": ["implemented"]})
    summary = progress_summary(queryset=filterset.qs)
    assert summary.total == 2
    assert summary.by_partner[0].counts == {**dict.fromkeys(Status.values, 0), Status.IMPLEMENTED: 2}


@pytest.mark.parametrize("n", [3, 30])
def test_summary_query_count_does_not_grow(n, django_assert_num_queries):
    make(n, [PartnerFactory(), PartnerFactory()], [ThemeFactory(), ThemeFactory()])
    queryset = RecommendationFilterSet({"partner": [], "status": ["proposed", "implemented"]}).qs
    with django_assert_num_queries(4):
        progress_summary(queryset=queryset)
