"""Read queries for reports: aggregations happen in SQL, in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from partners.models import Partner

from .choices import LINK_INVERSE_LABELS, LinkType, Status
from .models import Recommendation, RecommendationLink, RecommendationPartner, Source, StatusUpdate


@dataclass
class StatusRow:
    """Counts by status for one partner or theme (or for everything)."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Status.values, 0))

    @property
    def total(self) -> int:
        """All recommendations in the row."""
        return sum(self.counts.values())

    @property
    def implemented(self) -> int:
        """Fully implemented ones."""
        return self.counts[Status.IMPLEMENTED]

    @property
    def implemented_share(self) -> float:
        """Implemented as a share of the row's total (0 for an empty row)."""
        return self.implemented / self.total if self.total else 0.0


@dataclass
class ProgressSummary:
    """The progress report: totals, counts by status, by partner and status, by theme and status, overdue."""

    overall: StatusRow
    by_partner: list[StatusRow]
    by_theme: list[StatusRow]
    overdue: int

    @property
    def total(self) -> int:
        """Recommendations in the report."""
        return self.overall.total


def _ids(queryset: QuerySet[Recommendation]) -> QuerySet:
    """The recommendations' primary keys as a subquery (ordering and annotations stripped)."""
    return queryset.order_by().values("pk")


def progress_summary(*, queryset: QuerySet[Recommendation]) -> ProgressSummary:
    """Aggregate a (filtered) set of recommendations into the progress report, in four queries."""
    ids = _ids(queryset)
    overall = StatusRow(key="all", label="All")
    for row in Recommendation.objects.filter(pk__in=ids).order_by().values("status").annotate(n=Count("pk")):
        overall.counts[row["status"]] = row["n"]

    partners: dict[str, StatusRow] = {}
    partner_rows = (
        RecommendationPartner.objects.filter(recommendation__in=ids)
        .order_by()
        .values("partner__slug", "partner__name", "partner__short_name", "recommendation__status")
        .annotate(n=Count("recommendation_id"))
    )
    for row in partner_rows:
        label = row["partner__short_name"] or row["partner__name"]
        partner_row = partners.setdefault(row["partner__slug"], StatusRow(key=row["partner__slug"], label=label))
        partner_row.counts[row["recommendation__status"]] = row["n"]

    themes: dict[str, StatusRow] = {}
    theme_rows = (
        Recommendation.themes.through.objects.filter(recommendation__in=ids)
        .order_by()
        .values("theme__slug", "theme__name", "recommendation__status")
        .annotate(n=Count("recommendation_id"))
    )
    for row in theme_rows:
        theme_row = themes.setdefault(row["theme__slug"], StatusRow(key=row["theme__slug"], label=row["theme__name"]))
        theme_row.counts[row["recommendation__status"]] = row["n"]

    overdue = Recommendation.objects.overdue().filter(pk__in=ids).count()
    return ProgressSummary(
        overall=overall,
        by_partner=sorted(partners.values(), key=lambda r: (-r.total, r.label)),
        by_theme=sorted(themes.values(), key=lambda r: (-r.total, r.label)),
        overdue=overdue,
    )


# --- Links between recommendations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedRecommendation:
    """One link as seen from a recommendation: "supersedes TOK23-07" (outgoing) or "superseded by TOK23-12"."""

    link: RecommendationLink
    outgoing: bool
    other: Recommendation

    @property
    def link_type(self) -> str:
        """The link's type (related, depends_on, supersedes, duplicates)."""
        return self.link.link_type

    @property
    def label(self) -> str:
        """How the link reads from this side: the type's label outgoing, its inverse incoming."""
        if self.outgoing:
            return str(LinkType(self.link.link_type).label)
        return str(LINK_INVERSE_LABELS[LinkType(self.link.link_type)])

    @property
    def note(self) -> str:
        """The note given with the link."""
        return self.link.note

    def __str__(self) -> str:
        return f"{self.label} {self.other.reference}"


def recommendation_links(*, recommendation: Recommendation) -> list[LinkedRecommendation]:
    """Every link of a recommendation, both directions, with the right label, in one query.

    Outgoing links come first, then incoming ones; each group by link type and the other's reference.
    """
    links = RecommendationLink.objects.filter(
        Q(from_recommendation=recommendation) | Q(to_recommendation=recommendation)
    ).select_related("from_recommendation", "to_recommendation")
    items = []
    for link in links:
        outgoing = link.from_recommendation_id == recommendation.pk
        other = link.to_recommendation if outgoing else link.from_recommendation
        items.append(LinkedRecommendation(link=link, outgoing=outgoing, other=other))
    return sorted(items, key=lambda item: (not item.outgoing, item.link_type, item.other.reference))


# --- Web pages: status counts, progress over time, the report's lists, partners and sources -------------------------


def status_counts(*, queryset: QuerySet[Recommendation], key: str = "all", label: str = "All") -> StatusRow:
    """Counts by status of a (filtered) set of recommendations, in one query."""
    row = StatusRow(key=key, label=label)
    rows = Recommendation.objects.filter(pk__in=_ids(queryset)).order_by().values("status").annotate(n=Count("pk"))
    for item in rows:
        row.counts[item["status"]] = item["n"]
    return row


@dataclass
class MonthCounts:
    """How many recommendations stood at each status at the end of one month."""

    month: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """All recommendations that existed at the end of the month."""
        return sum(self.counts.values())


def month_starts(start: date, end: date) -> list[date]:
    """The first day of every month from ``start``'s month to ``end``'s month, inclusive."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def status_history(*, queryset: QuerySet[Recommendation], start: date, end: date) -> list[MonthCounts]:
    """Status counts at the end of each month from ``start`` to ``end``, rebuilt from the timeline in two queries.

    Every recommendation's timeline starts with an entry from "" to its first status and then has one entry per
    change, so grouping the entries by month (in the configured time zone) gives, per month and status, +1 for each
    ``to_status`` and -1 for each ``from_status``. Running sums over that small month × status grid are the counts.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    until = datetime.combine(_next_month(end), time.min, tzinfo=tz)
    entries = StatusUpdate.objects.filter(recommendation__in=_ids(queryset), created_at__lt=until).order_by()
    month = TruncMonth("created_at", tzinfo=tz)
    deltas: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    arrivals = entries.annotate(month=month).values("month", "to_status").annotate(n=Count("pk"))
    for row in arrivals:
        deltas[_as_month(row["month"], tz)][row["to_status"]] += row["n"]
    departures = (
        entries.exclude(from_status="").annotate(month=month).values("month", "from_status").annotate(n=Count("pk"))
    )
    for row in departures:
        deltas[_as_month(row["month"], tz)][row["from_status"]] -= row["n"]

    running = dict.fromkeys(Status.values, 0)
    first = date(start.year, start.month, 1)
    for earlier in sorted(m for m in deltas if m < first):  # the state before the period is its starting point
        for status, n in deltas[earlier].items():
            running[status] = running.get(status, 0) + n
    history = []
    for month_start in month_starts(first, end):
        for status, n in deltas.get(month_start, {}).items():
            running[status] = running.get(status, 0) + n
        history.append(MonthCounts(month=month_start, counts=dict(running)))
    return history


def _as_month(value: date | datetime, tz: ZoneInfo) -> date:
    """The month a truncated timestamp stands for, as the first day of that month in ``tz``."""
    if isinstance(value, datetime):
        value = value.astimezone(tz) if timezone.is_aware(value) else value
        value = value.date()
    return date(value.year, value.month, 1)


def overdue_recommendations(*, queryset: QuerySet[Recommendation], limit: int = 20) -> list[Recommendation]:
    """The open recommendations of a set whose target date has passed, the longest overdue first."""
    overdue = Recommendation.objects.overdue().filter(pk__in=_ids(queryset))
    return list(overdue.order_by("target_date", "reference")[:limit])


def stale_recommendations(
    *, queryset: QuerySet[Recommendation], days: int, limit: int = 20
) -> tuple[int, list[Recommendation]]:
    """How many recommendations of a set are stale (the ``stale`` filter: open, no update for ``days``), and the first.

    Two queries: the count and the longest idle ones.
    """
    from .filtersets import RecommendationFilterSet  # the filter defines what stale means

    base = Recommendation.objects.filter(pk__in=_ids(queryset))
    stale = RecommendationFilterSet({"stale": str(days)}, queryset=base).qs.order_by("updated_at", "reference")
    return stale.count(), list(stale[:limit])


def recent_status_changes(*, queryset: QuerySet[Recommendation], limit: int = 10) -> list[StatusUpdate]:
    """The latest status changes (not the first entries) of a set of recommendations, newest first."""
    changes = StatusUpdate.objects.filter(recommendation__in=_ids(queryset)).exclude(from_status="")
    return list(changes.select_related("recommendation", "author").order_by("-created_at", "-id")[:limit])


def _status_count_annotations(path: str) -> dict[str, Count]:
    """One conditional count per status over the recommendations reached by ``path``."""
    return {f"n_{status}": Count(path, filter=Q(**{f"{path}__status": status})) for status in Status.values}


def _row_from_annotations(obj: Any, key: str, label: str) -> StatusRow:
    """A StatusRow from the n_<status> annotations of ``obj``."""
    return StatusRow(key=key, label=label, counts={status: getattr(obj, f"n_{status}") for status in Status.values})


def partners_with_progress() -> list[tuple[Partner, StatusRow]]:
    """Every partner with the counts by status of the recommendations that concern it, in one query."""
    partners = Partner.objects.order_by("name").annotate(
        **_status_count_annotations("recommendation_links__recommendation")
    )
    return [(partner, _row_from_annotations(partner, partner.slug, partner.label)) for partner in partners]


def sources_with_progress() -> list[tuple[Source, StatusRow]]:
    """Every source with the counts by status of its recommendations, in one query."""
    sources = Source.objects.order_by("-published_on", "title").annotate(**_status_count_annotations("recommendations"))
    return [(source, _row_from_annotations(source, source.slug, str(source))) for source in sources]
