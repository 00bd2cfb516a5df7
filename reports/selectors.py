"""Read queries of the reports: aggregations happen in SQL, in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Field,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from core.translation import localized, pick
from partners.models import Partner
from recommendations.choices import CLOSED_STATUSES, Response, Status, TallyKind, assessment_disagrees
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import (
    Assessment,
    PartnerStatusUpdate,
    Recommendation,
    RecommendationPartner,
    ResponseUpdate,
    Source,
    StatusSpan,
    StatusUpdate,
    Tally,
    Theme,
)
from recommendations.selectors import (
    end_of_day,
    existing_on,
    rating_on_expression,
    response_on_expression,
    span_status_on_expression,
    status_on_expression,
)
from recommendations.tallies import reads_tallies


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


def _response_rows(responses: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """Counts by response as the report shows them: (response, label, count) for every response, in their order."""
    return [(value, str(label), responses.get(value, 0)) for value, label in Response.choices]


def _theme_rows(recommendations: QuerySet[Recommendation], status: str) -> list[StatusRow]:
    """Counts by theme and status (the ``status`` column or annotation) of a set of recommendations, in one grouped
    query, each theme labelled by its name in the reader's language (else its slug)."""
    themes: dict[str, StatusRow] = {}
    names = ["themes__name_ja", "themes__name_en"]
    for theme_link in recommendations.values(status, "themes__slug", *names).annotate(n=Count("pk")):
        if theme_link["themes__slug"] is not None:
            slug = theme_link["themes__slug"]
            label = pick({"name_ja": theme_link["themes__name_ja"], "name_en": theme_link["themes__name_en"]}, "name")
            theme_row = themes.setdefault(slug, StatusRow(key=slug, label=label[0] or slug))
            theme_row.counts[theme_link[status]] = theme_link["n"]
    return _largest_first(themes.values())


def _largest_first(rows: Iterable[StatusRow]) -> list[StatusRow]:
    """Rows of a report's tables in their order: the most recommendations first, then by label."""
    return sorted(rows, key=lambda r: (-r.total, r.label))


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
    _partner_labels(partners)

    themes = _theme_rows(recommendations, "status")

    return ProgressSummary(
        overall=overall,
        responses=_response_rows(responses),
        assessed=assessed,
        disagreeing=disagreeing,
        by_partner=_largest_first(partners.values()),
        by_theme=themes,
        overdue=overdue,
    )


# --- The unfiltered report from the kept tallies (``recommendations.tallies``): a fixed, small amount of work ------


def _kept(*kinds: str) -> QuerySet[Tally, tuple[str, str, str, int]]:
    return Tally.objects.filter(kind__in=kinds).exclude(n=0).values_list("kind", "key", "status", "n")


def _theme_labels(rows: dict[int, StatusRow]) -> None:
    """Fill in the key (slug) and label (name in the reader's language, else the slug) of theme rows, in one query."""
    for pk, slug, name in (
        Theme.objects.filter(pk__in=list(rows)).annotate(shown=localized("name")).values_list("pk", "slug", "shown")
    ):
        rows[pk].key, rows[pk].label = slug, name or slug


def kept_progress_summary() -> ProgressSummary:
    """The progress report of every recommendation, read from the tallies in four queries whatever their number:
    the same figures as ``progress_summary`` of all recommendations."""
    overall = StatusRow(key="all", label=_("All"))
    responses: dict[str, int] = {}
    assessed = disagreeing = 0
    partners: dict[int, StatusRow] = {}
    themes: dict[int, StatusRow] = {}
    for kind, key, status, n in _kept(TallyKind.OVERALL, TallyKind.PARTNER, TallyKind.THEME):
        if kind == TallyKind.OVERALL:
            response, rating = key.split("|", 1)
            overall.counts[status] = overall.counts.get(status, 0) + n
            responses[response] = responses.get(response, 0) + n
            if rating:
                assessed += n
                disagreeing += n if assessment_disagrees(status, rating) else 0
        else:
            rows = partners if kind == TallyKind.PARTNER else themes
            row = rows.setdefault(int(key), StatusRow(key="", label=""))
            row.counts[status] = row.counts.get(status, 0) + n
    _partner_labels(partners)
    _theme_labels(themes)
    today = timezone.localdate().isoformat()
    overdue = Tally.objects.filter(kind=TallyKind.DUE, key__lt=today).aggregate(n=Sum("n"))["n"] or 0
    return ProgressSummary(
        overall=overall,
        responses=_response_rows(responses),
        assessed=assessed,
        disagreeing=disagreeing,
        by_partner=_largest_first(row for row in partners.values() if row.key),
        by_theme=_largest_first(row for row in themes.values() if row.key),
        overdue=overdue,
    )


def kept_status_history(*, start: date, end: date, whole_months: bool = True) -> list[MonthCounts]:
    """``status_history`` of every recommendation, from the tallies of status changes by day, in one query: the
    changes summed by month in the database (a few hundred rows), then running sums."""
    months = month_starts(date(start.year, start.month, 1), end)
    after = (_next_month(end) if whole_months else end + timedelta(days=1)).isoformat()
    by_month = (
        Tally.objects.filter(kind=TallyKind.DAY, key__lt=after)
        .annotate(month=Substr("key", 1, 7))
        .values("month", "status")
        .annotate(n=Sum("n"))
    )
    index = {month.isoformat()[:7]: i for i, month in enumerate(months)}
    deltas: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in by_month:
        deltas[index.get(row["month"], -1)][row["status"]] += row["n"]  # -1: before the first month
    return _running_counts(months, deltas)


def kept_stale_count(*, days: int) -> int:
    """``stale_count`` of every recommendation from the tallies: the open ones last updated on a day before the
    cutoff's, plus those updated on that day before the cutoff (an indexed range), in two queries."""
    cutoff = timezone.now() - timedelta(days=days)
    zone = timezone.get_default_timezone()  # the tallies' days are in TIME_ZONE (``tallies.local_day``)
    day = timezone.localtime(cutoff, zone).date()
    before: int = Tally.objects.filter(kind=TallyKind.IDLE, key__lt=day.isoformat()).aggregate(n=Sum("n"))["n"] or 0
    since = datetime.combine(day, time.min, tzinfo=zone)
    boundary: int = Recommendation.objects.open().filter(updated_at__gte=since, updated_at__lte=cutoff).count()
    return before + boundary


# --- Web pages: status counts, progress over time, the report's lists, partners and sources -------------------------


def status_counts(*, queryset: QuerySet[Recommendation], key: str = "all", label: str | None = None) -> StatusRow:
    """Counts by status of a (filtered) set of recommendations, in one query (labelled "All" unless told): every
    recommendation's from the tallies."""
    row = StatusRow(key=key, label=_("All") if label is None else label)
    if reads_tallies(queryset):
        for status, n in Tally.objects.filter(kind=TallyKind.OVERALL).exclude(n=0).values_list("status", "n"):
            row.counts[status] = row.counts.get(status, 0) + n
        return row
    rows = _within(Recommendation.objects.all(), "pk", queryset).order_by().values("status").annotate(n=Count("pk"))
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


def status_history(
    *, queryset: QuerySet[Recommendation], start: date, end: date, whole_months: bool = True
) -> list[MonthCounts]:
    """Status counts at the end of each month from ``start`` to ``end`` (``whole_months`` off: the last month ends
    with ``end``, as of a day within it), rebuilt from the timeline in two queries.

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
    last = datetime.combine(_next_month(end), time.min, tzinfo=tz) if whole_months else end_of_day(end)
    bounds = [*(datetime.combine(month, time.min, tzinfo=tz) for month in months), last]
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

    return _running_counts(months, deltas)


def status_history_on(*, queryset: QuerySet[Recommendation], start: date, day: date) -> list[MonthCounts]:
    """``status_history`` of a (filtered) set from ``start`` as it stood at the end of ``day`` (the last month ends
    there): every recommendation's from the kept changes by day (``kept_status_history``)."""
    if reads_tallies(queryset):
        return kept_status_history(start=start, end=day, whole_months=False)
    return status_history(queryset=queryset, start=start, end=day, whole_months=False)


def _running_counts(months: list[date], deltas: Mapping[int, Mapping[str, int]]) -> list[MonthCounts]:
    """The counts at each month's end: running sums of the changes by month (``deltas[i]`` for ``months[i]``,
    ``deltas[-1]`` for everything before the first month)."""
    running = dict.fromkeys(Status.values, 0)
    history = []
    for index in range(-1, len(months)):
        for status, n in deltas.get(index, {}).items():
            running[status] = running.get(status, 0) + n
        if index >= 0:
            history.append(MonthCounts(month=months[index], counts=dict(running)))
    return history


def overdue_recommendations(
    *, queryset: QuerySet[Recommendation], limit: int = 20, day: date | None = None
) -> list[Recommendation]:
    """The open recommendations of a set whose target date has passed, the longest overdue first; as of a past
    ``day``, those open then (annotated ``status_on``, their status then) with a target date before it."""
    if day is None:
        overdue = _within(Recommendation.objects.overdue(), "pk", queryset)
    else:
        due = existing_on(Recommendation.objects.filter(target_date__lt=day), day)
        overdue = _within(due, "pk", queryset).exclude(Q(status_on__in=CLOSED_STATUSES))  # the status then
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


def recent_status_changes(
    *, queryset: QuerySet[Recommendation], limit: int = 10, day: date | None = None
) -> list[StatusUpdate]:
    """The latest status changes (not the first entries) of a set of recommendations, newest first; as of a past
    ``day``, the latest by its end."""
    changes = _within(StatusUpdate.objects.all(), "recommendation", queryset).exclude(from_status="")
    if day is not None:
        changes = changes.filter(created_at__lt=end_of_day(day))
    # The latest entries alone first (newest first along an index, stopping at ``limit``), then their rows: with
    # the joins in the same query, SQLite with table statistics (ANALYZE) sorted every entry instead.
    latest = changes.order_by("-created_at", "-id").values("pk")[:limit]
    rows = StatusUpdate.objects.filter(pk__in=latest).select_related("recommendation", "author")
    return list(rows.order_by("-created_at", "-id"))


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


# --- As of a date, between two dates, partners side by side -------------------------------------------------------


def _partner_labels(rows: dict[int, StatusRow]) -> None:
    """Fill in the key (slug) and label (short name, else name, in the reader's language) of partner rows, in one
    query."""
    for pk, slug, name, short_name in (
        Partner.objects.filter(pk__in=list(rows))
        .annotate(shown_name=localized("name"), shown_short_name=localized("short_name"))
        .values_list("pk", "slug", "shown_name", "shown_short_name")
    ):
        rows[pk].key, rows[pk].label = slug, short_name or name


def progress_summary_on(*, queryset: QuerySet[Recommendation], day: date) -> ProgressSummary:
    """The progress report of a (filtered) set as it stood at the end of ``day``: only the recommendations that
    existed then, each at its status, response and latest assessment's rating then; per partner, at its status with
    that partner then where one was recorded, else its overall status then. Overdue: open then, with a target date
    (today's) before that day. From the kept status spans (``_summary_from_spans``), else rebuilt from the timelines
    (``_summary_rebuilt``): both give the same figures."""
    return _summary_from_spans(queryset, day) if settings.REPORT_TALLIES else _summary_rebuilt(queryset, day)


def _summary_from_spans(queryset: QuerySet[Recommendation], day: date) -> ProgressSummary:
    """``progress_summary_on`` counted from the kept status spans at ``day`` in a fixed number of queries: each
    recommendation's status then is its span's (read with the counts by status, the partners' and the themes' links,
    where the rebuild looked every status up in the timeline three times); its response and rating are today's
    except for the few with a response timeline or an assessment by then (rebuilt, and the counts corrected), and
    likewise each partner link counts at the overall status then except where the partner's own status was recorded
    by then."""
    until = end_of_day(day)
    overall = kept_counts_on(day) if reads_tallies(queryset) else _span_counts_on(queryset, day)
    overall.key, overall.label = "all", _("All")

    existing = _within(Recommendation.objects.filter(created_at__lt=until), "pk", queryset).order_by()
    responses: dict[str, int] = defaultdict(int)
    responses.update(existing.values_list("response").annotate(n=Count("pk")))
    # Driven from the (few) responses' and assessments' rows, each recommendation's existence then read off it.
    existed = Case(When(created_at__lt=until, then=Value(True)), default=Value(False))
    responded = _within(
        Recommendation.objects.filter(pk__in=ResponseUpdate.objects.values("recommendation_id")), "pk", queryset
    )
    for response_now, response_then, existing_then, n in (
        responded.annotate(response_then=response_on_expression(day), existed=existed)
        .values_list("response", "response_then", "existed")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if existing_then:
            responses[response_now] -= n
            responses[response_then] += n

    assessed = disagreeing = 0
    assessments_then = Assessment.objects.filter(created_at__lt=until).values("recommendation_id")
    assessed_then = _within(Recommendation.objects.filter(pk__in=assessments_then), "pk", queryset)
    ratings = (
        assessed_then.annotate(status_then=span_status_on_expression(day), rating_then=rating_on_expression(day))
        .values_list("status_then", "rating_then")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for status, rating, n in ratings:
        if status:  # null: it did not exist yet
            assessed += n
            disagreeing += n if assessment_disagrees(status, rating) else 0

    partners = _linked_counts_on(day, queryset, RecommendationPartner, "partner")
    for partner_id, overall_then, own_then in _own_statuses_on(queryset, day):
        partner_row = partners[partner_id]
        partner_row.counts[overall_then] -= 1
        own = partner_status(own_then, overall_then)
        partner_row.counts[own] = partner_row.counts.get(own, 0) + 1
    _partner_labels(partners)
    themes = _linked_counts_on(day, queryset, Recommendation.themes.through, "theme")
    _theme_labels(themes)

    return ProgressSummary(
        overall=overall,
        responses=_response_rows(responses),
        assessed=assessed,
        disagreeing=disagreeing,
        by_partner=_largest_first(partners.values()),
        by_theme=_largest_first(themes.values()),
        overdue=_overdue_on(day, queryset),
    )


def _column(model: type[Model], name: str) -> str:
    """The quoted column of one of a model's fields, for the SQL written here."""
    column = cast(Field[Any, Any], model._meta.get_field(name)).column
    assert column is not None  # a concrete field
    return connection.ops.quote_name(column)


def _table(model: type[Model]) -> str:
    """The quoted table of a model, for the SQL written here."""
    return connection.ops.quote_name(model._meta.db_table)


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The rows of the SQL written here."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _sql_within(column: str, queryset: QuerySet[Recommendation]) -> tuple[str, list[Any]]:
    """An SQL condition (and its parameters) restricting ``column`` to the keys of a filtered set (none when it is
    every recommendation)."""
    if not queryset.query.where:
        return "", []
    subquery, params = _ids(queryset).query.sql_with_params()
    return f" AND {column} IN ({subquery})", list(params)


def _span_at(alias: str, day: date) -> tuple[str, list[Any]]:
    """The SQL condition (and parameters) that a kept span (``alias``) ran at the end of ``day``:
    ``StatusSpan.objects.running_on`` in SQL."""
    start, until = _column(StatusSpan, "start"), _column(StatusSpan, "until")
    value = connection.ops.adapt_datefield_value(day)
    return f"{alias}.{start} <= %s AND ({alias}.{until} > %s OR {alias}.{until} IS NULL)", [value, value]


def _linked_counts_on(
    day: date, queryset: QuerySet[Recommendation], links: type[Model], target: str
) -> dict[int, StatusRow]:
    """Counts by status then of the (filtered) recommendations that existed at the end of ``day``, per partner or
    theme they are linked to (``links``: the links' model, ``target``: the field to group by), unlabelled.

    In SQL, to choose the plan: the spans running then first, each one's links looked up (``CROSS JOIN`` keeps that
    order on SQLite, which otherwise read every link and looked each one's spans up: four times as long; PostgreSQL
    plans it as a plain join)."""
    span_table, link_table = _table(StatusSpan), _table(links)
    key, recommendation = _column(links, target), _column(links, "recommendation")
    span_recommendation, status = _column(StatusSpan, "recommendation"), _column(StatusSpan, "status")
    at_day, params = _span_at("s", day)
    within, within_params = _sql_within(f"s.{span_recommendation}", queryset)
    sql = (
        f"SELECT l.{key}, s.{status}, COUNT(*) FROM {span_table} s CROSS JOIN {link_table} l"
        f" WHERE l.{recommendation} = s.{span_recommendation} AND {at_day}{within} GROUP BY l.{key}, s.{status}"
    )
    rows: dict[int, StatusRow] = {}
    for pk, status_then, n in _rows(sql, [*params, *within_params]):
        rows.setdefault(pk, StatusRow(key="", label="")).counts[status_then] = n
    return rows


def _overdue_on(day: date, queryset: QuerySet[Recommendation]) -> int:
    """How many of the (filtered) recommendations were open at the end of ``day`` with a target date (today's)
    before it: those due before it first (an index range), each one's span then looked up (in SQL, as
    ``_linked_counts_on``, to keep that order: from the spans it took twenty times as long)."""
    recommendation_table, span_table = _table(Recommendation), _table(StatusSpan)
    pk, target = _column(Recommendation, "id"), _column(Recommendation, "target_date")
    span_recommendation, status = _column(StatusSpan, "recommendation"), _column(StatusSpan, "status")
    at_day, params = _span_at("s", day)
    within, within_params = _sql_within(f"r.{pk}", queryset)
    closed = ", ".join(["%s"] * len(CLOSED_STATUSES))
    sql = (
        f"SELECT COUNT(*) FROM {recommendation_table} r CROSS JOIN {span_table} s"
        f" WHERE s.{span_recommendation} = r.{pk} AND r.{target} < %s AND {at_day}"
        f" AND s.{status} NOT IN ({closed}){within}"
    )
    due = connection.ops.adapt_datefield_value(day)
    [(count,)] = _rows(sql, [due, *params, *sorted(CLOSED_STATUSES), *within_params])
    return int(count)


def _own_statuses_on(queryset: QuerySet[Recommendation], day: date) -> list[tuple[int, str, str]]:
    """(partner, overall status then, own status then) of each partner link of the (filtered) recommendations that
    existed at the end of ``day`` whose partner's own status had been recorded by then: the last entry of that
    partner's timeline by then, read in one pass over those entries (few: most links never have one)."""
    until = end_of_day(day)
    entries = _within(PartnerStatusUpdate.objects.filter(created_at__lt=until), "recommendation", queryset)
    linked = RecommendationPartner.objects.filter(
        recommendation=OuterRef("recommendation_id"), partner=OuterRef("partner_id")
    )
    latest: dict[tuple[int, int], tuple[str, str]] = {}
    for recommendation_id, partner_id, own, overall_then in (
        entries.filter(Exists(linked))
        .annotate(overall_then=span_status_on_expression(day, recommendation="recommendation_id"))
        .order_by("created_at", "id")
        .values_list("recommendation_id", "partner_id", "to_status", "overall_then")
    ):
        if overall_then:  # null: the recommendation did not exist yet
            latest[(recommendation_id, partner_id)] = (overall_then, own)
    return [(partner_id, overall_then, own) for (_, partner_id), (overall_then, own) in latest.items()]


def _summary_rebuilt(queryset: QuerySet[Recommendation], day: date) -> ProgressSummary:
    """The progress report as it stood at the end of ``day``, rebuilt from the timelines in four queries (what the
    kept spans are checked against, and the report with ``REPORT_TALLIES`` off): only the recommendations that existed
    then, each at its status, response and latest assessment's rating then (``status_on_expression``,
    ``response_on_expression``, ``rating_on_expression``); per partner, at its status with that partner then where
    one was recorded (rebuilt from the partners' timeline), else its overall status then. Overdue: open then, with a
    target date (today's) before that day."""
    until = end_of_day(day)
    existing = _within(Recommendation.objects.filter(created_at__lt=until), "pk", queryset).order_by()
    status_then = status_on_expression(day)
    overall = StatusRow(key="all", label=_("All"))
    responses: dict[str, int] = {}
    overdue = assessed = disagreeing = 0
    rows = existing.annotate(
        status_then=status_then, response_then=response_on_expression(day), rating_then=rating_on_expression(day)
    ).values("status_then", "response_then", "rating_then", "target_date")
    for row in rows.annotate(n=Count("pk")):
        status, rating, n = row["status_then"], row["rating_then"], row["n"]
        overall.counts[status] = overall.counts.get(status, 0) + n
        responses[row["response_then"]] = responses.get(row["response_then"], 0) + n
        if rating:
            assessed += n
            disagreeing += n if assessment_disagrees(status, rating) else 0
        if row["target_date"] and row["target_date"] < day and status not in CLOSED_STATUSES:
            overdue += n

    own_then = (
        PartnerStatusUpdate.objects.filter(
            recommendation=OuterRef("recommendation_id"), partner=OuterRef("partner_id"), created_at__lt=until
        )
        .order_by("-created_at", "-id")
        .values("to_status")[:1]
    )
    links = _within(
        RecommendationPartner.objects.filter(recommendation__created_at__lt=until), "recommendation", queryset
    ).order_by()
    partners: dict[int, StatusRow] = {}
    grouped = links.annotate(
        own=Subquery(own_then), overall=status_on_expression(day, recommendation="recommendation_id")
    ).values("partner_id", "own", "overall")
    for link in grouped.annotate(n=Count("pk")):
        partner_row = partners.setdefault(link["partner_id"], StatusRow(key="", label=""))
        status = partner_status(link["own"], link["overall"])
        partner_row.counts[status] = partner_row.counts.get(status, 0) + link["n"]
    _partner_labels(partners)

    themes = _theme_rows(existing.annotate(status_then=status_then), "status_then")

    return ProgressSummary(
        overall=overall,
        responses=_response_rows(responses),
        assessed=assessed,
        disagreeing=disagreeing,
        by_partner=_largest_first(partners.values()),
        by_theme=themes,
        overdue=overdue,
    )


@dataclass
class StatusMove:
    """One recommendation in a comparison of two dates: its status at the first (blank if it did not exist yet)
    and at the second."""

    recommendation: Recommendation
    before: str
    after: str


@dataclass
class StatusComparison:
    """What changed between two dates: counts by status at each, the recommendations that moved (from → to) and
    those added in between (``moved``/``added`` hold the first ones by reference when the comparison was asked for a
    limited number; ``moved_count``/``added_count`` count them all)."""

    start: date
    end: date
    counts_start: StatusRow
    counts_end: StatusRow
    moved: list[StatusMove]
    added: list[StatusMove]
    moved_count: int
    added_count: int

    @property
    def rows(self) -> list[tuple[str, str, int, int, int]]:
        """(status, label, count at the start, count at the end, change) in lifecycle order."""
        rows = []
        for value, label in Status.choices:
            before, after = self.counts_start.counts.get(value, 0), self.counts_end.counts.get(value, 0)
            rows.append((value, str(label), before, after, after - before))
        return rows

    @property
    def total_change(self) -> int:
        """How many more recommendations there were at the end than at the start."""
        return self.counts_end.total - self.counts_start.total


def _touched(
    queryset: QuerySet[Recommendation], since: datetime, until: datetime | None = None
) -> QuerySet[Recommendation]:
    """The recommendations of a set added, or with a timeline entry, from ``since`` (until ``until``): the only ones
    whose status can differ between those two moments (found by index ranges, not by rebuilding every status)."""
    window = Q(created_at__gte=since) & (Q(created_at__lt=until) if until else Q())
    added = Recommendation.objects.filter(window).order_by().values("pk")
    moved = StatusUpdate.objects.filter(window).order_by().values("recommendation_id")
    # A union of two index ranges: "added or moved" as one condition made the database read every recommendation.
    return _within(Recommendation.objects.filter(pk__in=added.union(moved)), "pk", queryset)


def kept_counts_on(day: date) -> StatusRow:
    """Counts by status of every recommendation that existed at the end of ``day``, at its status then, from the
    ``standing`` tallies in one query (a sum over at most a few rows per day): ``status_counts`` of
    ``existing_on(day)``."""
    row = StatusRow(key=day.isoformat(), label=day.isoformat())
    standing = Tally.objects.filter(kind=TallyKind.STANDING, key__lte=day.isoformat()).values("status")
    row.counts.update({r["status"]: r["n"] for r in standing.annotate(n=Sum("n")).order_by() if r["n"]})
    return row


def _counts_at_end(queryset: QuerySet[Recommendation], end: date) -> StatusRow:
    """Counts by status of a (filtered) set at the end of ``end``, counted from its rows: the counts now with the
    recommendations touched since taken back to their status then (or out, if added later)."""
    end_until = end_of_day(end)
    counts = dict(status_counts(queryset=queryset).counts)
    later = _touched(queryset, end_until).annotate(
        status_end=status_on_expression(end),
        existed=Case(When(created_at__lt=end_until, then=Value(True)), default=Value(False)),
    )
    for row in later.order_by().values("status", "status_end", "existed").annotate(n=Count("pk")):
        counts[row["status"]] = counts.get(row["status"], 0) - row["n"]
        if row["existed"]:
            counts[row["status_end"]] = counts.get(row["status_end"], 0) + row["n"]
    at_end = StatusRow(key=end.isoformat(), label=end.isoformat())
    at_end.counts.update({status: n for status, n in counts.items() if n})
    return at_end


def _spans_begun(start: date, end: date) -> QuerySet[StatusSpan]:
    """The kept spans that began after the end of ``start`` and still ran at the end of ``end``: one for each
    recommendation added in between or whose status changed then (if only to change back)."""
    return StatusSpan.objects.running_on(end).filter(start__gt=start)


def _span_pairs(queryset: QuerySet[Recommendation], start: date, end: date) -> dict[tuple[str, str], int]:
    """How many of the (filtered) recommendations went from which status at the end of ``start`` (blank: it did not
    exist yet) to which at the end of ``end``, counted over those whose kept span at ``end`` began after ``start``
    (one for each added in between or whose status changed, if only to change back).

    Two index ranges: the spans at ``end`` that began after ``start``, and the spans at ``start`` that ended by
    ``end`` (every recommendation that existed at ``start`` and changed has one); paired up here, in one pass over
    what changed. Looking each status at ``start`` up in SQL instead took twice as long on both databases.
    """
    ended = StatusSpan.objects.filter(start__lte=start, until__gt=start, until__lte=end)
    before = dict(_within(ended, "recommendation", queryset).values_list("recommendation_id", "status"))
    after = _within(_spans_begun(start, end), "recommendation", queryset).values_list("recommendation_id", "status")
    return dict(Counter((before.get(pk, ""), status) for pk, status in after))


def _span_counts_on(queryset: QuerySet[Recommendation], day: date) -> StatusRow:
    """Counts by status of the (filtered) recommendations that existed at the end of ``day``, from their kept spans
    then: one per recommendation, found through each one's spans (``_counts_at_end`` rebuilt every recommendation
    touched since, which for a date long past is nearly all of them)."""
    at_day = StatusSpan.objects.running_on(day)
    rows = _within(at_day, "recommendation", queryset).order_by().values_list("status").annotate(n=Count("pk"))
    counted = StatusRow(key=day.isoformat(), label=day.isoformat())
    counted.counts.update(dict(rows))
    return counted


#: About how many times more it costs to sort a recommendation among those that changed than to pass one by in a
#: walk of the references (both databases, ``make bench``): what ``_walk_references`` weighs.
SORT_COST = 10


def _walk_references(*, found: int, changed: int, existing: int, limit: int | None) -> bool:
    """Whether the first ``limit`` (all: None) of ``found`` recommendations among ``existing`` are listed sooner by
    walking the references in order until enough turned up (about ``limit / found`` of the way) than by sorting the
    ``changed`` ones they are among: a busy period is walked, a quiet one sorted."""
    walked = existing if limit is None or found <= limit else existing * limit / found
    return walked < SORT_COST * changed


def _span_listing(
    queryset: QuerySet[Recommendation], start: date, end: date, *, added: bool, walk: bool, limit: int | None
) -> list[StatusMove]:
    """The first ``limit`` (all: None) of the (filtered) recommendations by reference that moved between the ends of
    ``start`` and ``end`` (``added``: that were added in between), with their statuses then from the kept spans;
    ``walk``: along the references without first restricting them to those whose span began in between."""
    began = _spans_begun(start, end)
    if not walk:
        queryset = queryset.filter(pk__in=began.values("recommendation_id"))
    rows = queryset.select_related("source").annotate(
        status_start=Coalesce(span_status_on_expression(start), Value(""), output_field=CharField()),
        status_end=Subquery(began.filter(recommendation=OuterRef("pk")).values("status")[:1]),
    )
    wanted = Q(status_start="") if added else ~Q(status_start="") & ~Q(status_start=F("status_end"))
    listed = rows.filter(wanted, status_end__isnull=False).order_by("reference", "pk")[:limit]
    return [StatusMove(row, row.status_start, row.status_end) for row in listed]


def _moved_and_added(pairs: Mapping[tuple[str, str], int]) -> tuple[int, int]:
    """How many of counted (status before, status after) pairs moved (from one status to another) and how many
    were added (from none)."""
    moved = sum(n for (before, after), n in pairs.items() if before and before != after)
    return moved, sum(n for (before, _after), n in pairs.items() if not before)


def _moves_from_spans(
    queryset: QuerySet[Recommendation], start: date, end: date, limit: int | None
) -> tuple[dict[tuple[str, str], int], list[StatusMove], list[StatusMove]]:
    """How many (filtered) recommendations went from which status at ``start`` to which at ``end`` (from blank:
    added), and the first moves and additions by reference (all without ``limit``), from the kept spans; a listing
    with nothing to list is not read."""
    pairs = _span_pairs(queryset, start, end)
    changed = sum(pairs.values())
    moved_count, added_count = _moved_and_added(pairs)
    found = {"moved": moved_count, "added": added_count}
    existing = kept_counts_on(end).total if any(found.values()) else 0
    listed = {
        kind: _span_listing(
            queryset,
            start,
            end,
            added=kind == "added",
            walk=_walk_references(found=n, changed=changed, existing=existing, limit=limit),
            limit=limit,
        )
        if n
        else []
        for kind, n in found.items()
    }
    return pairs, listed["moved"], listed["added"]


def _moves_rebuilt(
    queryset: QuerySet[Recommendation], start: date, end: date, limit: int | None
) -> tuple[dict[tuple[str, str], int], list[StatusMove], list[StatusMove]]:
    """What ``_moves_from_spans`` gives, rebuilt from the timeline instead (``status_on_expression``) for the
    recommendations added or with a timeline entry in between: the reference the kept spans are checked against."""
    start_until, end_until = end_of_day(start), end_of_day(end)
    between = _touched(queryset, start_until, end_until).filter(created_at__lt=end_until)
    added_between = Q(created_at__gte=start_until)
    rebuilt = between.annotate(
        # Those added in between had no status at the start: not rebuilt (a CASE evaluates only its branch).
        status_start=Case(
            When(added_between, then=Value("")), default=status_on_expression(start), output_field=CharField()
        ),
        status_end=status_on_expression(end),
    )
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    moves: list[tuple[int, str, str]] = []
    additions: list[tuple[int, str, str]] = []
    for pk, before, after in rebuilt.order_by("reference", "pk").values_list("pk", "status_start", "status_end"):
        pairs[(before, after)] += 1
        if not before:
            additions.append((pk, "", after))
        elif before != after:
            moves.append((pk, before, after))
    listed = [*moves[:limit], *additions[:limit]]
    found = Recommendation.objects.select_related("source").in_bulk([pk for pk, _, _ in listed])
    # ``found`` misses one deleted between the two queries: it is left out rather than failing the page.
    return (
        dict(pairs),
        [StatusMove(found[pk], before, after) for pk, before, after in moves[:limit] if pk in found],
        [StatusMove(found[pk], before, after) for pk, before, after in additions[:limit] if pk in found],
    )


def status_comparison(
    *, queryset: QuerySet[Recommendation], start: date, end: date, limit: int | None = None
) -> StatusComparison:
    """Compare a (filtered) set of recommendations at the ends of two dates, in a few queries whatever the number of
    rows, with work in proportion to what changed between them; ``limit``: list only the first moves and additions
    by reference (their counts stay complete).

    Only recommendations added or whose status changed between the dates can stand differently at them: the kept
    status spans that began in between find them by an index range (with ``REPORT_TALLIES`` off, the timeline
    rebuilds them instead), giving the moves, the additions and the difference between the two dates' counts.
    Unfiltered, the counts at each date are the ``standing`` tallies summed up to it; filtered, the counts at the
    second date are counted from the spans then (``_span_counts_on``; without the tallies, from the rows:
    ``_counts_at_end``) and those at the first follow from the difference.
    """
    moves_of = _moves_from_spans if settings.REPORT_TALLIES else _moves_rebuilt
    pairs, moved, added = moves_of(queryset, start, end, limit)
    difference: dict[str, int] = defaultdict(int)
    for (before, after), n in pairs.items():
        difference[after] += n
        if before:
            difference[before] -= n
    if reads_tallies(queryset):
        counts_start, counts_end = kept_counts_on(start), kept_counts_on(end)
    else:
        counts_end = _span_counts_on(queryset, end) if settings.REPORT_TALLIES else _counts_at_end(queryset, end)
        counts_start = StatusRow(key=start.isoformat(), label=start.isoformat())
        for status in set(counts_end.counts) | set(difference):
            if n := counts_end.counts.get(status, 0) - difference.get(status, 0):
                counts_start.counts[status] = n
    moved_count, added_count = _moved_and_added(pairs)
    return StatusComparison(
        start=start,
        end=end,
        counts_start=counts_start,
        counts_end=counts_end,
        moved=moved,
        added=added,
        moved_count=moved_count,
        added_count=added_count,
    )


def partners_side_by_side(
    *, queryset: QuerySet[Recommendation], partners: QuerySet[Partner] | None = None
) -> list[StatusRow]:
    """For each partner, the counts by status of the (filtered) recommendations that concern it, at their status with
    that partner where one is recorded, else their overall status (``partner_status``), the most concerned first; only
    ``partners`` when given. Two queries whatever the number of rows: the grouped counts and the partners' names."""
    rows: dict[int, StatusRow] = {}
    if reads_tallies(queryset):  # every recommendation: the partners' tallies
        tallied = Tally.objects.filter(kind=TallyKind.PARTNER).exclude(n=0)
        if partners is not None:
            tallied = tallied.filter(key__in=[str(pk) for pk in partners.values_list("pk", flat=True)])
        for key, status, n in tallied.values_list("key", "status", "n"):
            row = rows.setdefault(int(key), StatusRow(key="", label=""))
            row.counts[status] = row.counts.get(status, 0) + n
    else:
        links = _within(RecommendationPartner.objects.all(), "recommendation", queryset).order_by()
        if partners is not None:
            links = links.filter(partner__in=partners)
        for link in links.values("partner_id", "status", "recommendation__status").annotate(n=Count("pk")):
            row = rows.setdefault(link["partner_id"], StatusRow(key="", label=""))
            status = partner_status(link["status"], link["recommendation__status"])
            row.counts[status] = row.counts.get(status, 0) + link["n"]
    _partner_labels(rows)
    return sorted((row for row in rows.values() if row.key), key=lambda r: (-r.total, r.label.casefold(), r.key))
