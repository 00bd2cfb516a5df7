"""Pages whose rows are read by their keys (``LateRowsPaginator``) are the pages one query would give."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from core.paging import LateRowsPaginator
from recommendations.models import Recommendation
from recommendations.selectors import with_latest_note
from tests.factories import RecommendationFactory, StatusUpdateFactory

pytestmark = pytest.mark.django_db


def rows(page) -> list[tuple[str, str | None]]:
    return [(row.reference, row.latest_note) for row in page.object_list]


def test_its_pages_are_the_pages_of_one_query_and_read_two_queries_each():
    for i in range(7):
        made = RecommendationFactory(reference=f"R{i}", target_date=None if i % 3 else f"2030-0{1 + i % 5}-01")
        StatusUpdateFactory(recommendation=made, from_status="", to_status=made.status, note=f"note {i}")
    ordered = with_latest_note(Recommendation.objects.all()).order_by("target_date", "-reference")
    late, plain = LateRowsPaginator(ordered, 3), Paginator(ordered, 3)
    assert late.num_pages == plain.num_pages == 3
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as captured:
            page = late.page(number)
        assert len(captured) == 2  # the page's keys, then its rows
        assert rows(page) == rows(plain.page(number))
        assert all(note for _, note in rows(page))


def test_a_row_deleted_between_the_two_reads_is_left_out(monkeypatch):
    for i in range(4):
        RecommendationFactory(reference=f"R{i}")
    paginator = LateRowsPaginator(Recommendation.objects.order_by("reference"), 3)
    paginator.count  # noqa: B018 - counted before the deletion, as a page would be
    values_list = QuerySet.values_list

    def deleted_meanwhile(self, *args, **kwargs):
        keys = list(values_list(self, *args, **kwargs))
        Recommendation.objects.filter(reference="R1").delete()  # another request, between the two reads
        return keys

    monkeypatch.setattr(QuerySet, "values_list", deleted_meanwhile)
    page = paginator.page(1)
    assert [row.reference for row in page.object_list] == ["R0", "R2"]
