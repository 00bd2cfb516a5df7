"""Pages of HTML lists whose rows carry costly annotations."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class LateRowsPaginator(Paginator[Any]):
    """A paginator that reads a page's keys first, by the filters and the order alone, then only that page's rows
    with what they show (annotations, related rows): one query more per page.

    Read in one query, an order the database has to sort (any but the one an index gives) made it compute the
    annotations of every matching row before keeping a page of them (at 100,000, "needs attention" sorted by target
    date: three subqueries for each of 50,000 rows).
    """

    def __init__(self, object_list: Any, per_page: int, *, keys: QuerySet[Any, Any] | None = None, **kwargs: Any):
        """``keys``: where to read the pages' keys instead, in the same order (a query that finds them sooner, such
        as an index's); the rows are still those of ``object_list``."""
        super().__init__(object_list, per_page, **kwargs)
        self.keys = keys

    def page(self, number: int | str) -> Page[Any]:
        """The page ``number``, its rows read by their keys."""
        page = super().page(number)
        if isinstance(page.object_list, QuerySet) and isinstance(self.object_list, QuerySet):
            if self.keys is None:
                keys = list(page.object_list.values_list("pk", flat=True))
            else:
                bottom = (page.number - 1) * self.per_page
                top = bottom + self.per_page
                if top + self.orphans >= self.count:
                    top = self.count
                keys = list(self.keys[bottom:top])
            found = {row.pk: row for row in self.object_list.filter(pk__in=keys)}
            # A row deleted between the two reads is left out rather than failing the page.
            page.object_list = [found[key] for key in keys if key in found]
        return page
