"""The progress report's figures: read from the kept tallies when unfiltered, else cached until the data changes.

The report of every recommendation (the usual one) is read from the tallies the write path keeps in step with every
write (``recommendations.tallies``): a fixed amount of work whatever the number of recommendations, right after a
write as well as later, and never behind the data.

A filtered report is computed from the rows. Every write appends to the change feed in its own transaction
(``core.models.ChangeEvent``), so the feed's latest ``seq`` changes exactly when the data does. The figures (counts
by status, partner, theme and response; the months' counts; how many are stale) are cached in the default cache
(Redis where ``REDIS_URL`` is set) under a key made of that ``seq``, the filters, the options, the language (labels
are words) and the day (overdue is "before today").
A write makes every cached report unreachable at once; nothing has to be invalidated. The figures that depend on the
clock within a day (the ``stale`` count and filter, ``attention``) may lag by ``REPORT_CACHE_SECONDS`` at most.

``manage.py verify_report_figures`` compares the tallies with a full recount, and the cached figures with a fresh
computation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language

from core.changes import latest_seq
from recommendations.models import Recommendation
from recommendations.tallies import reads_tallies

from .selectors import (
    MonthCounts,
    ProgressSummary,
    kept_progress_summary,
    kept_stale_count,
    kept_status_history,
    progress_summary,
    stale_count,
    status_history,
)

#: Bump when ReportFigures changes shape, so that an old process's entries are never read as new ones.
FIGURES_VERSION = 1


@dataclass
class ReportFigures:
    """What the progress report counts: the summary, the months' counts (if asked for) and the stale count."""

    summary: ProgressSummary
    history: list[MonthCounts] | None = None
    stale_count: int | None = None


def figures_key(
    *, seq: int, params: QueryDict, period: tuple[date, date] | None, stale_days: int | None, language: str
) -> str:
    """The cache key of one report's figures: data version, filters, options, language and day."""
    query = sorted((key, sorted(params.getlist(key))) for key in params if key not in {"page", "ordering"})
    parts = [repr(query), repr(period), repr(stale_days), language, timezone.localdate().isoformat()]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"reports:figures:v{FIGURES_VERSION}:{seq}:{digest}"


def kept_figures(*, period: tuple[date, date] | None, stale_days: int | None) -> ReportFigures:
    """The figures of every recommendation, from the tallies."""
    return ReportFigures(
        summary=kept_progress_summary(),
        history=kept_status_history(start=period[0], end=period[1]) if period else None,
        stale_count=kept_stale_count(days=stale_days) if stale_days else None,
    )


def compute_figures(
    *, queryset: QuerySet[Recommendation], period: tuple[date, date] | None, stale_days: int | None
) -> ReportFigures:
    """The figures computed from the recommendations' rows now (no tallies, no cache)."""
    return ReportFigures(
        summary=progress_summary(queryset=queryset),
        history=status_history(queryset=queryset, start=period[0], end=period[1]) if period else None,
        stale_count=stale_count(queryset=queryset, days=stale_days) if stale_days else None,
    )


def report_figures(
    *,
    queryset: QuerySet[Recommendation],
    params: QueryDict,
    period: tuple[date, date] | None = None,
    stale_days: int | None = None,
) -> ReportFigures:
    """The figures of a report: every recommendation's from the tallies; a filtered set's from the cache if the data
    has not changed since they were computed, else computed and cached. ``params`` are the (valid) filters
    ``queryset`` was made from."""
    if reads_tallies(queryset):
        return kept_figures(period=period, stale_days=stale_days)
    timeout = settings.REPORT_CACHE_SECONDS
    if not timeout:
        return compute_figures(queryset=queryset, period=period, stale_days=stale_days)
    key = figures_key(
        seq=latest_seq(), params=params, period=period, stale_days=stale_days, language=get_language() or ""
    )
    figures = cache.get(key)
    if not isinstance(figures, ReportFigures):
        figures = compute_figures(queryset=queryset, period=period, stale_days=stale_days)
        cache.set(key, figures, timeout)
    return figures
