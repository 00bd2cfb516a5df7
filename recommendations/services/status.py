"""The status rules of a recommendation and its timeline entries: what may follow what, and the entry that records it.

The recommendation services (``services.recommendations``) are the only callers: a status never changes without
its timeline entry, and the entry is never written without the change.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.changes import Actor, actor_or_none

from ..choices import CLOSED_STATUSES, Status
from ..models import Recommendation, StatusUpdate


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


def status_update_record(
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
        author=actor_or_none(actor),
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
