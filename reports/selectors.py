"""Read queries of the reports: aggregations happen in SQL, in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Model, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.translation import localized, pick
from partners.models import Partner
from recommendations.choices import CLOSED_STATUSES, Response, Status, assessment_disagrees
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation, Source, StatusUpdate


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
    """The progress report: totals, counts by status, by partner and status, by theme and status, overdue, and the
    counts by response as (response, label, count) in the responses' order."""

    overall: StatusRow
    by_partner: list[StatusRow]
    by_theme: list[StatusRow]
    overdue: int
    responses: list[tuple[str, str, int]] = field(default_factory=list)
    #: How many have an independent assessment, and how many of those disagree with the reported status.
    assessed: int = 0
    disagreeing: int = 0

    @property
    def total(self) -> int:
        """Recommendations in the report."""
        return self.overall.total


M = TypeVar("M", bound=Model)


def _ids(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation, Mapping[str, Any]]:
    """The recommendations' primary keys as a subquery (ordering and annotations stripped)."""
    return queryset.order_by().values("pk")


def _within(rows: QuerySet[M], path: str, queryset: QuerySet[Recommendation]) -> QuerySet[M]:
    """``rows`` restricted to the recommendations of ``queryset`` through ``path``; unfiltered, no subquery at all.

    An unfiltered report (the usual one) would otherwise make the database check every row against the whole table.
    """
    if not queryset.query.where:
        return rows
    return rows.filter(**{f"{path}__in": _ids(queryset)})


def partner_status(own: str | None, overall: str) -> str:
    """A recommendation's status as progress with one partner counts it: its own there if recorded, else overall."""
    return own or overall


def progress_summary(*, queryset: QuerySet[Recommendation]) -> ProgressSummary:
    """Aggregate a (filtered) set of recommendations into the progress report, in four queries.

    Partners are grouped by id and their names read afterwards (80 rows, not 250,000 carried through the grouping);
    the overdue count rides along with the counts by status. Unfiltered, no query checks rows against a subquery.
    """
    overall = StatusRow(key="all", label=_("All"))
    overdue_now = Q(target_date__lt=timezone.localdate()) & ~Q(status__in=CLOSED_STATUSES)
    overdue = 0
    responses: dict[str, int] = {}
    status_rows = (
        _within(Recommendation.objects.all(), "pk", queryset)
        .order_by()
        .values("status", "response", "assessment")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_now))
    )
    assessed = disagreeing = 0
    for row in status_rows:  # responses and assessments ride along: a few dozen (status, response, rating) groups
        overall.counts[row["status"]] = overall.counts.get(row["status"], 0) + row["n"]
        responses[row["response"]] = responses.get(row["response"], 0) + row["n"]
        overdue += row["overdue"]
        if row["assessment"]:
            assessed += row["n"]
            disagreeing += row["n"] if assessment_disagrees(row["status"], row["assessment"]) else 0

    # From the recommendations' side: the database walks the compact (status, id) index and each recommendation's
    # partner and theme links, instead of looking up every link's recommendation in the (wide) table for its status.
    recommendations = _within(Recommendation.objects.all(), "pk", queryset).order_by()
    # Progress per partner counts each recommendation at its status with that partner where one is recorded, else
    # at its overall status (``partner_status``).
    partners: dict[int, StatusRow] = {}
    grouped = recommendations.values("status", "partner_links__partner_id", "partner_links__status")
    for partner_link in grouped.annotate(n=Count("pk")):
        if partner_link["partner_links__partner_id"] is not None:
            partner_row = partners.setdefault(partner_link["partner_links__partner_id"], StatusRow(key="", label=""))
            status = partner_status(partner_link["partner_links__status"], partner_link["status"])
            partner_row.counts[status] = partner_row.counts.get(status, 0) + partner_link["n"]
    for pk, slug, name, short_name in (
        Partner.objects.filter(pk__in=list(partners))
        .annotate(shown_name=localized("name"), shown_short_name=localized("short_name"))
        .values_list("pk", "slug", "shown_name", "shown_short_name")
    ):
        partners[pk].key, partners[pk].label = slug, short_name or name

    themes: dict[str, StatusRow] = {}
    names = ["themes__name_ja", "themes__name_en"]
    for theme_link in recommendations.values("status", "themes__slug", *names).annotate(n=Count("pk")):
        if theme_link["themes__slug"] is not None:
            slug = theme_link["themes__slug"]
            label = pick({"name_ja": theme_link["themes__name_ja"], "name_en": theme_link["themes__name_en"]}, "name")
            theme_row = themes.setdefault(slug, StatusRow(key=slug, label=label[0] or slug))
            theme_row.counts[theme_link["status"]] = theme_link["n"]

    return ProgressSummary(
        overall=overall,
        responses=[(value, str(label), responses.get(value, 0)) for value, label in Response.choices],
        assessed=assessed,
        disagreeing=disagreeing,
        by_partner=sorted(partners.values(), key=lambda r: (-r.total, r.label)),
        by_theme=sorted(themes.values(), key=lambda r: (-r.total, r.label)),
        overdue=overdue,
    )


# --- Web pages: status counts, progress over time, the report's lists, partners and sources -------------------------


def status_counts(*, queryset: QuerySet[Recommendation], key: str = "all", label: str | None = None) -> StatusRow:
    """Counts by status of a (filtered) set of recommendations, in one query (labelled "All" unless told)."""
    row = StatusRow(key=key, label=_("All") if label is None else label)
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
    The month of an entry is found by comparing its time with the months' first instants (a CASE of plain
    comparisons the index can serve), not by truncating every entry's time in the time zone, which SQLite does
    in Python, row by row.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    first = date(start.year, start.month, 1)
    months = month_starts(first, end)
    bounds = [datetime.combine(month, time.min, tzinfo=tz) for month in [*months, _next_month(end)]]
    # Bucket -1: everything before the period (its starting point); bucket i: the i-th month of the period.
    bucket = Case(
        *[When(created_at__lt=bound, then=Value(index - 1)) for index, bound in enumerate(bounds[:-1])],
        default=Value(len(months) - 1),
        output_field=IntegerField(),
    )
    entries = _within(StatusUpdate.objects.filter(created_at__lt=bounds[-1]), "recommendation", queryset).order_by()
    deltas: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for arrival in entries.annotate(bucket=bucket).values("bucket", "to_status").annotate(n=Count("pk")):
        deltas[arrival["bucket"]][arrival["to_status"]] += arrival["n"]
    departures = entries.exclude(from_status="").annotate(bucket=bucket).values("bucket", "from_status")
    for departure in departures.annotate(n=Count("pk")):
        deltas[departure["bucket"]][departure["from_status"]] -= departure["n"]

    running = dict.fromkeys(Status.values, 0)
    history = []
    for index in range(-1, len(months)):
        for status, n in deltas.get(index, {}).items():
            running[status] = running.get(status, 0) + n
        if index >= 0:
            history.append(MonthCounts(month=months[index], counts=dict(running)))
    return history


def overdue_recommendations(*, queryset: QuerySet[Recommendation], limit: int = 20) -> list[Recommendation]:
    """The open recommendations of a set whose target date has passed, the longest overdue first."""
    overdue = _within(Recommendation.objects.overdue(), "pk", queryset)
    return list(overdue.order_by("target_date", "reference")[:limit])


def _stale(queryset: QuerySet[Recommendation], days: int) -> QuerySet[Recommendation]:
    """The stale recommendations of a set (the ``stale`` filter: open, no update for ``days``), longest idle first."""
    base = _within(Recommendation.objects.all(), "pk", queryset)
    return RecommendationFilterSet({"stale": str(days)}, queryset=base).qs.order_by("updated_at", "reference")


def stale_count(*, queryset: QuerySet[Recommendation], days: int) -> int:
    """How many recommendations of a set are stale, in one query."""
    return _stale(queryset, days).count()


def stale_recommendations(
    *, queryset: QuerySet[Recommendation], days: int, limit: int = 20, count: int | None = None
) -> tuple[int, list[Recommendation]]:
    """How many recommendations of a set are stale (the ``stale`` filter: open, no update for ``days``), and the first.

    Two queries: the count (unless known, e.g. cached) and the longest idle ones.
    """
    stale = _stale(queryset, days)
    return stale.count() if count is None else count, list(stale[:limit])


def recent_status_changes(*, queryset: QuerySet[Recommendation], limit: int = 10) -> list[StatusUpdate]:
    """The latest status changes (not the first entries) of a set of recommendations, newest first."""
    changes = _within(StatusUpdate.objects.all(), "recommendation", queryset).exclude(from_status="")
    return list(changes.select_related("recommendation", "author").order_by("-created_at", "-id")[:limit])


def _status_count_annotations(path: str) -> dict[str, Count]:
    """One conditional count per status over the recommendations reached by ``path``."""
    return {f"n_{status}": Count(path, filter=Q(**{f"{path}__status": status})) for status in Status.values}


def _row_from_annotations(obj: Any, key: str, label: str) -> StatusRow:
    """A StatusRow from the n_<status> annotations of ``obj``."""
    return StatusRow(key=key, label=label, counts={status: getattr(obj, f"n_{status}") for status in Status.values})


def partners_with_progress() -> list[tuple[Partner, StatusRow]]:
    """Every partner with the counts by status of the recommendations that concern it (at their status with that
    partner where one is recorded, else their overall status), in one query."""
    link, recommendation = "recommendation_links", "recommendation_links__recommendation"
    partners = Partner.objects.order_by(localized("name"), "slug").annotate(
        **{
            f"n_{status}": Count(
                link,
                filter=Q(**{f"{link}__status": status})
                | Q(**{f"{link}__status": "", f"{recommendation}__status": status}),
            )
            for status in Status.values
        }
    )
    return [(partner, _row_from_annotations(partner, partner.slug, partner.label)) for partner in partners]


def sources_with_progress() -> list[tuple[Source, StatusRow]]:
    """Every source with the counts by status of its recommendations, in one query."""
    sources = Source.objects.order_by(F("published_on").desc(nulls_last=True), localized("title"), "slug").annotate(
        **_status_count_annotations("recommendations")
    )
    return [(source, _row_from_annotations(source, source.slug, str(source))) for source in sources]
