"""Synthetic data for the benchmark: N recommendations with partners, themes, ~5 timeline entries each and a change
feed, written with bulk inserts and explicit ids so that 100,000 recommendations build in well under a minute."""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import orjson
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction

from core.choices import ChangeAction
from core.models import ApiToken, ChangeEvent
from partners.choices import PartnerKind
from partners.models import Partner
from recommendations.choices import PartnerRole, Priority, SourceKind, Status
from recommendations.models import (
    Recommendation,
    RecommendationLink,
    RecommendationPartner,
    Source,
    StatusUpdate,
    Theme,
)
from recommendations.services.tallies import tallies_rebuild

BATCH = 5000
TIMELINE = 5  # entries per recommendation, the first one its creation
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = 3 * 365
# Status paths a recommendation walks; the last is where it ends up.
PATHS = [
    [Status.PROPOSED, Status.UNDER_REVIEW, Status.IN_PROGRESS, Status.PARTIALLY_IMPLEMENTED, Status.IMPLEMENTED],
    [Status.PROPOSED, Status.UNDER_REVIEW, Status.IN_PROGRESS, Status.STALLED, Status.IN_PROGRESS],
    [Status.PROPOSED, Status.UNDER_REVIEW, Status.STALLED, Status.UNDER_REVIEW, Status.NOT_ADOPTED],
    [Status.PROPOSED, Status.UNDER_REVIEW, Status.IN_PROGRESS, Status.PARTIALLY_IMPLEMENTED, Status.STALLED],
]
# Choices' .values is computed on every access: read once.
PRIORITIES = list(Priority.values)
ROLES = list(PartnerRole.values)
WORDS = [
    "strengthen",
    "maritime",
    "security",
    "cooperation",
    "capacity",
    "building",
    "coast",
    "guard",
    "alliance",
    "guidelines",
    "cyber",
    "defence",
    "exercises",
    "domain",
    "awareness",
    "dialogue",
    "framework",
    "partnership",
    "regional",
    "architecture",
    "climate",
    "disaster",
    "relief",
]


def _tables() -> list[str]:
    """The tables the benchmark fills, children first."""
    models = [
        ChangeEvent,
        RecommendationLink,
        StatusUpdate,
        Recommendation.themes.through,
        RecommendationPartner,
        Recommendation,
        Partner.members.through,
        Partner,
        Theme,
        Source,
        ApiToken,
    ]
    return [model._meta.db_table for model in models]


def wipe() -> None:
    """Empty every table the benchmark fills: TRUNCATE on PostgreSQL, unchecked DELETEs on SQLite (fast paths)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(quote(t) for t in _tables()) + " CASCADE")
        else:
            cursor.execute("PRAGMA foreign_keys=OFF")  # lets SQLite drop whole tables instead of row by row
            for table in _tables():
                cursor.execute(f"DELETE FROM {quote(table)}")
            cursor.execute("PRAGMA foreign_keys=ON")


class _Inserter:
    """Buffered multi-row inserts straight through the DB-API cursor: Django's bulk_create spends most of its time
    building model instances and SQL, which the benchmark's data does not need."""

    def __init__(self, model, columns: list[str]) -> None:
        # Columns the caller does not give: a translated field's English column copies its own column (the data is
        # English), and every other NOT NULL column gets its default (a new field never breaks the benchmark).
        given = set(columns)
        self.extras: list[tuple[int | None, object]] = []
        extra_names = []
        for field in model._meta.concrete_fields:
            if field.name in given or field.primary_key:
                continue
            if field.name.endswith("_en") and field.name[:-3] in given:
                extra_names.append(field.name)
                self.extras.append((columns.index(field.name[:-3]), None))
            elif not field.null:
                extra_names.append(field.name)
                # A unique column (a new object's UUID) takes a fresh default per row; the others one value for all.
                self.extras.append((None, field.get_default if field.unique else field.get_default()))
        columns = [*columns, *extra_names]
        self.fields = [model._meta.get_field(name) for name in columns]
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({placeholders})"
        converters = [self._converter(field) for field in self.fields]
        self.converted = [(index, convert) for index, convert in enumerate(converters) if convert is not None]
        self.rows: list[list | tuple] = []

    @staticmethod
    def _converter(field):
        """A fast value-to-database function for one column (what get_db_prep_save does, without the overhead)."""
        kind = field.get_internal_type()
        sqlite = connection.vendor == "sqlite"
        if kind == "UUIDField":
            return (lambda v: v.hex) if sqlite else None
        if kind == "DateTimeField":
            if sqlite:  # Django stores aware date-times as naive UTC text on SQLite
                return lambda v: (v if v.tzinfo is UTC else v.astimezone(UTC)).isoformat(" ")[:-6]
            return None
        if kind == "DateField":
            return lambda v: None if v is None else v.isoformat()
        if kind == "JSONField":
            if sqlite:
                return lambda v: orjson.dumps(v).decode()
            from psycopg.types.json import Jsonb

            return Jsonb
        return None

    def add(self, *values) -> None:
        if self.extras:
            values = (
                *values,
                *(
                    values[index] if index is not None else default() if callable(default) else default
                    for index, default in self.extras
                ),
            )
        if self.converted:  # only the columns that need it, in place: most values go to the database as they are
            values = list(values)
            for index, convert in self.converted:
                values[index] = convert(values[index])
        self.rows.append(values)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.rows.clear()


class _Texts:
    """Pools of random sentences of a few lengths, drawn from instead of composing every text afresh."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pools = {
            words: [" ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "." for _ in range(500)]
            for words in (7, 12, 30, 60)
        }

    def __call__(self, words: int) -> str:
        return self.rng.choice(self.pools[words])


def build(*, size: int, seed: int = 20261125) -> dict[str, int | float]:
    """Replace the benchmark database's content with ``size`` recommendations; return row counts and seconds."""
    rng = random.Random(seed)
    text = _Texts(rng)
    started = time.perf_counter()
    wipe()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a throwaway database: trade durability for build speed
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
    with transaction.atomic():
        user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
        user.groups.add(Group.objects.get(name="Policy team"))

        themes = _Inserter(Theme, ["id", "uuid", "slug", "name", "description", "version", "created_at", "updated_at"])
        for i in range(1, 21):
            themes.add(i, uuid.UUID(int=i), f"theme-{i}", f"Theme {i}", "", 1, START, START)
        themes.flush()
        kinds = [PartnerKind.COUNTRY] * 60 + [PartnerKind.FRAMEWORK] * 15 + [PartnerKind.REGION] * 5
        partners = _Inserter(
            Partner,
            ["id", "uuid", "slug", "name", "short_name", "kind", "description", "version", "created_at", "updated_at"],
        )
        for i, kind in enumerate(kinds, start=1):
            partners.add(i, uuid.UUID(int=1000 + i), f"partner-{i}", f"Partner {i}", f"P{i}", kind, "", 1, START, START)
        partners.flush()
        n_sources = max(1, size // 200)
        sources = _Inserter(
            Source,
            ["id", "uuid", "slug", "title", "short_title", "kind", "author", "publisher", "url", "description"]
            + ["version", "created_at", "updated_at"],
        )
        for i in range(1, n_sources + 1):
            sources.add(
                i,
                uuid.UUID(int=10_000 + i),
                f"source-{i}",
                f"Source document {i}",
                "",
                SourceKind.REPORT,
                "",
                "",
                "",
                "",
                1,
                START,
                START,
            )
        sources.flush()

        recs = _Inserter(
            Recommendation,
            ["id", "uuid", "reference", "title", "description", "source_excerpt", "source", "section", "status"]
            + ["priority", "team", "target_date", "status_changed_at", "version", "created_at", "updated_at"],
        )
        links = _Inserter(RecommendationPartner, ["id", "recommendation", "partner", "role"])
        through = Recommendation.themes.through
        theme_rows = _Inserter(through, ["id", "recommendation", "theme"])
        entries = _Inserter(
            StatusUpdate,
            [
                "id",
                "uuid",
                "recommendation",
                "from_status",
                "to_status",
                "note",
                "evidence_url",
                "author",
                "created_at",
            ],
        )
        events = _Inserter(
            ChangeEvent,
            ["seq", "action", "object_type", "object_id", "object_repr", "data", "changes", "actor", "actor_name"]
            + ["request_id", "created_at"],
        )
        today = date.today()
        entry_id = event_id = link_id = theme_row_id = 0
        for i in range(1, size + 1):
            created = START + timedelta(days=rng.uniform(0, SPAN_DAYS - 60))
            path = rng.choice(PATHS)
            times = [created] + sorted(created + timedelta(days=rng.uniform(1, 60 * k)) for k in range(1, TIMELINE))
            rec_uuid = uuid.UUID(int=(1 << 64) + i)
            reference = f"BENCH-{i:06d}"
            title = text(7)
            target = today + timedelta(days=rng.randint(-400, 700)) if rng.random() < 0.7 else None
            recs.add(
                i,
                rec_uuid,
                reference,
                title,
                text(60),
                text(30),
                rng.randint(1, n_sources),
                f"Section {rng.randint(1, 12)}",
                path[-1],
                rng.choice(PRIORITIES),
                f"Team {rng.randint(1, 8)}",
                target,
                times[-1],
                TIMELINE,
                created,
                times[-1],
            )
            for partner_id in rng.sample(range(1, len(kinds) + 1), rng.randint(1, 4)):
                link_id += 1
                links.add(link_id, i, partner_id, rng.choice(ROLES))
            for theme_id in rng.sample(range(1, 21), rng.randint(1, 3)):
                theme_row_id += 1
                theme_rows.add(theme_row_id, i, theme_id)
            event_id += 1
            events.add(
                event_id,
                ChangeAction.CREATED,
                "recommendation",
                rec_uuid,
                title[:300],
                {"id": str(rec_uuid), "reference": reference, "title": title, "status": path[0]},
                {},
                user.pk,
                "bench",
                "",
                created,
            )
            previous = ""
            for k, (when, to_status) in enumerate(zip(times, path, strict=True)):
                entry_id += 1
                entry_uuid = uuid.UUID(int=(2 << 64) + entry_id)
                entries.add(entry_id, entry_uuid, i, previous, to_status, "" if k == 0 else text(12), "", user.pk, when)
                event_id += 1
                events.add(
                    event_id,
                    ChangeAction.CREATED,
                    "status_update",
                    entry_uuid,
                    f"{reference}: {previous or '-'} -> {to_status}",
                    {"id": str(entry_uuid), "recommendation": str(rec_uuid), "to_status": to_status},
                    {},
                    user.pk,
                    "bench",
                    "",
                    when,
                )
                previous = to_status
        # Parents before children: the foreign keys are checked as rows arrive.
        for inserter in (recs, links, theme_rows, entries, events):
            inserter.flush()
    _reset_sequences()
    counted = time.perf_counter()
    tallies_rebuild()  # the report's kept counts, as the write path would have left them
    tallies_seconds = round(time.perf_counter() - counted, 1)
    if connection.vendor == "postgresql":
        # As a database that has held these rows for a while has them, after autovacuum: statistics for the planner
        # and the visibility map that lets it answer from an index alone (a fresh bulk load has neither).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "recommendations": size,
        "timeline_entries": entry_id,
        "change_events": event_id,
        "partner_links": link_id,
        "build_seconds": round(time.perf_counter() - started, 1),
        "tallies_seconds": tallies_seconds,
    }


def _reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the explicit ids (SQLite needs nothing)."""
    from django.core.management.color import no_style

    models = [
        Theme,
        Partner,
        Source,
        Recommendation,
        RecommendationPartner,
        Recommendation.themes.through,
        StatusUpdate,
        ChangeEvent,
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
