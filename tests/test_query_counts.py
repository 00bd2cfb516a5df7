"""Queries per request of every list, report and feed (API and web pages) do not grow with the data."""

import pytest
from django.utils import timezone

from core.choices import ChangeAction
from recommendations.choices import LinkType, Status
from tests.factories import (
    ChangeEventFactory,
    PartnerFactory,
    RecommendationFactory,
    RecommendationLinkFactory,
    SourceFactory,
    StatusUpdateFactory,
    ThemeFactory,
)

#: Every list, report and feed, with the most queries it may take (whatever the data). Web pages include the two
#: permission lookups (the user's and their groups') that check the role.
ENDPOINTS = {
    "/api/v1/recommendations/?page_size=5": 9,
    "/api/v1/recommendations/?page_size=5&partner=qc-partner-0&status=in_progress": 10,
    "/api/v1/recommendations/?page_size=5&ordering=-status": 9,
    "/api/v1/status-updates/?page_size=5": 5,
    "/api/v1/themes/?page_size=5": 5,
    "/api/v1/sources/?page_size=5": 5,
    "/api/v1/partners/?page_size=5": 6,
    "/api/v1/changes/?limit=5": 6,
    "/api/v1/reports/progress/": 16,
    "/api/v1/reports/progress/?partner=qc-partner-0": 10,
    # Reports +1: the change feed's latest seq, the key of the cached figures (reports/figures.py).
    # Pages: +1 the header's unread count; list and report +2 the saved-views menu; detail pages +1 the Watch button.
    # The list reads a page's keys, then its rows (core.paging): +1.
    "/recommendations/": 16,
    "/recommendations/?partner=qc-partner-0&status=in_progress&ordering=target_date": 18,
    "/recommendations/export.csv": 7,
    "/recommendations/export.xlsx": 7,
    "/reports/progress/": 22,
    "/reports/progress/?theme=qc-theme-0": 24,
    "/reports/progress/export.csv": 11,
    # As of a date (TODAY: today's date), between two dates, partners side by side.
    "/recommendations/?as_of=TODAY&status=in_progress": 17,
    "/reports/progress/?as_of=TODAY": 20,  # with its overdue and recent lists, rebuilt
    "/recommendations/export.csv?as_of=TODAY": 8,
    "/reports/progress/export.csv?as_of=TODAY": 11,
    "/reports/compare/?from=TODAY&to=TODAY": 13,
    "/reports/compare/?from=TODAY&to=TODAY&partner=qc-partner-0": 15,
    "/reports/compare/export.csv?from=TODAY&to=TODAY": 8,
    "/reports/partners/side-by-side/": 11,
    "/reports/partners/side-by-side/?theme=qc-theme-0": 13,
    "/partners/": 7,
    "/partners/qc-partner-0/": 12,
    "/sources/": 7,
    "/sources/qc-source-0/": 12,
}
STATUSES = [Status.PROPOSED, Status.IN_PROGRESS, Status.IMPLEMENTED, Status.STALLED]


@pytest.fixture
def grow(db):
    """Add ``n`` recommendations with partners, themes, timelines, links both ways and change-feed items."""
    partners = [PartnerFactory(slug=f"qc-partner-{i}") for i in range(3)]
    themes = [ThemeFactory(slug=f"qc-theme-{i}") for i in range(2)]
    sources = [SourceFactory(slug=f"qc-source-{i}") for i in range(2)]
    made: list = []

    def add(n: int) -> None:
        for _ in range(n):
            i = len(made)
            status = STATUSES[i % len(STATUSES)]
            recommendation = RecommendationFactory(
                status=status, source=sources[i % 2], partners=partners[: 1 + i % 3], themes=themes[: 1 + i % 2]
            )
            StatusUpdateFactory(recommendation=recommendation, from_status="", to_status=Status.PROPOSED)
            if status != Status.PROPOSED:
                StatusUpdateFactory(recommendation=recommendation, from_status=Status.PROPOSED, to_status=status)
            if made:
                RecommendationLinkFactory(
                    from_recommendation=recommendation, to_recommendation=made[-1], link_type=LinkType.SUPERSEDES
                )
            ChangeEventFactory(
                action=ChangeAction.CREATED,
                object_type="recommendation",
                object_id=recommendation.uuid,
                data={"id": str(recommendation.uuid), "url": f"/api/v1/recommendations/{recommendation.uuid}/"},
            )
            made.append(recommendation)

    return add


def read(client, url: str):
    """GET ``url`` and read the whole body (a streamed export runs its queries while it streams)."""
    response = client.get(url)
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("url", list(ENDPOINTS))
def test_queries_per_request_are_the_same_at_two_sizes(
    url, manager_client, grow, django_assert_max_num_queries, django_assert_num_queries
):
    grow(3)
    budget = ENDPOINTS[url]
    url = url.replace("TODAY", timezone.localdate().isoformat())
    with django_assert_max_num_queries(budget) as small:
        response = read(manager_client, url)
    assert response.status_code == 200
    grow(17)
    with django_assert_num_queries(len(small)):
        response = read(manager_client, url)
    assert response.status_code == 200
