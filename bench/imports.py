"""The import's measurement: applying 100 and 1,000 rows through ``recommendations_import`` against a baseline that
bulk-inserts the same rows with plain ``bulk_create`` (recommendations, partner links, themes, status and response
entries, feed rows), and an update-heavy variant against plain ``bulk_update``.

Each run is rolled back, so every run starts from the same data (the figures leave out the final COMMIT). Planning the
file (``import_plan``) is done before the clock starts: it is what the preview does, and is timed apart.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.choices import ChangeAction
from core.models import ChangeEvent
from core.spreadsheets import table_read, table_write
from recommendations.models import Recommendation, RecommendationPartner, ResponseUpdate, StatusUpdate
from transfer.importing import COLUMNS, JSON_KEY, ImportPlan, import_plan
from transfer.services import recommendations_import

#: Rows per import measured.
ROWS = (100, 1_000)


class _Rollback(Exception):
    """Ends a timed run without keeping what it wrote."""


def _plan(rows: list[dict[str, Any]]) -> tuple[ImportPlan, float]:
    """The plan of a CSV file of ``rows`` and the seconds planning took."""
    headings = [name for name in COLUMNS if name in rows[0]]  # a column left out leaves that field as it is
    content = table_write(
        headings=headings,
        rows=[[row.get(name) for name in headings] for row in rows],
        fmt="csv",
        title="bench",
        json_key=JSON_KEY,
    )
    started = time.perf_counter()
    plan = import_plan(table=table_read(content=content, filename="bench.csv", json_key=JSON_KEY))
    seconds = time.perf_counter() - started
    if plan.has_errors:
        raise RuntimeError(f"the benchmark's file has errors: {plan.error_rows[0].errors}")
    return plan, seconds


def create_rows(count: int) -> list[dict[str, Any]]:
    """Rows that create recommendations with two partners, two themes, a status and a response each."""
    return [
        {
            "reference": f"IMP-{n:05d}",
            "title_en": f"Imported recommendation {n}",
            "description_en": "Imported for the benchmark.",
            "source": "source-1",
            "partners": f"partner-{n % 60 + 1}:lead; partner-{(n + 7) % 60 + 1}:counterpart",
            "themes": f"theme-{n % 20 + 1}; theme-{(n + 3) % 20 + 1}",
            "status": "under_review",
            "status_note": "Imported.",
            "response": "accepted",
            "priority": "high",
        }
        for n in range(count)
    ]


def update_rows(count: int) -> list[dict[str, Any]]:
    """Rows that change the title, status and partners of ``count`` existing open recommendations."""
    found = Recommendation.objects.filter(
        status__in=["proposed", "under_review", "in_progress"], response__in=["no_response", "accepted", "noted"]
    ).order_by("id")[:count]
    return [
        {
            "reference": rec.reference,
            "title_en": f"{rec.title_en or rec.title} (revised)",
            "status": "stalled",
            "status_note": "Work stopped.",
            "partners": "partner-1:lead; partner-2",
        }
        for rec in found
    ]


def _baseline_creates(rows: list[dict[str, Any]], user: Any) -> None:
    """The same rows written with plain bulk_create: no validation, no rules, representations as bare fields."""
    from partners.models import Partner
    from recommendations.models import Source, Theme

    now = timezone.now()
    source = Source.objects.get(slug="source-1")
    partners = {p.slug: p for p in Partner.objects.all()}
    themes = {t.slug: t for t in Theme.objects.all()}
    recs = Recommendation.objects.rewrite(False).bulk_create(
        [
            Recommendation(
                reference=row["reference"],
                title=row["title_en"],
                title_en=row["title_en"],
                description=row["description_en"],
                description_en=row["description_en"],
                source=source,
                status=row["status"],
                response=row["response"],
                response_date=now.date(),
                priority=row["priority"],
                status_changed_at=now,
                created_at=now,
                updated_at=now,
            )
            for row in rows
        ]
    )
    links = RecommendationPartner.objects.bulk_create(
        [
            RecommendationPartner(recommendation=rec, partner=partners[slug], role=role, created_at=now, updated_at=now)
            for rec, row in zip(recs, rows, strict=True)
            for slug, role in (item.strip().split(":") for item in row["partners"].split(";"))
        ]
    )
    through = Recommendation.themes.through
    through.objects.bulk_create(
        [
            through(recommendation_id=rec.pk, theme_id=themes[slug.strip()].pk)
            for rec, row in zip(recs, rows, strict=True)
            for slug in row["themes"].split(";")
        ]
    )
    statuses = StatusUpdate.objects.bulk_create(
        [
            StatusUpdate(recommendation=rec, from_status="", to_status=rec.status, note="Imported.", author=user)
            for rec in recs
        ]
    )
    responses = ResponseUpdate.objects.bulk_create(
        [
            ResponseUpdate(
                recommendation=rec, from_response="no_response", to_response=rec.response, responded_on=now.date()
            )
            for rec in recs
        ]
    )
    _baseline_events([*recs, *links, *statuses, *responses], "created", user)


def _baseline_updates(rows: list[dict[str, Any]], user: Any) -> None:
    """The same updates with plain bulk_update and bulk_create (new title and status, a status entry, feed rows)."""
    now = timezone.now()
    recs = list(Recommendation.objects.filter(reference__in=[row["reference"] for row in rows]))
    titles = {row["reference"]: row["title_en"] for row in rows}
    for rec in recs:
        rec.title = rec.title_en = titles[rec.reference]
        rec.from_status = rec.status
        rec.status, rec.version, rec.updated_at = "stalled", rec.version + 1, now
    Recommendation.objects.rewrite(False).bulk_update(recs, ["title", "title_en", "status", "version", "updated_at"])
    statuses = StatusUpdate.objects.bulk_create(
        [
            StatusUpdate(recommendation=rec, from_status=rec.from_status, to_status="stalled", author=user)
            for rec in recs
        ]
    )
    _baseline_events([*recs, *statuses], "updated", user)


def _baseline_events(objects: list[Any], action: str, user: Any) -> None:
    """One feed row per object, its representation a handful of fields."""
    ChangeEvent.objects.bulk_create(
        [
            ChangeEvent(
                action=ChangeAction(action),
                object_type="recommendation",
                object_id=obj.uuid,
                object_repr=str(obj.pk),
                data={"id": str(obj.uuid)},
                actor=user,
                actor_name=user.get_username(),
            )
            for obj in objects
        ]
    )


def _timed(run: Callable[[], object], repeat: int) -> tuple[list[float], int]:
    """Seconds of each of ``repeat`` rolled-back runs, and the queries of one."""
    seconds, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            try:
                with transaction.atomic():
                    started = time.perf_counter()
                    run()
                    seconds.append(time.perf_counter() - started)
                    raise _Rollback
            except _Rollback:
                pass
        queries = len(captured)
    return seconds, queries


def measure(size: int, repeat: int, say: Callable[[str], None]) -> list[dict[str, Any]]:
    """The import measurements on the data built for ``size`` recommendations (results rows as bench/run.py's)."""
    user = get_user_model().objects.get(username="bench")
    results: list[dict[str, Any]] = []
    variants: list[tuple[str, Callable[[int], list[dict[str, Any]]], Callable[..., None]]] = [
        ("import_create", create_rows, _baseline_creates),
        ("import_update", update_rows, _baseline_updates),
    ]
    for name, make_rows, baseline in variants:
        for count in ROWS:
            rows = make_rows(count)
            if len(rows) < count:
                continue
            plan, plan_seconds = _plan(rows)
            base, base_queries = _timed(lambda rows=rows, write=baseline: write(rows, user), repeat)
            mine, queries = _timed(lambda plan=plan: recommendations_import(plan=plan, actor=user), repeat)
            base_ms, mine_ms = statistics.median(base) * 1000, statistics.median(mine) * 1000
            for row_name, ms, runs, count_queries, ratio in (
                (f"{name}_baseline_{count}", base_ms, base, base_queries, None),
                (f"{name}_{count}", mine_ms, mine, queries, round(mine_ms / base_ms, 2)),
            ):
                results.append(
                    {
                        "name": row_name,
                        "size": size,
                        "median_ms": round(ms, 2),
                        "p95_ms": round(max(runs) * 1000, 2),
                        "queries": count_queries,
                        "ratio": ratio,
                        "rows": count,
                        "plan_ms": round(plan_seconds * 1000, 2),
                    }
                )
            say(
                f"  {name}_{count:<12} {mine_ms / 1000:>7.2f} s  baseline {base_ms / 1000:.2f} s  "
                f"ratio {mine_ms / base_ms:.2f}  ({queries} queries; planning {plan_seconds:.2f} s)"
            )
    return results
