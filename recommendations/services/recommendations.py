"""Write services of recommendations: create, change (fields, partners, themes, status) and delete.

Views, forms, serializers, admin actions, imports and commands call these functions to write a recommendation. Each
runs in one transaction under the writers' lock (``core.changes.atomic_write``), validates before it writes, bumps
the version and appends to the change feed; a status change always writes its timeline entry in the same step.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changes import (
    Actor,
    AlreadyExists,
    VersionConflict,
    atomic_write,
    bump_version,
    change_record,
    change_record_many,
    dependents_pks,
    record_dependents,
    representation,
)
from core.choices import ChangeAction
from core.translation import canonical_full_clean, canonical_save, columns, translated_data, translated_fields
from partners.models import Partner

from ..choices import PartnerRole, Priority, Response, Status
from ..models import Recommendation, RecommendationPartner, ResponseUpdate, Source, StatusUpdate, Theme
from .evidence import delete_files_on_commit, evidence_of_entry
from .response import coupled_moves, initial_response, response_update_record, validate_response
from .status import status_update_record, validate_status_transition

#: A partner and its role in a recommendation ("" where the text gives none).
PartnerAssignment = tuple[Partner, str]

#: Fields of a recommendation that ``recommendation_update`` may change directly: a translated one by its language
#: columns (``title_ja``, ``title_en``) or by its plain name, which stands for the canonical language (English).
RECOMMENDATION_FIELDS = frozenset(
    {
        "reference",
        "source_excerpt",
        "source",
        "section",
        "priority",
        "team",
        "target_date",
        "lead",
        "agency",
        "review_date",
    }
    | {name for field in translated_fields(Recommendation) for name in columns(field)}
)
#: Keys of ``recommendation_update``'s data that are not plain fields.
RECOMMENDATION_EXTRA_KEYS = frozenset(
    {
        "partners",
        "themes",
        "status",
        "status_note",
        "evidence_url",
        "response",
        "response_date",
        "response_note",
        "response_evidence_url",
    }
)


# --- Partners and themes of a recommendation ------------------------------------------------------------------------


def validate_partners(partners: Sequence[PartnerAssignment]) -> dict[int, PartnerAssignment]:
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


@dataclass
class PartnerLinkChanges:
    """What setting a recommendation's partners did to its partner links, for the change feed."""

    removed: list[tuple[RecommendationPartner, dict[str, Any]]] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.removed or self.created or self.updated)

    def record(self, *, actor: Actor) -> None:
        """Record the links added, changed (a new role) and removed (with their last representation) in the feed."""
        for link, data in self.removed:
            change_record(instance=link, action=ChangeAction.DELETED, actor=actor, data=data)
        if self.created:
            change_record_many(RecommendationPartner, self.created, action=ChangeAction.CREATED, actor=actor)
        if self.updated:
            change_record_many(RecommendationPartner, self.updated, action=ChangeAction.UPDATED, actor=actor)


def _set_partners(recommendation: Recommendation, partners: Sequence[PartnerAssignment]) -> PartnerLinkChanges:
    """Make the recommendation's partners exactly ``partners``; return what changed (falsy if nothing).

    Each partner link is an object of the change feed (``partner_status``, with its status there): the caller
    records the changes once the recommendation's own entry is written.
    """
    wanted = validate_partners(partners)
    existing = {link.partner_id: link for link in recommendation.partner_links.all()}
    changes = PartnerLinkChanges()
    gone = [link for partner_id, link in existing.items() if partner_id not in wanted]
    changes.removed = [(link, representation(link)) for link in gone]
    if gone:
        RecommendationPartner.objects.filter(pk__in=[link.pk for link in gone]).delete()
    for partner_id, (partner, role) in wanted.items():
        link = existing.get(partner_id)
        if link is None:
            changes.created.append(
                RecommendationPartner.objects.create(recommendation=recommendation, partner=partner, role=role).pk
            )
        elif link.role != role:
            # The link's representation (partner-statuses) shows its role: a new version, so its ETag changes.
            RecommendationPartner.objects.filter(pk=link.pk).update(
                role=role, version=F("version") + 1, updated_at=timezone.now()
            )
            changes.updated.append(link.pk)
    return changes


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
    title_en: str = "",
    title_ja: str = "",
    description_en: str = "",
    description_ja: str = "",
    source_excerpt: str = "",
    section: str = "",
    partners: Sequence[PartnerAssignment] = (),
    themes: Iterable[Theme] = (),
    status: str = Status.PROPOSED,
    status_note: str = "",
    evidence_url: str = "",
    response: str = Response.NO_RESPONSE,
    response_date: date | None = None,
    priority: str = Priority.MEDIUM,
    team: str = "",
    target_date: date | None = None,
    lead: User | None = None,
    agency: Partner | None = None,
    review_date: date | None = None,
    uuid: uuid_module.UUID | None = None,
) -> Recommendation:
    """Create a recommendation with its partners, themes and first timeline entry.

    The title and description come in English (``_en``) and Japanese (``_ja``); a recommendation needs a title in at
    least one language. A caller may choose the UUID; if a recommendation with it exists already (a retried create),
    AlreadyExists is raised and nothing is written.
    """
    if uuid is not None:
        existing = Recommendation.objects.filter(uuid=uuid).first()
        if existing is not None:
            raise AlreadyExists(instance=existing)
    now = timezone.now()
    status, response = initial_response(status=status, response=response)
    recommendation = Recommendation(
        source=source,
        reference=reference,
        **translated_data(
            Recommendation,
            {
                "title_en": title_en,
                "title_ja": title_ja,
                "description_en": description_en,
                "description_ja": description_ja,
            },
        ),
        source_excerpt=source_excerpt,
        section=section,
        status=status,
        response=response,
        response_date=(response_date or timezone.localdate(now)) if response != Response.NO_RESPONSE else None,
        priority=priority,
        team=team,
        target_date=target_date,
        lead=lead,
        agency=agency,
        review_date=review_date,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    if uuid is not None:
        recommendation.uuid = uuid
    canonical_full_clean(recommendation)
    validate_partners(partners)
    canonical_save(recommendation)
    partner_changes = _set_partners(recommendation, partners)
    _set_themes(recommendation, themes)
    entry = status_update_record(
        recommendation=recommendation,
        from_status="",  # the first entry starts from nothing
        to_status=status,
        note=status_note,
        evidence_url=evidence_url,
        actor=actor,
        now=now,
    )
    response_entry = None
    if response != Response.NO_RESPONSE:
        response_entry = response_update_record(
            recommendation=recommendation,
            from_response=Response.NO_RESPONSE,
            to_response=response,
            responded_on=recommendation.response_date,
            note=status_note,
            evidence_url=evidence_url,
            actor=actor,
            now=now,
        )
    change_record(instance=recommendation, action=ChangeAction.CREATED, actor=actor)
    partner_changes.record(actor=actor)
    change_record(instance=entry, action=ChangeAction.CREATED, actor=actor)
    evidence_of_entry(entry, actor=actor)
    if response_entry is not None:
        change_record(instance=response_entry, action=ChangeAction.CREATED, actor=actor)
        evidence_of_entry(response_entry, actor=actor)
    return recommendation


@dataclass
class RecommendationChange:
    """What one call to ``recommendation_update`` did."""

    recommendation: Recommendation
    changed_fields: list[str] = field(default_factory=list)
    status_update: StatusUpdate | None = None
    response_update: ResponseUpdate | None = None

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
    response_uuid: uuid_module.UUID | None = None,
) -> RecommendationChange:
    """Apply ``data`` to a recommendation (the body of recommendation_update; call under atomic_write)."""
    data = translated_data(Recommendation, data)
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
    canonical_full_clean(fresh, exclude=["status"])
    new_status: str | None = data.get("status")
    new_response: str | None = data.get("response")
    # The status and response the recommendation moves to, if the data changes them (the response rules couple them).
    moves = coupled_moves(
        recommendation=fresh,
        to_status=new_status if new_status is not None and new_status != fresh.status else None,
        to_response=new_response if new_response is not None and new_response != fresh.response else None,
    )
    to_status, to_response = moves.to_status, moves.to_response
    status_note = data.get("status_note") or data.get("response_note") or ""
    response_note = data.get("response_note") or data.get("status_note") or ""
    if to_status is not None:
        validate_status_transition(from_status=fresh.status, to_status=to_status, note=status_note)
    elif data.get("status_note") or data.get("evidence_url"):
        raise ValidationError(
            {"status": _("A note or evidence is recorded with a status change: choose a new status.")}
        )
    if to_response is None and (data.get("response_note") or data.get("response_evidence_url")):
        raise ValidationError(
            {"response": _("A note or evidence is recorded with a response: choose the new response.")}
        )
    partner_changes = PartnerLinkChanges()
    if "partners" in data:
        validate_partners(data["partners"])
        partner_changes = _set_partners(fresh, data["partners"])
        if partner_changes:
            changed.append("partners")
    if "themes" in data and _set_themes(fresh, data["themes"]):
        changed.append("themes")

    result = RecommendationChange(recommendation=fresh)
    if not changed and to_status is None and to_response is None:
        return result
    now = timezone.now()
    fresh.version = bump_version(Recommendation, pk=fresh.pk, expected_version=fresh.version, now=now)
    fresh.updated_at = now
    update_fields = [name for name in changed if name in RECOMMENDATION_FIELDS] + ["updated_at"]
    if to_status is not None:
        result.status_update = status_update_record(
            recommendation=fresh,
            from_status=fresh.status,
            to_status=to_status,
            note=status_note,
            evidence_url=data.get("evidence_url") or data.get("response_evidence_url") or "",
            actor=actor,
            now=now,
            uuid=entry_uuid if to_response is None else None,
        )
        fresh.status = to_status
        fresh.status_changed_at = now
        update_fields += ["status", "status_changed_at"]
        changed.append("status")
    if to_response is not None:
        result.response_update = response_update_record(
            recommendation=fresh,
            from_response=fresh.response,
            to_response=to_response,
            responded_on=data.get("response_date"),
            note=response_note,
            evidence_url=data.get("response_evidence_url") or data.get("evidence_url") or "",
            actor=actor,
            now=now,
            uuid=response_uuid,
        )
        fresh.response = to_response
        fresh.response_date = result.response_update.responded_on
        update_fields += ["response", "response_date"]
        changed.append("response")
    canonical_save(fresh, update_fields=update_fields)
    result.changed_fields = changed
    change_record(instance=fresh, action=ChangeAction.UPDATED, actor=actor)
    partner_changes.record(actor=actor)
    if result.status_update is not None:
        change_record(instance=result.status_update, action=ChangeAction.CREATED, actor=actor)
        evidence_of_entry(result.status_update, actor=actor)
    if result.response_update is not None:
        change_record(instance=result.response_update, action=ChangeAction.CREATED, actor=actor)
        evidence_of_entry(result.response_update, actor=actor)
    record_dependents(dependents_pks(fresh, set(changed)), actor=actor, now=now)  # a new reference shows in links
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
    AlreadyExists is raised before anything else is checked, and nothing is written. Then the version: a change
    based on a version that is no longer current is a VersionConflict even when someone else has just made the
    same move (the caller must look again, not be told "already in that status"). Then the status rules.
    """
    if entry_uuid is not None:
        existing = StatusUpdate.objects.filter(uuid=entry_uuid).first()
        if existing is not None:
            raise AlreadyExists(instance=existing)
    fresh = Recommendation.objects.filter(pk=recommendation.pk).only("status", "version").first()
    if fresh is None or (expected_version is not None and fresh.version != expected_version):
        raise VersionConflict(current_version=fresh.version if fresh else None)
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


@atomic_write
def recommendation_record_response(
    *,
    recommendation: Recommendation,
    actor: Actor,
    response: str,
    responded_on: date | None = None,
    note: str = "",
    evidence_url: str = "",
    expected_version: int | None = None,
    entry_uuid: uuid_module.UUID | None = None,
) -> ResponseUpdate:
    """Record the addressee's response with its date (default: today), note and evidence: the response entry and the
    new response together, and the status the response rules require (``services.response``).

    A caller may choose the response entry's UUID (a retried request is AlreadyExists, nothing written). Recording
    the response the recommendation already has is a ValidationError.
    """
    if entry_uuid is not None:
        existing = ResponseUpdate.objects.filter(uuid=entry_uuid).first()
        if existing is not None:
            raise AlreadyExists(instance=existing)
    fresh = Recommendation.objects.filter(pk=recommendation.pk).only("response", "version").first()
    if fresh is None or (expected_version is not None and fresh.version != expected_version):
        raise VersionConflict(current_version=fresh.version if fresh else None)
    validate_response(response)
    if response == fresh.response:
        raise ValidationError(
            {"response": _("The response is already “%(response)s”.") % {"response": Response(response).label}}
        )
    change = _update_recommendation(
        recommendation=recommendation,
        actor=actor,
        data={
            "response": response,
            "response_date": responded_on,
            "response_note": note,
            "response_evidence_url": evidence_url,
        },
        expected_version=expected_version,
        response_uuid=entry_uuid,
    )
    assert change.response_update is not None
    return change.response_update


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
            refused.append(
                _("%(reference)s: %(errors)s")
                % {"reference": recommendation.reference, "errors": " ".join(error.messages)}
            )
        else:
            to_change.append(recommendation)
    if refused:
        raise ValidationError({"note": refused})
    entries = [
        _update_recommendation(
            recommendation=recommendation,
            actor=actor,
            data={"status": status, "status_note": note, "evidence_url": evidence_url},
            expected_version=None,
        ).status_update
        for recommendation in to_change
    ]
    changed = [entry for entry in entries if entry is not None]  # all of them: each one changes status
    return BulkStatusResult(changed=changed, skipped=skipped)


@atomic_write
def recommendation_delete(*, recommendation: Recommendation, actor: Actor, expected_version: int | None = None) -> None:
    """Delete a recommendation and its timeline, recording each deletion in the change feed.

    Its links go with it, which changes the linked recommendations too (they show it): each gets a new version and an
    update, as the change feed's dependents registry says (``recommendations.apps``).
    """
    bump_version(Recommendation, pk=recommendation.pk, expected_version=expected_version)
    fresh = Recommendation.objects.get(pk=recommendation.pk)
    last = representation(fresh)
    linked = dependents_pks(fresh, None)
    for entry in fresh.status_updates.order_by("created_at", "id"):
        change_record(instance=entry, action=ChangeAction.DELETED, actor=actor)
    for response_entry in fresh.response_updates.order_by("created_at", "id"):
        change_record(instance=response_entry, action=ChangeAction.DELETED, actor=actor)
    # What goes with it (cascade) leaves the feed too: evidence (its files once the deletion is committed), progress
    # per partner, milestones, assessments.
    evidence = list(fresh.evidence.order_by("created_at", "id"))
    files = [item.file.name for item in evidence if item.file and item.file.name]
    if files:
        transaction.on_commit(delete_files_on_commit(files))
    for dependent in [
        *evidence,
        *fresh.partner_status_updates.order_by("created_at", "id"),
        *fresh.partner_links.order_by("id"),
        *fresh.milestones.order_by("id"),
        *fresh.assessments.order_by("created_at", "id"),
    ]:
        change_record(instance=dependent, action=ChangeAction.DELETED, actor=actor)
    change_record(instance=fresh, action=ChangeAction.DELETED, actor=actor, data=last)
    fresh.delete()
    record_dependents(linked, actor=actor)
