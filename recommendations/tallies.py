"""The progress report's counts, kept up to date in the same transaction as every write.

Counting 100,000 recommendations, their 250,000 partner links and 500,000 timeline entries at every report takes
time in proportion to the data. Instead each recommendation adds *marks* to a few kept counts (``Tally``):

- ``overall``: its status, response and assessment rating (the report's counts by status and response, how many
  are assessed and how many assessments disagree);
- ``due``: if open, its target date (overdue = the open ones due before today);
- ``idle``: if open, the day it was last updated (stale = the open ones idle since before a day);
- ``partner``: each partner it concerns, at its status there where one is recorded, else its overall status;
- ``theme``: each of its themes, at its status;
- ``day``: each timeline entry, +1 for the status it moved to and -1 for the one it left, on the day (in
  ``TIME_ZONE``) it was recorded (the months' counts are running sums of these);
- ``standing``: its status at the end of each day as the as-of views rebuild it (``status_on_expression``), +1 on
  the day it was created, then -1/+1 on each later day that ended at another status: summed up to a day, the
  counts by status of what existed then, exact even where a timeline does not start at the creation (a
  comparison of two dates reads them); laid end to end, one recommendation's ``standing`` marks are also kept as
  rows (``StatusSpan``: from which day to which it stood at which status), so that a comparison finds what moved
  between two dates by index ranges instead of rebuilding every status.

Every write runs under ``core.changes.atomic_write``, which ends by calling :func:`tallies_follow_writes` with the
change feed's ``seq`` from before the write: the recommendations the feed says were written (every change that
moves a count also records the recommendation) get their marks recounted from the tables and the difference from
their last marks (``TallyMarks``) applied to the tallies. Recounting is idempotent: a recommendation whose marks did
not change changes nothing. A write that bypasses the services (raw SQL, a shell) leaves the tallies behind:
``manage.py verify_report_figures`` compares them with a full recount and ``--repair`` rebuilds them, and the daily
job ``verify_report_tallies`` does both.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.apps import apps as live_apps
from django.apps.registry import Apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.feed import feed_type_for
from core.models import ChangeEvent

from .choices import CLOSED_STATUSES, TallyKind

#: A tally's identity: (kind, key, status).
Mark = tuple[str, str, str]

#: A recommendation's status over a run of days: (status, first day, first day at another status or None).
Span = tuple[str, date, date | None]

#: Recommendations whose marks are read or written per query (well under SQLite's bound parameters).
CHUNK = 500


def local_day(moment: datetime) -> str:
    """The day of ``moment`` in ``TIME_ZONE`` as an ISO date (ISO dates compare as text the way days do)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date().isoformat()


def overall_key(response: str, rating: str) -> str:
    """The key of an ``overall`` tally: response and assessment rating."""
    return f"{response}|{rating}"


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def marks_of(pks: list[int], *, apps: Apps = live_apps) -> dict[UUID, Counter[Mark]]:
    """The marks of the recommendations with primary keys ``pks``, as they stand now, in four queries per chunk
    (``apps``: a migration's historical models)."""
    recommendation = apps.get_model("recommendations", "Recommendation")
    partner_link = apps.get_model("recommendations", "RecommendationPartner")
    status_update = apps.get_model("recommendations", "StatusUpdate")
    theme_link = recommendation.themes.through
    found: dict[UUID, Counter[Mark]] = {}
    for chunk in _chunks(pks):
        marks: dict[int, Counter[Mark]] = {}
        uuids: dict[int, UUID] = {}
        statuses: dict[int, str] = {}
        created: dict[int, datetime] = {}
        fields = ("pk", "uuid", "status", "response", "assessment", "target_date", "updated_at", "created_at")
        for pk, uuid, status, response, rating, target_date, updated_at, created_at in recommendation.objects.filter(
            pk__in=chunk
        ).values_list(*fields):
            uuids[pk], statuses[pk], created[pk] = uuid, status, created_at
            counter = marks[pk] = Counter({(TallyKind.OVERALL.value, overall_key(response, rating), status): 1})
            if status not in CLOSED_STATUSES:
                counter[(TallyKind.IDLE.value, local_day(updated_at), "")] += 1
                if target_date:
                    counter[(TallyKind.DUE.value, target_date.isoformat(), "")] += 1
        links = partner_link.objects.filter(recommendation_id__in=chunk).values_list(
            "recommendation_id", "partner_id", "status"
        )
        for pk, partner_id, own in links:
            marks[pk][(TallyKind.PARTNER.value, str(partner_id), own or statuses[pk])] += 1
        for pk, theme_id in theme_link.objects.filter(recommendation_id__in=chunk).values_list(
            "recommendation_id", "theme_id"
        ):
            marks[pk][(TallyKind.THEME.value, str(theme_id), statuses[pk])] += 1
        entries = status_update.objects.filter(recommendation_id__in=chunk).values_list(
            "recommendation_id", "created_at", "id", "from_status", "to_status"
        )
        timelines: dict[int, list[tuple[datetime, int, str, str]]] = {pk: [] for pk in marks}
        for pk, created_at, entry_id, from_status, to_status in entries:
            day = local_day(created_at)
            marks[pk][(TallyKind.DAY.value, day, to_status)] += 1
            if from_status:
                marks[pk][(TallyKind.DAY.value, day, from_status)] -= 1
            timelines[pk].append((created_at, entry_id, from_status, to_status))
        for pk, timeline in timelines.items():
            marks[pk].update(_standing(local_day(created[pk]), statuses[pk], sorted(timeline)))
        for pk, counter in marks.items():
            found[uuids[pk]] = Counter({mark: n for mark, n in counter.items() if n})
    return found


def _standing(created_day: str, status_now: str, timeline: list[tuple[datetime, int, str, str]]) -> Counter[Mark]:
    """The ``standing`` marks of one recommendation created on ``created_day`` from its timeline (ordered entries:
    time, id, from, to): its status at the end of each day exactly as ``status_on_expression`` rebuilds it (the last
    entry's status by then; before any, the first entry's starting status; without entries, its status now)."""
    if timeline:
        _, _, from_status, to_status = timeline[0]
        current = from_status or to_status
    else:
        current = status_now
    ended: dict[str, str] = {}  # the status each day with entries ended at, in order of days
    for created_at, _, _, to_status in timeline:
        ended[local_day(created_at)] = to_status
    for day, status in ended.items():
        if day <= created_day:
            current = status
    marks: Counter[Mark] = Counter({(TallyKind.STANDING.value, created_day, current): 1})
    for day, status in ended.items():
        if day > created_day and status != current:
            marks[(TallyKind.STANDING.value, day, current)] -= 1
            marks[(TallyKind.STANDING.value, day, status)] += 1
            current = status
    return marks


def spans_of(marks: Counter[Mark]) -> list[Span]:
    """One recommendation's ``standing`` marks laid end to end, in order of days: on its first day one status gains
    a mark, on each later day in the marks one loses it and another gains it (``_standing``)."""
    gained = {key: status for (kind, key, status), n in marks.items() if kind == TallyKind.STANDING.value and n > 0}
    days = sorted(gained)
    return [
        (gained[day], date.fromisoformat(day), date.fromisoformat(following) if following else None)
        for day, following in itertools.zip_longest(days, days[1:])
    ]


def _standing_part(marks: Counter[Mark]) -> Counter[Mark]:
    """The ``standing`` marks among a recommendation's marks (what its spans follow from)."""
    return Counter({mark: n for mark, n in marks.items() if mark[0] == TallyKind.STANDING.value})


def _write_spans(spans: dict[int, list[Span]], *, apps: Apps, fresh: bool = False) -> None:
    """Replace the kept spans of the recommendations (primary keys) in ``spans`` with those given (``fresh``: there
    are none kept yet)."""
    status_span = apps.get_model("recommendations", "StatusSpan")
    for chunk in _chunks(sorted(spans)):
        if not fresh:
            status_span.objects.filter(recommendation_id__in=chunk).delete()
        rows = (
            status_span(recommendation_id=pk, status=status, start=start, until=until)
            for pk in chunk
            for status, start, until in spans[pk]
        )
        for batch in _chunks(rows, 2_000):
            status_span.objects.bulk_create(batch)


def _encode(marks: Counter[Mark]) -> list[list[Any]]:
    return [[kind, key, status, n] for (kind, key, status), n in sorted(marks.items())]


def _decode(rows: list[list[Any]]) -> Counter[Mark]:
    return Counter({(kind, key, status): n for kind, key, status, n in rows})


def _apply(delta: Counter[Mark], *, apps: Apps = live_apps) -> None:
    """Add ``delta`` to the tallies: per chunk of marks, one query reads the counts and one upsert writes them (a
    count that reaches zero stays as a zero row: the report and the recount read a missing row as zero)."""
    tally = apps.get_model("recommendations", "Tally")
    changes = {mark: n for mark, n in delta.items() if n}
    for chunk in _chunks(sorted(changes)):
        wanted = Q()
        for kind, key, status in chunk:
            wanted |= Q(kind=kind, key=key, status=status)
        counts = {
            (kind, key, status): n
            for kind, key, status, n in tally.objects.filter(wanted).values_list("kind", "key", "status", "n")
        }
        tally.objects.bulk_create(
            [
                tally(
                    kind=kind,
                    key=key,
                    status=status,
                    n=counts.get((kind, key, status), 0) + changes[(kind, key, status)],
                )
                for kind, key, status in chunk
            ],
            update_conflicts=True,
            unique_fields=["kind", "key", "status"],
            update_fields=["n"],
        )


def tallies_refresh(*, uuids: Iterable[UUID], apps: Apps = live_apps) -> int:
    """Recount the marks of the recommendations ``uuids`` (existing or deleted) and apply the difference to the
    tallies; return how many recommendations' marks changed. Call inside the write's transaction."""
    recommendation = apps.get_model("recommendations", "Recommendation")
    tally_marks = apps.get_model("recommendations", "TallyMarks")
    changed = 0
    for chunk in _chunks(sorted(set(uuids))):
        pks = dict(recommendation.objects.filter(uuid__in=chunk).values_list("uuid", "pk"))
        now = marks_of(list(pks.values()), apps=apps)
        last = dict(
            tally_marks.objects.filter(recommendation_uuid__in=chunk).values_list("recommendation_uuid", "marks")
        )
        delta: Counter[Mark] = Counter()
        written, gone = [], []
        moved: dict[int, list[Span]] = {}  # the recommendations whose spans changed (a deletion takes its own)
        for uuid in chunk:
            before = _decode(last[uuid]) if uuid in last else Counter()
            after = now.get(uuid, Counter())
            if before == after:
                continue
            changed += 1
            delta.update(after)
            delta.subtract(before)
            if uuid in now:
                written.append(tally_marks(recommendation_uuid=uuid, marks=_encode(after)))
                if _standing_part(before) != _standing_part(after):
                    moved[pks[uuid]] = spans_of(after)
            else:
                gone.append(uuid)
        _apply(delta, apps=apps)
        if moved and _keeps_spans(apps):
            _write_spans(moved, apps=apps)
        if written:
            tally_marks.objects.bulk_create(
                written, update_conflicts=True, unique_fields=["recommendation_uuid"], update_fields=["marks"]
            )
        if gone:
            tally_marks.objects.filter(recommendation_uuid__in=gone).delete()
    return changed


def tallies_follow_writes(since_seq: int) -> None:
    """Bring the tallies up to date with the recommendations the change feed recorded after ``since_seq`` (called by
    ``core.changes.atomic_write`` at the end of every write, inside its transaction)."""
    object_type = feed_type_for(live_apps.get_model("recommendations", "Recommendation")).object_type
    written = (
        ChangeEvent.objects.filter(seq__gt=since_seq, object_type=object_type)
        .values_list("object_id", flat=True)
        .distinct()
    )
    uuids = list(written)
    if uuids:
        tallies_refresh(uuids=uuids)


def recount(*, apps: Apps = live_apps) -> tuple[Counter[Mark], dict[UUID, Counter[Mark]]]:
    """Every recommendation's marks and their sum, from the tables (what the tallies should hold)."""
    recommendation = apps.get_model("recommendations", "Recommendation")
    marks: dict[UUID, Counter[Mark]] = {}
    pks = recommendation.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5_000)
    for chunk in _chunks(pks, 5_000):
        marks.update(marks_of(chunk, apps=apps))
    total: Counter[Mark] = Counter()
    for counter in marks.values():
        total.update(counter)
    return Counter({mark: n for mark, n in total.items() if n}), marks


def kept(*, apps: Apps = live_apps) -> Counter[Mark]:
    """What the tallies hold now."""
    tally = apps.get_model("recommendations", "Tally")
    rows = tally.objects.exclude(n=0).values_list("kind", "key", "status", "n")
    return Counter({(kind, key, status): n for kind, key, status, n in rows})


def differences(expected: Counter[Mark], actual: Counter[Mark]) -> list[tuple[Mark, int, int]]:
    """The tallies that differ: (mark, expected, actual), in order."""
    return [
        (mark, expected.get(mark, 0), actual.get(mark, 0))
        for mark in sorted(set(expected) | set(actual))
        if expected.get(mark, 0) != actual.get(mark, 0)
    ]


def _keeps_spans(apps: Apps) -> bool:
    """Whether the models of ``apps`` keep status spans (a migration before they were added does not)."""
    return "statusspan" in apps.all_models["recommendations"]


def _spans_by_pk(marks: dict[UUID, Counter[Mark]], *, apps: Apps) -> dict[int, list[Span]]:
    """The spans that recounted ``marks`` give, by recommendation primary key."""
    recommendation = apps.get_model("recommendations", "Recommendation")
    pks = dict(recommendation.objects.values_list("uuid", "pk"))
    return {pks[uuid]: spans_of(counter) for uuid, counter in marks.items() if uuid in pks}


def _as_marks(spans: Iterable[tuple[int, str, date, date | None]]) -> Counter[Mark]:
    """Spans (recommendation, status, start, until) as marks of kind ``span``, so that the verification compares and
    shows them as it does the tallies."""
    return Counter({("span", f"{pk} {start}…{until or ''}", status): 1 for pk, status, start, until in spans})


def kept_spans(*, apps: Apps = live_apps) -> Counter[Mark]:
    """The spans kept now, as marks (``_as_marks``)."""
    status_span = apps.get_model("recommendations", "StatusSpan")
    return _as_marks(status_span.objects.values_list("recommendation_id", "status", "start", "until").iterator())


def _replace(
    total: Counter[Mark],
    marks: dict[UUID, Counter[Mark]],
    *,
    apps: Apps,
    spans: dict[int, list[Span]] | None = None,
) -> None:
    """Replace the tallies, every recommendation's marks and the spans with those of a recount (``spans``: the
    spans its marks give, when the caller has them already)."""
    tally = apps.get_model("recommendations", "Tally")
    tally_marks = apps.get_model("recommendations", "TallyMarks")
    tally.objects.all().delete()
    tally_marks.objects.all().delete()
    if _keeps_spans(apps):
        apps.get_model("recommendations", "StatusSpan").objects.all().delete()
        _write_spans(_spans_by_pk(marks, apps=apps) if spans is None else spans, apps=apps, fresh=True)
    rows = (tally(kind=kind, key=key, status=status, n=n) for (kind, key, status), n in sorted(total.items()))
    for chunk in _chunks(rows, 2_000):
        tally.objects.bulk_create(chunk)
    kept_marks = (tally_marks(recommendation_uuid=uuid, marks=_encode(counter)) for uuid, counter in marks.items())
    for chunk in _chunks(kept_marks, 2_000):
        tally_marks.objects.bulk_create(chunk)


def rebuild(*, apps: Apps = live_apps) -> int:
    """Replace the tallies and every recommendation's marks with a full recount; return the recommendations
    counted. Call inside a write's transaction (``services.tallies_rebuild``) or a migration."""
    total, marks = recount(apps=apps)
    _replace(total, marks, apps=apps)
    return len(marks)


@dataclass
class TallyCheck:
    """The tallies compared with a full recount: how many recommendations were counted, which tallies (and status
    spans, as marks of kind ``span``) differed ((kind, key, status), recounted, kept) and whether they were replaced
    by the recount."""

    counted: int
    differences: list[tuple[Mark, int, int]]
    repaired: bool = False


def check(*, repair: bool) -> TallyCheck:
    """Recount every recommendation once and compare with the tallies; with ``repair``, replace the tallies by that
    recount where they differ (inside a write's transaction: ``services.tallies_repair``)."""
    total, marks = recount()
    spans = _spans_by_pk(marks, apps=live_apps)
    expected_spans = _as_marks((pk, *span) for pk, listed in spans.items() for span in listed)
    found = differences(total, kept()) + differences(expected_spans, kept_spans())
    if found and repair:
        _replace(total, marks, apps=live_apps, spans=spans)
    return TallyCheck(counted=len(marks), differences=found, repaired=bool(found and repair))


def reads_tallies(queryset: QuerySet[Any]) -> bool:
    """Whether the counts of a set of recommendations come from the tallies: it is every recommendation, unfiltered,
    and the tallies are in use (``REPORT_TALLIES``)."""
    return not queryset.query.where and settings.REPORT_TALLIES
