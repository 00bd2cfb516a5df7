"""The report's figures are cached until the change feed moves, per filters and language; verify_report_figures
compares the cached figures with a fresh computation."""

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.http import QueryDict

from core.changes import latest_seq
from recommendations.choices import Status
from recommendations.models import Recommendation
from recommendations.services import recommendation_change_status
from reports.figures import ReportFigures, figures_key, report_figures
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def figures(query: str = "") -> ReportFigures:
    return report_figures(queryset=Recommendation.objects.all(), params=QueryDict(query))


def test_figures_are_computed_once_until_the_feed_moves(policy_user, recommendation, django_assert_num_queries):
    first = figures()
    with django_assert_num_queries(1):  # the feed's latest seq only
        assert figures() == first
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS)
    assert figures().summary.overall.counts[Status.IN_PROGRESS] == 1


def test_the_key_holds_the_filters_and_the_language():
    seq = 7
    key = figures_key(seq=seq, params=QueryDict("status=stalled"), period=None, stale_days=None, language="en")
    assert key != figures_key(seq=seq, params=QueryDict("status=proposed"), period=None, stale_days=None, language="en")
    assert key != figures_key(seq=seq, params=QueryDict("status=stalled"), period=None, stale_days=None, language="ja")
    assert key != figures_key(seq=8, params=QueryDict("status=stalled"), period=None, stale_days=None, language="en")
    same = figures_key(seq=seq, params=QueryDict("status=stalled&page=3"), period=None, stale_days=None, language="en")
    assert key == same  # the page does not change the figures


def test_the_report_page_and_api_read_the_cached_figures(manager_client, policy_api, recommendation):
    assert manager_client.get("/reports/progress/").status_code == 200
    assert policy_api.get("/api/v1/reports/progress/").status_code == 200
    call_command("verify_report_figures")  # they match a fresh computation


def test_verify_report_figures_fails_on_a_difference(manager_client, recommendation, capsys):
    manager_client.get("/api/v1/reports/progress/?status=proposed")
    key = figures_key(
        seq=latest_seq(), params=QueryDict("status=proposed"), period=None, stale_days=None, language="en"
    )
    cached = cache.get(key)
    assert cached is not None
    RecommendationFactory(status=Status.PROPOSED)  # written behind the services' back: the feed did not move
    with pytest.raises(CommandError, match="differ"):
        call_command("verify_report_figures", "--query", "status=proposed")
    with pytest.raises(CommandError, match="Invalid filters"):
        call_command("verify_report_figures", "--query", "status=nonsense")
