"""Status per partner: how far a recommendation has come with each partner it concerns.

A recommendation that names the Philippines and Vietnam may move with one and not the other. Each partner link has a
status of its own (blank until progress with that partner is recorded) and timeline entries of its own
(``PartnerStatusUpdate``: from, to, note, evidence, author, time). The rules are those of the recommendation's own
status (``services.status``): a status cannot follow itself, and leaving "implemented" or "not adopted" with a partner
needs a note. The addressee (Japan, who acts) has no status of its own: its progress is the recommendation's status.

The recommendation's **overall status stays its own**, recorded by the policy team as before: a partner's progress
never changes it silently. The page shows both, with what the partners' statuses add up to
(``choices.partners_overall_status``) and a note where the overall status differs from that.
"""

from __future__ import annotations

import uuid as uuid_module

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changes import Actor, AlreadyExists, VersionConflict, actor_or_none, atomic_write, bump_version, change_record
from core.choices import ChangeAction

from ..choices import Status, tracks_progress
from ..models import PartnerStatusUpdate, Recommendation, RecommendationPartner
from .evidence import evidence_of_entry
from .status import validate_status_transition


@atomic_write
def recommendation_partner_record_status(
    *,
    link: RecommendationPartner,
    actor: Actor,
    status: str,
    note: str = "",
    evidence_url: str = "",
    expected_version: int | None = None,
    expected_recommendation_version: int | None = None,
    entry_uuid: uuid_module.UUID | None = None,
) -> PartnerStatusUpdate:
    """Record progress with one partner: its new status there, with a timeline entry, versions and feed entries.

    ``expected_version`` is the partner link's version (its ETag in the API); ``expected_recommendation_version`` the
    recommendation's (the page's): either, if stale, is a VersionConflict. The recommendation gets a new version too,
    since its representation shows its partners' statuses.
    """
    if entry_uuid is not None:
        existing = PartnerStatusUpdate.objects.filter(uuid=entry_uuid).first()
        if existing is not None:
            raise AlreadyExists(instance=existing)
    fresh = RecommendationPartner.objects.select_related("partner").filter(pk=link.pk).first()
    if fresh is None or (expected_version is not None and fresh.version != expected_version):
        raise VersionConflict(current_version=fresh.version if fresh else None)
    if not tracks_progress(fresh.role):
        raise ValidationError(
            {
                "partner": _(
                    "%(partner)s is the recommendation's addressee: its progress is the recommendation's own status."
                )
                % {"partner": fresh.partner}
            }
        )
    recommendation = Recommendation.objects.get(pk=fresh.recommendation_id)
    if expected_recommendation_version is not None and recommendation.version != expected_recommendation_version:
        raise VersionConflict(current_version=recommendation.version)
    if status in Status.values and status == fresh.status:
        raise ValidationError(
            {
                "status": _("Progress with %(partner)s is already “%(status)s”.")
                % {"partner": fresh.partner, "status": Status(status).label}
            }
        )
    validate_status_transition(from_status=fresh.status, to_status=status, note=note)
    now = timezone.now()
    entry = PartnerStatusUpdate(
        recommendation=recommendation,
        partner=fresh.partner,
        from_status=fresh.status,
        to_status=status,
        note=(note or "").strip(),
        evidence_url=evidence_url or "",
        author=actor_or_none(actor),
        created_at=now,
    )
    if entry_uuid is not None:
        entry.uuid = entry_uuid
    try:
        entry.full_clean(exclude=["recommendation", "partner"])
    except ValidationError as error:
        raise ValidationError(
            {{"to_status": "status"}.get(name, name): messages for name, messages in error.message_dict.items()}
        ) from error
    entry.save()
    fresh.version = bump_version(RecommendationPartner, pk=fresh.pk, expected_version=fresh.version, now=now)
    fresh.status, fresh.status_changed_at, fresh.updated_at = status, now, now
    fresh.save(update_fields=["status", "status_changed_at", "updated_at"])
    recommendation.version = bump_version(
        Recommendation, pk=recommendation.pk, expected_version=recommendation.version, now=now
    )
    change_record(instance=fresh, action=ChangeAction.UPDATED, actor=actor)
    change_record(instance=entry, action=ChangeAction.CREATED, actor=actor)
    evidence_of_entry(entry, actor=actor)
    change_record(instance=recommendation, action=ChangeAction.UPDATED, actor=actor)
    return entry
