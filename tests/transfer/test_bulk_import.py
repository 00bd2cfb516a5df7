"""The bulk import writes what the per-row services would: the same recommendations, links, timelines and change-feed
events; it refuses a stale plan; and its number of queries does not grow with the number of rows."""

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.changes import VersionConflict, atomic_write
from core.models import ChangeEvent
from partners.services import partner_create
from recommendations.models import Recommendation, RecommendationPartner, ResponseUpdate, StatusUpdate
from recommendations.services import (
    recommendation_create,
    recommendation_update,
    source_create,
    theme_create,
)
from tests.factories import PartnerFactory, SourceFactory, ThemeFactory, UserFactory
from transfer.importing import ImportPlan
from transfer.services import recommendations_import

from .helpers import db_state, exported, file_bytes, plan_for

pytestmark = pytest.mark.django_db

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T[\d:.]+([+-]\d{2}:\d{2}|Z)?$")


class Rollback(Exception):
    """Leaves a savepoint without keeping what was written in it."""


@atomic_write
def apply_per_row(*, plan: ImportPlan, actor: Any) -> None:
    """The plan applied as the import did before it was bulk: one service call per object and per row."""
    creators = {"source": source_create, "partner": partner_create, "theme": theme_create}
    made = {new: creators[new.kind](actor=actor, data=new.data) for new in plan.new_objects}
    for row in plan.rows:
        if row.action == "create":
            recommendation_create(actor=actor, **row.resolved(made))
        elif row.action == "update":
            recommendation_update(
                recommendation=row.recommendation, actor=actor, data=row.resolved(made), expected_version=row.version
            )


def normalised(value: Any) -> Any:
    """A representation without what differs between two runs: ids, URLs with ids, and times."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, str):
        return TIME.sub("<time>", UUID.sub("<uuid>", value))
    return value


def snapshot(since: int) -> dict[str, Any]:
    """Everything an import writes, without ids and times, and the change-feed events after ``since``."""
    skip = {"id", "uuid", "created_at", "updated_at", "status_changed_at", "source", "lead", "agency"}
    recommendations = [
        {
            **{k: v for k, v in row.items() if k not in skip},
            "source": row["source__slug"],
        }
        for row in Recommendation.objects.order_by("reference").values(
            *[f.attname for f in Recommendation._meta.concrete_fields if f.attname not in skip], "source__slug"
        )
    ]
    return {
        "recommendations": recommendations,
        "links": list(
            RecommendationPartner.objects.order_by("recommendation__reference", "partner__slug").values_list(
                "recommendation__reference", "partner__slug", "role", "status", "version"
            )
        ),
        "themes": sorted(Recommendation.themes.through.objects.values_list("recommendation__reference", "theme__slug")),
        "statuses": list(
            StatusUpdate.objects.order_by("recommendation__reference", "id").values_list(
                "recommendation__reference", "from_status", "to_status", "note", "evidence_url", "author__username"
            )
        ),
        "responses": list(
            ResponseUpdate.objects.order_by("recommendation__reference", "id").values_list(
                "recommendation__reference", "from_response", "to_response", "responded_on", "note", "author__username"
            )
        ),
        "feed": [
            (event.action, event.object_type, event.object_repr, normalised(event.data), normalised(event.changes))
            + (event.actor_name,)
            for event in ChangeEvent.objects.filter(seq__gt=since).order_by("seq")
        ],
    }


def applied(apply: Any, plan: ImportPlan, actor: Any) -> dict[str, Any]:
    """What applying ``plan`` with ``apply`` writes, then rolled back."""
    since = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    try:
        with transaction.atomic():
            apply(plan=plan, actor=actor)
            state = snapshot(since)
            raise Rollback
    except Rollback:
        pass
    return state


@pytest.fixture
def base(policy_user):
    """Recommendations made through the services (so that the change feed has their earlier representations)."""
    source = SourceFactory(slug="report", title="Report")
    japan, australia, india = (PartnerFactory(slug=s, name=s.title()) for s in ("japan", "australia", "india"))
    PartnerFactory(slug="quad", name="Quad")
    maritime, cyber = ThemeFactory(slug="maritime", name="Maritime"), ThemeFactory(slug="cyber", name="Cyber")
    recommendation_create(
        actor=policy_user,
        source=source,
        reference="OLD-01",
        title_en="Old one",
        description_en="First.",
        partners=[(japan, "addressee"), (australia, "counterpart"), (india, "")],
        themes=[maritime],
    )
    recommendation_create(
        actor=policy_user, source=source, reference="OLD-02", title_en="Old two", description_en="Second."
    )
    recommendation_create(
        actor=policy_user,
        source=source,
        reference="OLD-03",
        title_en="Old three",
        description_en="Third.",
        status="implemented",
        themes=[cyber],
    )
    recommendation_create(
        actor=policy_user, source=source, reference="OLD-04", title_en="Old four", description_en="Fourth."
    )
    return policy_user


def mixed_plan() -> ImportPlan:
    """Creates and updates that change fields, status, response, partners and themes, with new partners and themes."""
    old1, old2, old3, old4 = exported("OLD-01", "OLD-02", "OLD-03", "OLD-04")
    old1.update(
        title_en="Old one, sharper",
        partners="japan:addressee; australia:lead; quad",
        themes="cyber; Space",
        status="in_progress",
        status_note="Talks began.",
    )
    old2.update(response="rejected", status_note="Declined in writing.", response_date="2026-01-15")
    old3.update(status="in_progress", status_note="Reopened after review.", team="Desk B")
    rows = [
        old1,
        old2,
        old3,
        old4,  # unchanged
        {
            "reference": "NEW-01",
            "title_en": "Open an office",
            "title_ja": "事務所を開設する",
            "description_en": "Open a liaison office.",
            "source": "report",
            "partners": "australia:lead; Atlantis:counterpart",
            "themes": "maritime; cyber",
            "status": "under_review",
            "status_note": "Being studied.",
            "response": "accepted",
            "response_date": "2026-02-01",
            "priority": "high",
        },
        {
            "reference": "NEW-02",
            "title_en": "Rejected at once",
            "description_en": "Something refused.",
            "source": "report",
            "response": "rejected",
            "status_note": "No.",
        },
    ]
    plan = plan_for(file_bytes(rows), create_missing=True)
    assert not plan.has_errors, [row.errors for row in plan.rows]
    assert plan.counts == {"create": 2, "update": 3, "unchanged": 1, "error": 0}
    assert {new.slug for new in plan.new_objects} == {"space", "atlantis"}
    return plan


def test_bulk_import_writes_what_the_per_row_services_write(base):
    plan = mixed_plan()
    bulk = applied(recommendations_import, plan, base)
    per_row = applied(apply_per_row, plan, base)
    assert bulk["recommendations"] == per_row["recommendations"]
    assert bulk["links"] == per_row["links"]
    assert bulk["themes"] == per_row["themes"]
    assert bulk["statuses"] == per_row["statuses"]
    assert bulk["responses"] == per_row["responses"]
    assert len(bulk["feed"]) == len(per_row["feed"])
    for bulk_event, per_row_event in zip(bulk["feed"], per_row["feed"], strict=True):
        assert bulk_event == per_row_event
    # The comparison is about something: every kind of write happened.
    kinds = {(action, object_type) for action, object_type, *_rest in bulk["feed"]}
    assert {
        ("created", "recommendation"),
        ("updated", "recommendation"),
        ("created", "partner_status"),
        ("updated", "partner_status"),
        ("deleted", "partner_status"),
        ("created", "status_update"),
        ("created", "response_update"),
        ("created", "theme"),
        ("created", "partner"),
    } <= kinds
    updated = [entry for entry in bulk["feed"] if entry[:2] == ("updated", "recommendation")]
    assert all(entry[4] for entry in updated), "every update says what changed"


def test_a_stale_plan_writes_nothing(base):
    plan = mixed_plan()
    recommendation_update(
        recommendation=Recommendation.objects.get(reference="OLD-03"), actor=base, data={"team": "Someone else"}
    )
    before = db_state()
    with pytest.raises(VersionConflict):
        recommendations_import(plan=plan, actor=base)
    assert db_state() == before


def test_a_reference_added_since_the_plan_writes_nothing(base):
    plan = mixed_plan()
    recommendation_create(
        actor=base, source=SourceFactory(slug="report"), reference="new-01", title_en="Early", description_en="Mine."
    )
    before = db_state()
    with pytest.raises(ValidationError, match="new-01"):
        recommendations_import(plan=plan, actor=base)
    assert db_state() == before


def test_progress_is_reported_by_chunk(base, monkeypatch):
    monkeypatch.setattr("transfer.services.CHUNK_ROWS", 2)
    seen: list[tuple[int, int]] = []
    recommendations_import(plan=mixed_plan(), actor=base, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]


def import_queries(rows: list[dict], actor: Any) -> int:
    """How many queries applying a file's rows takes."""
    plan = plan_for(file_bytes(rows))
    assert not plan.has_errors, [row.errors for row in plan.rows]
    with CaptureQueriesContext(connection) as queries:
        recommendations_import(plan=plan, actor=actor)
    return len(queries)


def create_rows(prefix: str, count: int) -> list[dict]:
    """Rows that create recommendations with partners, themes, a status and a response."""
    return [
        {
            "reference": f"{prefix}-{n:03d}",
            "title_en": f"Title {n}",
            "description_en": "Text.",
            "source": "report",
            "partners": "japan:addressee; australia:lead",
            "themes": "maritime; cyber",
            "status": "under_review",
            "response": "accepted",
            "status_note": "Noted.",
        }
        for n in range(count)
    ]


def test_the_number_of_queries_does_not_grow_with_the_rows(base):
    # A fixed number of queries per chunk of CHUNK_ROWS rows. Both sizes stay within one chunk, and within one
    # statement of SQLite's bulk inserts (Django splits those at 999 parameters; PostgreSQL needs no split).
    small = import_queries(create_rows("SMALL", 4), base)
    large = import_queries(create_rows("LARGE", 16), base)
    assert small == large

    def updates(prefix: str) -> list[dict]:
        rows = exported(
            *Recommendation.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
        )
        for row in rows:
            row.update(title_en=row["title_en"] + " (new)", partners="japan:addressee; india", status="in_progress")
        return rows

    assert import_queries(updates("SMALL"), base) == import_queries(updates("LARGE"), base)


def test_an_import_by_a_user_is_authored_by_them(base):
    other = UserFactory(username="importer", policy=True)
    recommendations_import(plan=mixed_plan(), actor=other)
    assert set(StatusUpdate.objects.filter(recommendation__reference="NEW-01").values_list("author", flat=True)) == {
        other.pk
    }
    assert set(ChangeEvent.objects.filter(actor_name="importer").values_list("object_type", flat=True)) >= {
        "recommendation",
        "status_update",
        "response_update",
        "partner_status",
    }
