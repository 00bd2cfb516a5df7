"""Logical backups: a consistent, versioned JSON of everything the tracker holds, and its restore.

The backup holds themes, partners, sources, recommendations with their partners and themes, the status timeline,
links, the change feed (with its sequence numbers, so external tools' cursors stay valid), groups with their
permissions and users with their group membership. It holds no passwords, sessions or API tokens: restored users get
unusable passwords and must reset them; tokens must be issued again.

A restore writes rows as they were (ids, versions, timestamps, authors) and bypasses the services on purpose: it
recreates history rather than making new changes, so it adds nothing to the change feed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from core.models import ApiToken, ChangeEvent
from core.translation import CANONICAL_LANGUAGE, canonical_language, column, columns, translated_fields
from partners.models import Partner
from recommendations.models import (
    ATTACHMENT_FIELDS,
    Assessment,
    Evidence,
    Milestone,
    PartnerStatusUpdate,
    Recommendation,
    RecommendationLink,
    RecommendationPartner,
    ResponseUpdate,
    Source,
    StatusUpdate,
    Theme,
)
from recommendations.tallies import rebuild as rebuild_tallies

BACKUP_FORMAT = "policy-tracker-backup"
BACKUP_VERSION = 1
#: Sections in the order a restore needs them.
SECTIONS = [
    "groups",
    "users",
    "themes",
    "partners",
    "sources",
    "recommendations",
    "status_updates",
    "response_updates",
    "partner_status_updates",
    "milestones",
    "assessments",
    "evidence",
    "links",
    "change_events",
]
#: Sections a backup made by an earlier version lacks (restored as empty).
OPTIONAL_SECTIONS = frozenset({"response_updates", "partner_status_updates", "milestones", "assessments", "evidence"})
_BATCH = 2000
#: How each section is named in the summaries the commands print (the file's keys are SECTIONS).
SECTION_LABELS = {
    "groups": pgettext_lazy("a section of a backup", "groups"),
    "users": pgettext_lazy("a section of a backup", "users"),
    "themes": pgettext_lazy("a section of a backup", "themes"),
    "partners": pgettext_lazy("a section of a backup", "partners"),
    "sources": pgettext_lazy("a section of a backup", "sources"),
    "recommendations": pgettext_lazy("a section of a backup", "recommendations"),
    "status_updates": pgettext_lazy("a section of a backup", "status_updates"),
    "response_updates": pgettext_lazy("a section of a backup", "response_updates"),
    "partner_status_updates": pgettext_lazy("a section of a backup", "partner_status_updates"),
    "milestones": pgettext_lazy("a section of a backup", "milestones"),
    "assessments": pgettext_lazy("a section of a backup", "assessments"),
    "evidence": pgettext_lazy("a section of a backup", "evidence"),
    "links": pgettext_lazy("a section of a backup", "links"),
    "change_events": pgettext_lazy("a section of a backup", "change_events"),
}


@dataclass
class BackupStats:
    """How many records of each section a backup or restore handled."""

    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line per section."""
        line = pgettext("a section of a backup and how many records it holds", "%(section)s: %(count)d")
        return "\n".join(
            line % {"section": SECTION_LABELS[name], "count": count} for name, count in self.counts.items()
        )


class BackupEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, but date-times keep their microseconds (Django's stops at milliseconds, so a restored
    backup would differ from the original in the last digits)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _dt(value: str | None) -> datetime:
    """A stored date-time back from its ISO form (every one the backup stores is required)."""
    parsed = parse_datetime(value) if value else None
    if parsed is None:  # the column would refuse it (NOT NULL)
        raise ValidationError(_("Not a date-time: %(value)r.") % {"value": value})
    return parsed


def _user_names() -> dict[int, str]:
    """Usernames by user id (authors and actors are stored by username)."""
    return dict(get_user_model().objects.values_list("pk", "username"))


def with_languages(model: type[Model], fields: list[str]) -> list[str]:
    """``fields`` with each translated field followed by its language columns (the plain one, the canonical value, is
    kept for readers of older backups)."""
    names = translated_fields(model)
    return [name for field in fields for name in ([field, *columns(field)] if field in names else [field])]


def _bulk_create_translated(model: type[Model], objects: list[Any], *, batch_size: int) -> None:
    """Insert restored objects with their translated fields' own columns holding the canonical values, as every
    write gives them (whatever the language of the shell that restores)."""
    with canonical_language():
        model._default_manager.bulk_create(objects, batch_size=batch_size)


def _restored(model: type[Model], item: dict[str, Any]) -> dict[str, Any]:
    """A backup item's values for the model: a backup from before content was bilingual has the plain fields only,
    which were English."""
    values = dict(item)
    for name in translated_fields(model):
        if not any(key in values for key in columns(name)) and name in values:
            values[column(name, CANONICAL_LANGUAGE)] = values[name]
    return values


def _sections() -> dict[str, Iterable[dict[str, Any]]]:
    """Generators of the backup's records, section by section."""
    usernames = _user_names()

    def groups() -> Iterator[dict[str, Any]]:
        for group in Group.objects.order_by("name").prefetch_related("permissions__content_type"):
            yield {
                "name": group.name,
                "permissions": sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()),
            }

    def users() -> Iterator[dict[str, Any]]:
        for user in get_user_model().objects.order_by("username").prefetch_related("groups"):
            yield {
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "is_active": user.is_active,
                "is_staff": user.is_staff,
                "is_superuser": user.is_superuser,
                "date_joined": user.date_joined,
                "groups": sorted(g.name for g in user.groups.all()),
            }

    def simple(model: type[Theme] | type[Source], fields: list[str]) -> Iterator[dict[str, Any]]:
        yield from model.objects.order_by("pk").values(*with_languages(model, fields)).iterator(chunk_size=_BATCH)

    def partners() -> Iterator[dict[str, Any]]:
        members: dict[int, list[str]] = {}
        for partner_id, slug in Partner.members.through.objects.values_list("from_partner_id", "to_partner__slug"):
            members.setdefault(partner_id, []).append(slug)
        fields = ["uuid", "slug", "name", "short_name", "kind", "added_by_tracker", "description", "aliases"]
        fields += ["version", "created_at", "updated_at"]
        fields = with_languages(Partner, fields)
        for row in Partner.objects.order_by("pk").values("pk", *fields).iterator(chunk_size=_BATCH):
            yield {**{k: row[k] for k in fields}, "members": sorted(members.get(row["pk"], []))}

    def recommendations() -> Iterator[dict[str, Any]]:
        queryset = (
            Recommendation.objects.order_by("pk")
            .select_related("source", "agency")
            .prefetch_related("partner_links__partner", "themes")
        )
        for rec in queryset.iterator(chunk_size=_BATCH):
            yield {
                "uuid": rec.uuid,
                "reference": rec.reference,
                **{name: getattr(rec, name) for name in with_languages(Recommendation, ["title", "description"])},
                "source_excerpt": rec.source_excerpt,
                "source": rec.source.slug,
                "section": rec.section,
                "partners": [
                    {
                        "slug": link.partner.slug,
                        "role": link.role,
                        "uuid": link.uuid,
                        "status": link.status,
                        "status_changed_at": link.status_changed_at,
                        "version": link.version,
                    }
                    for link in rec.partner_links.all()
                ],
                "themes": sorted(theme.slug for theme in rec.themes.all()),
                "status": rec.status,
                "response": rec.response,
                "response_date": rec.response_date,
                "assessment": rec.assessment,
                "assessed_on": rec.assessed_on,
                "priority": rec.priority,
                "team": rec.team,
                "lead": usernames.get(rec.lead_id) if rec.lead_id else None,
                "agency": rec.agency.slug if rec.agency_id else None,
                "target_date": rec.target_date,
                "review_date": rec.review_date,
                "status_changed_at": rec.status_changed_at,
                "version": rec.version,
                "created_at": rec.created_at,
                "updated_at": rec.updated_at,
            }

    def status_updates() -> Iterator[dict[str, Any]]:
        rows = StatusUpdate.objects.order_by("pk").values(
            "uuid",
            "recommendation__uuid",
            "from_status",
            "to_status",
            "note",
            "evidence_url",
            "author_id",
            "created_at",
        )
        for values in rows.iterator(chunk_size=_BATCH):
            row = cast("dict[str, Any]", values)  # a plain dict, reshaped in place
            row["recommendation"] = row.pop("recommendation__uuid")
            row["author"] = usernames.get(row.pop("author_id"))
            yield row

    def response_updates() -> Iterator[dict[str, Any]]:
        rows = ResponseUpdate.objects.order_by("pk").values(
            "uuid",
            "recommendation__uuid",
            "from_response",
            "to_response",
            "responded_on",
            "note",
            "evidence_url",
            "author_id",
            "created_at",
        )
        for values in rows.iterator(chunk_size=_BATCH):
            row = cast("dict[str, Any]", values)
            row["recommendation"] = row.pop("recommendation__uuid")
            row["author"] = usernames.get(row.pop("author_id"))
            yield row

    def partner_status_updates() -> Iterator[dict[str, Any]]:
        rows = PartnerStatusUpdate.objects.order_by("pk").values(
            "uuid",
            "recommendation__uuid",
            "partner__slug",
            "from_status",
            "to_status",
            "note",
            "evidence_url",
            "author_id",
            "created_at",
        )
        for values in rows.iterator(chunk_size=_BATCH):
            row = cast("dict[str, Any]", values)
            row["recommendation"] = row.pop("recommendation__uuid")
            row["partner"] = row.pop("partner__slug")
            row["author"] = usernames.get(row.pop("author_id"))
            yield row

    def milestones() -> Iterator[dict[str, Any]]:
        fields = with_languages(Milestone, ["uuid", "title", "due_date", "done_on", "evidence_url", "position"])
        fields += ["version", "created_at", "updated_at"]
        rows = Milestone.objects.order_by("pk").values("recommendation__uuid", *fields)
        for values in rows.iterator(chunk_size=_BATCH):
            row = cast("dict[str, Any]", values)
            row["recommendation"] = row.pop("recommendation__uuid")
            yield row

    def assessments() -> Iterator[dict[str, Any]]:
        rows = Assessment.objects.order_by("pk").values(
            "uuid",
            "recommendation__uuid",
            "rating",
            "rationale",
            "assessed_on",
            "evidence_url",
            "reported_status",
            "assessor_id",
            "created_at",
        )
        for values in rows.iterator(chunk_size=_BATCH):
            row = cast("dict[str, Any]", values)
            row["recommendation"] = row.pop("recommendation__uuid")
            row["assessor"] = usernames.get(row.pop("assessor_id"))
            yield row

    def evidence() -> Iterator[dict[str, Any]]:
        fields = with_languages(Evidence, ["uuid", "title"])
        fields += ["url", "file", "file_name", "content_type", "size", "evidence_date", "publishable", "verified_at"]
        fields += ["version", "created_at", "updated_at"]
        entries = [f"{name}__uuid" for name in ATTACHMENT_FIELDS]
        rows = Evidence.objects.order_by("pk").values(
            "recommendation__uuid", *entries, "added_by_id", "verified_by_id", *fields
        )
        for values in rows.iterator(chunk_size=_BATCH):
            row = cast("dict[str, Any]", values)
            row["recommendation"] = row.pop("recommendation__uuid")
            for name in ATTACHMENT_FIELDS:
                row[name] = row.pop(f"{name}__uuid")
            row["added_by"] = usernames.get(row.pop("added_by_id"))
            row["verified_by"] = usernames.get(row.pop("verified_by_id"))
            yield row

    def links() -> Iterator[dict[str, Any]]:
        rows = RecommendationLink.objects.order_by("pk").values(
            "from_recommendation__uuid", "to_recommendation__uuid", "link_type", "note", "created_by_id", "created_at"
        )
        for row in rows.iterator(chunk_size=_BATCH):
            yield {
                "from": row["from_recommendation__uuid"],
                "to": row["to_recommendation__uuid"],
                "link_type": row["link_type"],
                "note": row["note"],
                "created_by": usernames.get(row["created_by_id"]),
                "created_at": row["created_at"],
            }

    def change_events() -> Iterator[dict[str, Any]]:
        rows = ChangeEvent.objects.order_by("seq").values(
            "seq",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "data",
            "changes",
            "actor_id",
            "actor_name",
            "request_id",
            "created_at",
        )
        for values in rows.iterator(chunk_size=_BATCH):
            row = cast("dict[str, Any]", values)  # a plain dict, reshaped in place
            row["actor"] = usernames.get(row.pop("actor_id"))
            yield row

    return {
        "groups": groups(),
        "users": users(),
        "themes": simple(
            Theme, ["uuid", "slug", "name", "description", "keywords", "version", "created_at", "updated_at"]
        ),
        "partners": partners(),
        "sources": simple(
            Source,
            [
                "uuid",
                "slug",
                "title",
                "short_title",
                "kind",
                "author",
                "publisher",
                "published_on",
                "url",
                "description",
                "version",
                "created_at",
                "updated_at",
            ],
        ),
        "recommendations": recommendations(),
        "status_updates": status_updates(),
        "response_updates": response_updates(),
        "partner_status_updates": partner_status_updates(),
        "milestones": milestones(),
        "assessments": assessments(),
        "evidence": evidence(),
        "links": links(),
        "change_events": change_events(),
    }


def _begin_snapshot() -> None:
    """Make the surrounding transaction read one consistent snapshot (PostgreSQL; SQLite's transaction already is)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def backup_export(*, stream: IO[str]) -> BackupStats:
    """Write the whole database as one JSON document to ``stream``, from one consistent snapshot.

    Records are written as they are read, so memory stays flat however large the database is.
    """
    encoder = BackupEncoder(ensure_ascii=False)
    stats = BackupStats()
    starts_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if starts_transaction:  # inside an outer transaction (tests) the snapshot is the outer one's
            _begin_snapshot()
        header = {"format": BACKUP_FORMAT, "version": BACKUP_VERSION, "created_at": timezone.now()}
        stream.write("{\n" + ",\n".join(f"{json.dumps(k)}: {encoder.encode(v)}" for k, v in header.items()))
        for name, records in _sections().items():
            stream.write(f',\n"{name}": [')
            count = 0
            for record in records:
                stream.write(("\n" if count == 0 else ",\n") + encoder.encode(record))
                count += 1
            stream.write("\n]")
            stats.counts[name] = count
        stream.write("\n}\n")
    return stats


def backup_read(stream: IO[str]) -> dict[str, Any]:
    """Parse a backup and check that this version of the app can restore it."""
    try:
        data = json.load(stream)
    except json.JSONDecodeError as error:
        raise ValidationError(_("Not a JSON document: %(error)s") % {"error": error}) from error
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise ValidationError(_('Not a tracker backup (expected "format": "%(format)s").') % {"format": BACKUP_FORMAT})
    if data.get("version") != BACKUP_VERSION:
        raise ValidationError(
            _("Backup version %(version)s cannot be restored by this version (expects %(expected)s).")
            % {"version": data.get("version"), "expected": BACKUP_VERSION}
        )
    for name in OPTIONAL_SECTIONS:
        data.setdefault(name, [])
    missing = [name for name in SECTIONS if not isinstance(data.get(name), list)]
    if missing:
        raise ValidationError(_("Backup is incomplete: missing %(sections)s.") % {"sections": ", ".join(missing)})
    return data


def _database_is_empty() -> bool:
    """No content and no users yet (groups and permissions from migrations are expected)."""
    content: list[type[Model]] = [
        Recommendation,
        Partner,
        Theme,
        Source,
        ChangeEvent,
        StatusUpdate,
        ResponseUpdate,
        PartnerStatusUpdate,
        Milestone,
        Assessment,
        Evidence,
        ApiToken,
        get_user_model(),
    ]
    return not any(model._default_manager.exists() for model in content)


def _reset_sequences(models: list[type[Model]]) -> None:
    """After inserting explicit ids, move PostgreSQL's sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@transaction.atomic
def backup_import(*, data: dict[str, Any]) -> BackupStats:
    """Restore a backup into an empty database, all or nothing."""
    if not _database_is_empty():
        raise ValidationError(_("The database is not empty: restore into a freshly migrated database."))
    stats = BackupStats()
    User = get_user_model()

    permissions = {
        f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")
    }
    for item in data["groups"]:
        group, _created = Group.objects.get_or_create(name=item["name"])
        unknown = [name for name in item["permissions"] if name not in permissions]
        if unknown:
            raise ValidationError(
                _("Group %(group)s: unknown permissions %(permissions)s.")
                % {"group": item["name"], "permissions": ", ".join(unknown)}
            )
        group.permissions.set([permissions[name] for name in item["permissions"]])
    stats.counts["groups"] = len(data["groups"])

    groups = {g.name: g for g in Group.objects.all()}
    for item in data["users"]:
        user = User(**{k: v for k, v in item.items() if k not in {"groups", "date_joined"}})
        user.date_joined = _dt(item["date_joined"])
        user.set_unusable_password()
        user.save()
        user.groups.set([groups[name] for name in item["groups"]])
    users = dict(User.objects.values_list("username", "pk"))
    stats.counts["users"] = len(data["users"])

    def stamps(item: dict[str, Any]) -> dict[str, Any]:
        return {"created_at": _dt(item["created_at"]), "updated_at": _dt(item["updated_at"])}

    _bulk_create_translated(
        Theme, [Theme(**{**_restored(Theme, item), **stamps(item)}) for item in data["themes"]], batch_size=_BATCH
    )
    stats.counts["themes"] = len(data["themes"])

    _bulk_create_translated(
        Partner,
        [
            Partner(**{**_restored(Partner, {k: v for k, v in item.items() if k != "members"}), **stamps(item)})
            for item in data["partners"]
        ],
        batch_size=_BATCH,
    )
    partner_ids = dict(Partner.objects.values_list("slug", "pk"))
    Partner.members.through.objects.bulk_create(
        [
            Partner.members.through(from_partner_id=partner_ids[item["slug"]], to_partner_id=partner_ids[member])
            for item in data["partners"]
            for member in item["members"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["partners"] = len(data["partners"])

    _bulk_create_translated(
        Source,
        [
            Source(
                **{
                    **_restored(Source, item),
                    **stamps(item),
                    "published_on": parse_date(item["published_on"]) if item["published_on"] else None,
                }
            )
            for item in data["sources"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["sources"] = len(data["sources"])

    source_ids = dict(Source.objects.values_list("slug", "pk"))
    plain = {
        "partners",
        "themes",
        "source",
        "target_date",
        "response_date",
        "review_date",
        "assessed_on",
        "lead",
        "agency",
        "status_changed_at",
        "created_at",
        "updated_at",
    }
    _bulk_create_translated(
        Recommendation,
        [
            Recommendation(
                **_restored(Recommendation, {k: v for k, v in item.items() if k not in plain}),
                **stamps(item),
                source_id=source_ids[item["source"]],
                target_date=parse_date(item["target_date"]) if item["target_date"] else None,
                response_date=parse_date(item["response_date"]) if item.get("response_date") else None,
                review_date=parse_date(item["review_date"]) if item.get("review_date") else None,
                assessed_on=parse_date(item["assessed_on"]) if item.get("assessed_on") else None,
                lead_id=users.get(item.get("lead")),
                agency_id=partner_ids.get(item["agency"]) if item.get("agency") else None,
                status_changed_at=_dt(item["status_changed_at"]),
            )
            for item in data["recommendations"]
        ],
        batch_size=_BATCH,
    )
    rec_ids = {str(k): v for k, v in Recommendation.objects.values_list("uuid", "pk")}
    theme_ids = dict(Theme.objects.values_list("slug", "pk"))
    RecommendationPartner.objects.bulk_create(
        [
            RecommendationPartner(
                recommendation_id=rec_ids[item["uuid"]],
                partner_id=partner_ids[p["slug"]],
                role=p["role"],
                # Backups made before status per partner hold only slug and role.
                **({"uuid": p["uuid"]} if p.get("uuid") else {}),
                status=p.get("status") or "",
                status_changed_at=_dt(p["status_changed_at"]) if p.get("status_changed_at") else None,
                version=p.get("version") or 1,
            )
            for item in data["recommendations"]
            for p in item["partners"]
        ],
        batch_size=_BATCH,
    )
    Recommendation.themes.through.objects.bulk_create(
        [
            Recommendation.themes.through(recommendation_id=rec_ids[item["uuid"]], theme_id=theme_ids[slug])
            for item in data["recommendations"]
            for slug in item["themes"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["recommendations"] = len(data["recommendations"])

    StatusUpdate.objects.bulk_create(
        [
            StatusUpdate(
                uuid=item["uuid"],
                recommendation_id=rec_ids[item["recommendation"]],
                from_status=item["from_status"],
                to_status=item["to_status"],
                note=item["note"],
                evidence_url=item["evidence_url"],
                author_id=users.get(item["author"]),
                created_at=_dt(item["created_at"]),
            )
            for item in data["status_updates"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["status_updates"] = len(data["status_updates"])

    ResponseUpdate.objects.bulk_create(
        [
            ResponseUpdate(
                uuid=item["uuid"],
                recommendation_id=rec_ids[item["recommendation"]],
                from_response=item["from_response"],
                to_response=item["to_response"],
                responded_on=parse_date(item["responded_on"]) if item.get("responded_on") else None,
                note=item["note"],
                evidence_url=item["evidence_url"],
                author_id=users.get(item["author"]),
                created_at=_dt(item["created_at"]),
            )
            for item in data["response_updates"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["response_updates"] = len(data["response_updates"])

    PartnerStatusUpdate.objects.bulk_create(
        [
            PartnerStatusUpdate(
                uuid=item["uuid"],
                recommendation_id=rec_ids[item["recommendation"]],
                partner_id=partner_ids[item["partner"]],
                from_status=item["from_status"],
                to_status=item["to_status"],
                note=item["note"],
                evidence_url=item["evidence_url"],
                author_id=users.get(item["author"]),
                created_at=_dt(item["created_at"]),
            )
            for item in data["partner_status_updates"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["partner_status_updates"] = len(data["partner_status_updates"])

    _bulk_create_translated(
        Milestone,
        [
            Milestone(
                **_restored(
                    Milestone,
                    {
                        k: v
                        for k, v in item.items()
                        if k not in {"recommendation", "due_date", "done_on", "created_at", "updated_at"}
                    },
                ),
                **stamps(item),
                recommendation_id=rec_ids[item["recommendation"]],
                due_date=parse_date(item["due_date"]) if item.get("due_date") else None,
                done_on=parse_date(item["done_on"]) if item.get("done_on") else None,
            )
            for item in data["milestones"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["milestones"] = len(data["milestones"])

    Assessment.objects.bulk_create(
        [
            Assessment(
                uuid=item["uuid"],
                recommendation_id=rec_ids[item["recommendation"]],
                rating=item["rating"],
                rationale=item["rationale"],
                assessed_on=date.fromisoformat(str(item["assessed_on"])),
                evidence_url=item["evidence_url"],
                reported_status=item["reported_status"],
                assessor_id=users.get(item["assessor"]),
                created_at=_dt(item["created_at"]),
            )
            for item in data["assessments"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["assessments"] = len(data["assessments"])

    entry_models = {
        "status_update": StatusUpdate,
        "response_update": ResponseUpdate,
        "partner_status_update": PartnerStatusUpdate,
        "assessment": Assessment,
    }
    entry_ids = {
        name: {str(k): v for k, v in model._default_manager.values_list("uuid", "pk")}
        for name, model in entry_models.items()
    }
    plain_evidence = {"recommendation", "added_by", "verified_by", "evidence_date", "verified_at", "created_at"}
    _bulk_create_translated(
        Evidence,
        [
            Evidence(
                **_restored(
                    Evidence,
                    {
                        k: v
                        for k, v in item.items()
                        if k not in plain_evidence | set(ATTACHMENT_FIELDS) and k != "updated_at"
                    },
                ),
                **stamps(item),
                recommendation_id=rec_ids[item["recommendation"]],
                **{f"{name}_id": entry_ids[name][str(item[name])] for name in ATTACHMENT_FIELDS if item.get(name)},
                added_by_id=users.get(item.get("added_by")),
                verified_by_id=users.get(item.get("verified_by")),
                evidence_date=parse_date(item["evidence_date"]) if item.get("evidence_date") else None,
                verified_at=_dt(item["verified_at"]) if item.get("verified_at") else None,
            )
            for item in data["evidence"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["evidence"] = len(data["evidence"])

    RecommendationLink.objects.bulk_create(
        [
            RecommendationLink(
                from_recommendation_id=rec_ids[item["from"]],
                to_recommendation_id=rec_ids[item["to"]],
                link_type=item["link_type"],
                note=item["note"],
                created_by_id=users.get(item["created_by"]),
                created_at=_dt(item["created_at"]),
            )
            for item in data["links"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["links"] = len(data["links"])

    ChangeEvent.objects.bulk_create(
        [
            ChangeEvent(
                **{k: v for k, v in item.items() if k not in {"actor", "created_at"}},
                actor_id=users.get(item["actor"]),
                created_at=_dt(item["created_at"]),
            )
            for item in data["change_events"]
        ],
        batch_size=_BATCH,
    )
    stats.counts["change_events"] = len(data["change_events"])
    _reset_sequences(
        [
            ChangeEvent,
            Recommendation,
            StatusUpdate,
            ResponseUpdate,
            PartnerStatusUpdate,
            RecommendationPartner,
            Milestone,
            Assessment,
            Evidence,
            RecommendationLink,
            Partner,
            Theme,
            Source,
            User,
        ]
    )
    rebuild_tallies()  # the report's counts of what was restored (the rows went in without the write path)
    return stats


# --- Evidence files -------------------------------------------------------------------------------------------------


def backup_files_export(*, folder: Path) -> int:
    """Copy every evidence file from the storage into ``folder`` under its stored name; return how many.

    The JSON backup names each file (``evidence[].file``); the folder holds their bytes. Together they are the whole
    tracker: restore both (``import_data FILE --files FOLDER``).
    """
    count = 0
    for name in Evidence.objects.exclude(file="").order_by("pk").values_list("file", flat=True).iterator():
        target = _inside(folder, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, open(target, "wb") as copy:
            shutil.copyfileobj(source, copy)
        count += 1
    return count


def backup_files_import(*, folder: Path) -> int:
    """Put the evidence files of a restored backup from ``folder`` back into the storage, under their stored names.

    Raises ValidationError naming the first file the folder lacks; files already in the storage are left as they are.
    """
    count = 0
    for name in Evidence.objects.exclude(file="").order_by("pk").values_list("file", flat=True).iterator():
        source = _inside(folder, name)
        if not source.is_file():
            raise ValidationError(_("%(folder)s lacks the evidence file %(name)s.") % {"folder": folder, "name": name})
        if not default_storage.exists(name):
            with open(source, "rb") as stream:
                saved = default_storage.save(name, File(stream))
            if saved != name:  # the storage chose another name: keep the record pointing at the file
                Evidence.objects.filter(file=name).update(file=saved)
        count += 1
    return count


def _inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing a stored name that would lead outside the folder."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise ValidationError(_("A stored file name leads outside the folder: %(name)s") % {"name": name})
    return target
