"""Independent assessment: someone other than those who report progress rates it on a documented scale.

The scale is ``Rating`` (not started, limited progress, substantial progress, complete); ``AGREEING_RATINGS`` says
which ratings agree with each self-reported status, and an assessment outside them *disagrees* with the report (the
page, the list's filter, the report and the API show it). Recording an assessment changes the recommendation's
latest assessment and nothing else: not its status, not its response.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changes import Actor, AlreadyExists, VersionConflict, actor_or_none, atomic_write, bump_version, change_record
from core.choices import ChangeAction

from ..choices import Rating
from ..models import Assessment, Recommendation
from .evidence import evidence_of_entry


@atomic_write
def recommendation_assess(
    *,
    recommendation: Recommendation,
    actor: Actor,
    rating: str,
    rationale: str,
    assessed_on: date | None = None,
    evidence_url: str = "",
    expected_version: int | None = None,
    entry_uuid: uuid_module.UUID | None = None,
) -> Assessment:
    """Record an independent assessment (rating, rationale, date, evidence) and make it the recommendation's latest.

    A rationale is required: an assessment says why. A caller may choose the entry's UUID (a retry is
    AlreadyExists); with ``expected_version`` a stale page is a VersionConflict.
    """
    if entry_uuid is not None:
        existing = Assessment.objects.filter(uuid=entry_uuid).first()
        if existing is not None:
            raise AlreadyExists(instance=existing)
    fresh = Recommendation.objects.filter(pk=recommendation.pk).first()
    if fresh is None or (expected_version is not None and fresh.version != expected_version):
        raise VersionConflict(current_version=fresh.version if fresh else None)
    if rating not in Rating.values:
        raise ValidationError({"rating": _("“%(value)s” is not a valid rating.") % {"value": rating}})
    if not (rationale or "").strip():
        raise ValidationError({"rationale": _("An assessment says why: give its rationale.")})
    now = timezone.now()
    entry = Assessment(
        recommendation=fresh,
        rating=rating,
        rationale=rationale.strip(),
        assessed_on=assessed_on or timezone.localdate(now),
        evidence_url=evidence_url or "",
        reported_status=fresh.status,
        assessor=actor_or_none(actor),
        created_at=now,
    )
    if entry_uuid is not None:
        entry.uuid = entry_uuid
    entry.full_clean(exclude=["recommendation"])
    entry.save()
    fresh.version = bump_version(Recommendation, pk=fresh.pk, expected_version=fresh.version, now=now)
    fresh.updated_at = now
    fresh.assessment, fresh.assessed_on = entry.rating, entry.assessed_on
    fresh.save(update_fields=["assessment", "assessed_on", "updated_at"])
    change_record(instance=fresh, action=ChangeAction.UPDATED, actor=actor)
    change_record(instance=entry, action=ChangeAction.CREATED, actor=actor)
    evidence_of_entry(entry, actor=actor)
    return entry
