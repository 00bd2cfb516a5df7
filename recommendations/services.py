"""Write services for recommendations, their status, sources and themes: the one path every write takes.

Views, forms, serializers, admin actions and management commands call these functions and nothing else to write.
Each runs in one transaction (see ``changes.atomic_write``), validates before it writes, increases the object's
version, and appends to the change feed.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid as uuid_module
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner
from partners.services import partner_create

from .changes import (
    AlreadyExists,
    VersionConflict,
    _actor_or_none,
    atomic_write,
    bump_version,
    change_record,
    representation,
    versioned_create,
    versioned_delete,
    versioned_update,
)
from .choices import CLOSED_STATUSES, ChangeAction, LinkType, ObjectType, PartnerRole, Priority, Status
from .models import ApiToken, Recommendation, RecommendationLink, RecommendationPartner, Source, StatusUpdate, Theme

if TYPE_CHECKING:
    from .importing import ImportPlan

Actor = AbstractBaseUser | AnonymousUser | None
#: A partner and its role in a recommendation ("" where the text gives none).
PartnerAssignment = tuple[Partner, str]

#: Fields of a recommendation that ``recommendation_update`` may change directly.
RECOMMENDATION_FIELDS = frozenset(
    {"reference", "title", "description", "source_excerpt", "source", "section", "priority", "team", "target_date"}
)
#: Keys of ``recommendation_update``'s data that are not plain fields.
RECOMMENDATION_EXTRA_KEYS = frozenset({"partners", "themes", "status", "status_note", "evidence_url"})


# --- Status rules ---------------------------------------------------------------------------------------------------


def validate_status_transition(*, from_status: str, to_status: str, note: str) -> None:
    """Raise ValidationError unless a recommendation may move from ``from_status`` to ``to_status`` with ``note``.

    Any status may follow any other, except that a status cannot follow itself and leaving a closed status
    (implemented, not adopted) needs a note saying why.
    """
    if to_status not in Status.values:
        raise ValidationError({"status": _("“%(value)s” is not a valid status.") % {"value": to_status}})
    if to_status == from_status:
        raise ValidationError(
            {"status": _("The recommendation is already “%(status)s”.") % {"status": Status(to_status).label}}
        )
    if from_status in CLOSED_STATUSES and not (note or "").strip():
        raise ValidationError(
            {
                "note": _("Moving a recommendation out of “%(status)s” reopens it: give a note saying why.")
                % {"status": Status(from_status).label}
            }
        )


def _new_status_update(
    *,
    recommendation: Recommendation,
    from_status: str,
    to_status: str,
    note: str,
    evidence_url: str,
    actor: Actor,
    now: datetime,
    uuid: uuid_module.UUID | None = None,
) -> StatusUpdate:
    """Validate and save a timeline entry for a status change (the caller saves the recommendation's new status)."""
    entry = StatusUpdate(
        recommendation=recommendation,
        from_status=from_status,
        to_status=to_status,
        note=note or "",
        evidence_url=evidence_url or "",
        author=_actor_or_none(actor),
        created_at=now,
    )
    if uuid is not None:
        entry.uuid = uuid
    try:
        entry.full_clean(exclude=["recommendation"])
    except ValidationError as error:
        # The timeline entry's fields are the service's "status", "note" and "evidence_url" parameters.
        raise ValidationError(
            {{"to_status": "status"}.get(name, name): messages for name, messages in error.message_dict.items()}
        ) from error
    entry.save()
    return entry


# --- Partners and themes of a recommendation ------------------------------------------------------------------------


def _validate_partners(partners: Sequence[PartnerAssignment]) -> dict[int, PartnerAssignment]:
    """Check a list of (partner, role) pairs: no partner twice, known roles only."""
    wanted: dict[int, PartnerAssignment] = {}
    for partner, role in partners:
        role = role or ""
        if role and role not in PartnerRole.values:
            raise ValidationError({"partners": _("“%(role)s” is not a valid partner role.") % {"role": role}})
        if partner.pk in wanted:
            raise ValidationError({"partners": _("%(partner)s is listed twice.") % {"partner": partner}})
        wanted[partner.pk] = (partner, role)
    return wanted


def _set_partners(recommendation: Recommendation, partners: Sequence[PartnerAssignment]) -> bool:
    """Make the recommendation's partners exactly ``partners``; return whether anything changed."""
    wanted = _validate_partners(partners)
    existing = {link.partner_id: link for link in recommendation.partner_links.all()}
    changed = False
    gone = [link.pk for partner_id, link in existing.items() if partner_id not in wanted]
    if gone:
        RecommendationPartner.objects.filter(pk__in=gone).delete()
        changed = True
    for partner_id, (partner, role) in wanted.items():
        link = existing.get(partner_id)
        if link is None:
            RecommendationPartner.objects.create(recommendation=recommendation, partner=partner, role=role)
            changed = True
        elif link.role != role:
            link.role = role
            link.save(update_fields=["role"])
            changed = True
    return changed


def _set_themes(recommendation: Recommendation, themes: Iterable[Theme]) -> bool:
    """Make the recommendation's themes exactly ``themes``; return whether anything changed."""
    wanted = {theme.pk for theme in themes}
    if set(recommendation.themes.values_list("pk", flat=True)) == wanted:
        return False
    recommendation.themes.set(list(wanted))
    return True


# --- Recommendations ------------------------------------------------------------------------------------------------


@atomic_write
def recommendation_create(
    *,
    actor: Actor,
    source: Source,
    reference: str,
    title: str,
    description: str,
    source_excerpt: str = "",
    section: str = "",
    partners: Sequence[PartnerAssignment] = (),
    themes: Iterable[Theme] = (),
    status: str = Status.PROPOSED,
    status_note: str = "",
    evidence_url: str = "",
    priority: str = Priority.MEDIUM,
    team: str = "",
    target_date: date | None = None,
    uuid: uuid_module.UUID | None = None,
) -> Recommendation:
    """Create a recommendation with its partners, themes and first timeline entry.

    A caller may choose the UUID; if a recommendation with it exists already (a retried create), AlreadyExists is
    raised and nothing is written.
    """
    if uuid is not None:
        existing = Recommendation.objects.filter(uuid=uuid).first()
        if existing is not None:
            raise AlreadyExists(instance=existing)
    now = timezone.now()
    recommendation = Recommendation(
        source=source,
        reference=reference,
        title=title,
        description=description,
        source_excerpt=source_excerpt,
        section=section,
        status=status,
        priority=priority,
        team=team,
        target_date=target_date,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    if uuid is not None:
        recommendation.uuid = uuid
    recommendation.full_clean()
    _validate_partners(partners)
    recommendation.save()
    _set_partners(recommendation, partners)
    _set_themes(recommendation, themes)
    entry = _new_status_update(
        recommendation=recommendation,
        from_status="",  # the first entry starts from nothing
        to_status=status,
        note=status_note,
        evidence_url=evidence_url,
        actor=actor,
        now=now,
    )
    change_record(
        instance=recommendation, object_type=ObjectType.RECOMMENDATION, action=ChangeAction.CREATED, actor=actor
    )
    change_record(instance=entry, object_type=ObjectType.STATUS_UPDATE, action=ChangeAction.CREATED, actor=actor)
    return recommendation


@dataclass
class RecommendationChange:
    """What one call to ``recommendation_update`` did."""

    recommendation: Recommendation
    changed_fields: list[str] = field(default_factory=list)
    status_update: StatusUpdate | None = None

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.changed_fields)


def _update_recommendation(
    *,
    recommendation: Recommendation,
    actor: Actor,
    data: Mapping[str, Any],
    expected_version: int | None,
    entry_uuid: uuid_module.UUID | None = None,
) -> RecommendationChange:
    """Apply ``data`` to a recommendation (the body of recommendation_update; call under atomic_write)."""
    unknown = set(data) - RECOMMENDATION_FIELDS - RECOMMENDATION_EXTRA_KEYS
    if unknown:
        raise TypeError(f"recommendation_update() got unknown fields: {', '.join(sorted(unknown))}")
    fresh = Recommendation.objects.filter(pk=recommendation.pk).first()
    if fresh is None or (expected_version is not None and fresh.version != expected_version):
        raise VersionConflict(current_version=fresh.version if fresh else None)

    changed = []
    for name in RECOMMENDATION_FIELDS & set(data):
        if getattr(fresh, name) != data[name]:
            setattr(fresh, name, data[name])
            changed.append(name)
    fresh.full_clean(exclude=["status"])
    new_status = data.get("status")
    status_changes = new_status is not None and new_status != fresh.status
    if status_changes:
        validate_status_transition(from_status=fresh.status, to_status=new_status, note=data.get("status_note", ""))
    elif data.get("status_note") or data.get("evidence_url"):
        raise ValidationError(
            {"status": _("A note or evidence is recorded with a status change: choose a new status.")}
        )
    if "partners" in data:
        _validate_partners(data["partners"])
        if _set_partners(fresh, data["partners"]):
            changed.append("partners")
    if "themes" in data and _set_themes(fresh, data["themes"]):
        changed.append("themes")

    result = RecommendationChange(recommendation=fresh)
    if not changed and not status_changes:
        return result
    now = timezone.now()
    fresh.version = bump_version(Recommendation, pk=fresh.pk, expected_version=fresh.version, now=now)
    fresh.updated_at = now
    update_fields = [name for name in changed if name in RECOMMENDATION_FIELDS] + ["updated_at"]
    if status_changes:
        result.status_update = _new_status_update(
            recommendation=fresh,
            from_status=fresh.status,
            to_status=new_status,
            note=data.get("status_note", ""),
            evidence_url=data.get("evidence_url", ""),
            actor=actor,
            now=now,
            uuid=entry_uuid,
        )
        fresh.status = new_status
        fresh.status_changed_at = now
        update_fields += ["status", "status_changed_at"]
        changed.append("status")
    fresh.save(update_fields=update_fields)
    result.changed_fields = changed
    change_record(instance=fresh, object_type=ObjectType.RECOMMENDATION, action=ChangeAction.UPDATED, actor=actor)
    if result.status_update is not None:
        change_record(
            instance=result.status_update,
            object_type=ObjectType.STATUS_UPDATE,
            action=ChangeAction.CREATED,
            actor=actor,
        )
    return result


@atomic_write
def recommendation_update(
    *, recommendation: Recommendation, actor: Actor, data: Mapping[str, Any], expected_version: int | None = None
) -> RecommendationChange:
    """Change a recommendation's fields, partners, themes and (with its timeline entry) status in one step.

    ``data`` holds only what changes: any of the fields in RECOMMENDATION_FIELDS, ``partners`` (a list of
    (partner, role)), ``themes``, and ``status`` with optional ``status_note`` and ``evidence_url``. With
    ``expected_version`` the write happens only if nobody changed the recommendation since that version
    (VersionConflict otherwise). Writing values that are already stored changes nothing, not even the version.
    """
    return _update_recommendation(
        recommendation=recommendation, actor=actor, data=data, expected_version=expected_version
    )


@atomic_write
def recommendation_change_status(
    *,
    recommendation: Recommendation,
    actor: Actor,
    status: str,
    note: str = "",
    evidence_url: str = "",
    expected_version: int | None = None,
    entry_uuid: uuid_module.UUID | None = None,
) -> StatusUpdate:
    """Record a status change with its note and evidence: the timeline entry and the new status, together.

    A caller may choose the timeline entry's UUID; if an entry with it exists already (a retried request),
    AlreadyExists is raised before anything else is checked, and nothing is written.
    """
    if entry_uuid is not None:
        existing = StatusUpdate.objects.filter(uuid=entry_uuid).first()
        if existing is not None:
            raise AlreadyExists(instance=existing)
    fresh = Recommendation.objects.filter(pk=recommendation.pk).only("status").first()
    if fresh is not None:
        validate_status_transition(from_status=fresh.status, to_status=status, note=note)
    change = _update_recommendation(
        recommendation=recommendation,
        actor=actor,
        data={"status": status, "status_note": note, "evidence_url": evidence_url},
        expected_version=expected_version,
        entry_uuid=entry_uuid,
    )
    assert change.status_update is not None
    return change.status_update


@dataclass
class BulkStatusResult:
    """What a bulk status change did: the entries it recorded and the recommendations already at that status."""

    changed: list[StatusUpdate]
    skipped: list[Recommendation]


@atomic_write
def recommendation_bulk_change_status(
    *, recommendations: Iterable[Recommendation], actor: Actor, status: str, note: str, evidence_url: str = ""
) -> BulkStatusResult:
    """Move several recommendations to one status, all or none.

    Recommendations already at that status are skipped. If any other cannot make the move (a closed one without a
    note), nothing is written and the ValidationError names them.
    """
    fresh = list(Recommendation.objects.filter(pk__in=[r.pk for r in recommendations]).order_by("reference"))
    to_change, skipped, refused = [], [], []
    for recommendation in fresh:
        if recommendation.status == status:
            skipped.append(recommendation)
            continue
        try:
            validate_status_transition(from_status=recommendation.status, to_status=status, note=note)
        except ValidationError as error:
            refused.append(f"{recommendation.reference}: {' '.join(error.messages)}")
        else:
            to_change.append(recommendation)
    if refused:
        raise ValidationError({"note": refused})
    changed = [
        _update_recommendation(
            recommendation=recommendation,
            actor=actor,
            data={"status": status, "status_note": note, "evidence_url": evidence_url},
            expected_version=None,
        ).status_update
        for recommendation in to_change
    ]
    return BulkStatusResult(changed=changed, skipped=skipped)


@atomic_write
def recommendation_delete(*, recommendation: Recommendation, actor: Actor, expected_version: int | None = None) -> None:
    """Delete a recommendation and its timeline, recording each deletion in the change feed.

    Its links go with it, which changes the linked recommendations too: each gets a new version and an update.
    """
    bump_version(Recommendation, pk=recommendation.pk, expected_version=expected_version)
    fresh = Recommendation.objects.get(pk=recommendation.pk)
    last = representation(fresh)
    linked = set(fresh.links_out.values_list("to_recommendation_id", flat=True)) | set(
        fresh.links_in.values_list("from_recommendation_id", flat=True)
    )
    for entry in fresh.status_updates.order_by("created_at", "id"):
        change_record(instance=entry, object_type=ObjectType.STATUS_UPDATE, action=ChangeAction.DELETED, actor=actor)
    change_record(
        instance=fresh, object_type=ObjectType.RECOMMENDATION, action=ChangeAction.DELETED, actor=actor, data=last
    )
    fresh.delete()
    now = timezone.now()
    for pk in sorted(linked):
        bump_version(Recommendation, pk=pk, expected_version=None, now=now)
        change_record(
            instance=Recommendation.objects.get(pk=pk),
            object_type=ObjectType.RECOMMENDATION,
            action=ChangeAction.UPDATED,
            actor=actor,
        )


# --- Sources and themes ---------------------------------------------------------------------------------------------


@atomic_write
def source_create(*, actor: Actor, data: Mapping[str, Any]) -> Source:
    """Create a source document."""
    return versioned_create(Source, object_type=ObjectType.SOURCE, actor=actor, data=dict(data))


@atomic_write
def source_update(
    *, source: Source, actor: Actor, data: Mapping[str, Any], expected_version: int | None = None
) -> Source:
    """Change a source document's fields."""
    return versioned_update(
        source, object_type=ObjectType.SOURCE, actor=actor, data=dict(data), expected_version=expected_version
    )


@atomic_write
def source_delete(*, source: Source, actor: Actor, expected_version: int | None = None) -> None:
    """Delete a source that no recommendation comes from."""
    count = source.recommendations.count()
    if count:
        raise ValidationError(
            _("%(source)s cannot be deleted: %(count)d recommendation(s) come from it.")
            % {"source": source, "count": count}
        )
    versioned_delete(source, object_type=ObjectType.SOURCE, actor=actor, expected_version=expected_version)


@atomic_write
def theme_create(*, actor: Actor, data: Mapping[str, Any]) -> Theme:
    """Create a theme."""
    return versioned_create(Theme, object_type=ObjectType.THEME, actor=actor, data=dict(data))


@atomic_write
def theme_update(*, theme: Theme, actor: Actor, data: Mapping[str, Any], expected_version: int | None = None) -> Theme:
    """Change a theme's fields."""
    return versioned_update(
        theme, object_type=ObjectType.THEME, actor=actor, data=dict(data), expected_version=expected_version
    )


@atomic_write
def theme_delete(*, theme: Theme, actor: Actor, expected_version: int | None = None) -> None:
    """Delete a theme that no recommendation uses (so no recommendation changes behind its readers' backs)."""
    count = theme.recommendations.count()
    if count:
        raise ValidationError(
            _("%(theme)s cannot be deleted: %(count)d recommendation(s) use it.") % {"theme": theme, "count": count}
        )
    versioned_delete(theme, object_type=ObjectType.THEME, actor=actor, expected_version=expected_version)


# --- Links between recommendations ---------------------------------------------------------------------------------

#: Link types that must not loop back (A supersedes B supersedes A; A depends on B depends on C depends on A).
ACYCLIC_LINK_TYPES = frozenset({LinkType.SUPERSEDES, LinkType.DEPENDS_ON})
#: Link types that say the same read either way: "B related to A" repeats "A related to B".
SYMMETRIC_LINK_TYPES = frozenset({LinkType.RELATED, LinkType.DUPLICATES})


def _link_path(links: QuerySet[RecommendationLink], *, link_type: str, start: int, goal: int) -> list[int]:
    """The recommendations from ``start`` to ``goal`` along links of one type (empty if there is no such path).

    One query per step of the walk, over the links in ``links`` (a queryset).
    """
    came_from: dict[int, int] = {start: start}
    frontier = {start}
    while frontier:
        step = links.filter(link_type=link_type, from_recommendation__in=frontier).values_list(
            "from_recommendation_id", "to_recommendation_id"
        )
        frontier = set()
        for source_pk, target_pk in step:
            if target_pk in came_from:
                continue
            came_from[target_pk] = source_pk
            if target_pk == goal:
                path = [goal]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            frontier.add(target_pk)
    return []


def validate_recommendation_link(
    *,
    from_recommendation: Recommendation,
    to_recommendation: Recommendation,
    link_type: str,
    ignore: Iterable[int] = (),
) -> None:
    """Raise ValidationError unless ``from_recommendation`` may be linked to ``to_recommendation`` with ``link_type``.

    Refused: a link to itself, a link that exists already, the reverse of a "related to" or "duplicates" link that
    exists (they read both ways), and a "supersedes" or "depends on" link that would close a cycle. Links whose ids
    are in ``ignore`` count as gone (the admin replaces links in one save).
    """
    if link_type not in LinkType.values:
        raise ValidationError({"link_type": _("“%(value)s” is not a link type.") % {"value": link_type}})
    if from_recommendation.pk is not None and from_recommendation.pk == to_recommendation.pk:
        raise ValidationError({"to_recommendation": _("A recommendation cannot be linked to itself.")})
    if from_recommendation.pk is None:
        return  # a recommendation being created has no links yet
    links = RecommendationLink.objects.exclude(pk__in=list(ignore))
    label = LinkType(link_type).label
    names = {"this": from_recommendation.reference, "other": to_recommendation.reference, "link": label}
    if links.filter(
        from_recommendation=from_recommendation, to_recommendation=to_recommendation, link_type=link_type
    ).exists():
        raise ValidationError(_("%(this)s is already %(link)s %(other)s.") % names, code="duplicate")
    if link_type in SYMMETRIC_LINK_TYPES and (
        links.filter(
            from_recommendation=to_recommendation, to_recommendation=from_recommendation, link_type=link_type
        ).exists()
    ):
        raise ValidationError(
            _("%(other)s is already %(link)s %(this)s, which says the same both ways.") % names, code="duplicate"
        )
    if link_type in ACYCLIC_LINK_TYPES:
        path = _link_path(links, link_type=link_type, start=to_recommendation.pk, goal=from_recommendation.pk)
        if len(path) == 2:
            raise ValidationError(
                _("%(other)s already %(link)s %(this)s: the reverse link would make a cycle.") % names,
                code="cycle",
            )
        if path:
            references = dict(Recommendation.objects.filter(pk__in=path).values_list("pk", "reference"))
            chain = f" {label} ".join([from_recommendation.reference, *(references[pk] for pk in path)])
            raise ValidationError(_("This link would make a cycle: %(chain)s.") % {"chain": chain}, code="cycle")


def _record_link_change(link: RecommendationLink, actor: Actor) -> None:
    """A link belongs to both ends' representations: bump both versions and record an update of each."""
    now = timezone.now()
    for pk in (link.from_recommendation_id, link.to_recommendation_id):
        bump_version(Recommendation, pk=pk, expected_version=None, now=now)
        change_record(
            instance=Recommendation.objects.get(pk=pk),
            object_type=ObjectType.RECOMMENDATION,
            action=ChangeAction.UPDATED,
            actor=actor,
        )


@atomic_write
def recommendation_link_create(
    *,
    from_recommendation: Recommendation,
    to_recommendation: Recommendation,
    link_type: str,
    note: str = "",
    actor: Actor,
) -> RecommendationLink:
    """Link two recommendations ("A supersedes B"), changing the version of both (see validate_recommendation_link)."""
    validate_recommendation_link(
        from_recommendation=from_recommendation, to_recommendation=to_recommendation, link_type=link_type
    )
    link = RecommendationLink(
        from_recommendation=from_recommendation,
        to_recommendation=to_recommendation,
        link_type=link_type,
        note=note or "",
        created_by=_actor_or_none(actor),
        created_at=timezone.now(),
    )
    link.full_clean()
    link.save()
    _record_link_change(link, actor)
    return link


@atomic_write
def recommendation_link_delete(*, link: RecommendationLink, actor: Actor) -> None:
    """Remove a link, changing the version of both recommendations (a link already gone is left alone)."""
    fresh = RecommendationLink.objects.filter(pk=link.pk).first()
    if fresh is None:
        return
    fresh.delete()
    _record_link_change(fresh, actor)


# --- Import -------------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import wrote: the recommendations it created and updated, and the sources, partners and themes."""

    created: list[Recommendation] = field(default_factory=list)
    updated: list[Recommendation] = field(default_factory=list)
    unchanged: int = 0
    new_objects: list[Source | Partner | Theme] = field(default_factory=list)

    def summary(self) -> str:
        """One line: what was written."""
        text = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
        }
        if self.new_objects:
            added = ", ".join(f"{type(obj)._meta.verbose_name} {obj.slug}" for obj in self.new_objects)
            text += " " + _("Added: %(added)s.") % {"added": added}
        return text


@atomic_write
def recommendations_import(*, plan: ImportPlan, actor: Actor) -> ImportResult:
    """Apply an import plan (``importing.import_plan``) in one transaction: the whole file lands, or nothing does.

    The plan's new sources, partners and themes are created first; then each row creates its recommendation or
    updates it through recommendation_create / recommendation_update, so versions, the change feed and the status
    timeline (with ``actor`` as author) are kept as for any other edit. A plan with errors is refused
    (ValidationError). Each update names the version the plan saw: if someone changed that recommendation since,
    VersionConflict is raised and nothing is written.
    """
    if plan.has_errors:
        raise ValidationError(
            _("The file has errors in %(count)d row(s): nothing was imported.") % {"count": len(plan.error_rows)}
        )
    creators = {"source": source_create, "partner": partner_create, "theme": theme_create}
    made = {new: creators[new.kind](actor=actor, data=new.data) for new in plan.new_objects}
    result = ImportResult(new_objects=list(made.values()))
    for row in plan.rows:
        if row.action == "create":
            result.created.append(recommendation_create(actor=actor, **row.resolved(made)))
        elif row.action == "update":
            change = recommendation_update(
                recommendation=row.recommendation, actor=actor, data=row.resolved(made), expected_version=row.version
            )
            result.updated.append(change.recommendation)
        else:
            result.unchanged += 1
    return result


# --- API tokens -----------------------------------------------------------------------------------------------------

#: How often a token's ``last_used_at`` is written at most (a write per request would make every read a write).
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def api_token_hash(token: str) -> str:
    """The SHA-256 hex digest of a whole token string, the only form in which tokens are stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: AbstractBaseUser, name: str, can_write: bool = False, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; return it with the raw token string ``<prefix>.<secret>``, shown only this once."""
    while True:
        prefix = secrets.token_hex(6)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=user, name=name, prefix=prefix, key_hash=api_token_hash(raw), can_write=can_write, expires_at=expires_at
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    """Revoke a token from now on (revoking a revoked token keeps its first revocation time)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now or timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record that a token was used, at most once per API_TOKEN_TOUCH_INTERVAL (one conditional UPDATE, no lock)."""
    now = now or timezone.now()
    threshold = now - API_TOKEN_TOUCH_INTERVAL
    if token.last_used_at is not None and token.last_used_at > threshold:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=threshold)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
