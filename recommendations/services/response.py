"""The response rules: how the addressee's response and the implementation status constrain each other.

A recommendation's **response** says whether it is taken up (no response yet, accepted, accepted in part, accepted in
principle, noted, rejected); its **status** says how far its implementation has come. They are independent but for
one rule, stated here and enforced by ``recommendation_update`` for every entry point:

- **Rejected is not adopted.** Recording the response "rejected" moves the status to "not adopted" in the same step
  (a status entry with the response's note), and moving the status to "not adopted" records the response "rejected"
  (a response entry with the status change's note).
- **Reopening goes through the response.** While a recommendation is rejected its status stays "not adopted": a status
  change is refused until a new response is recorded. Recording any other response reopens it: the status moves to
  "under review", and, as for every reopening, the note must say why.

Every response change writes a response entry (``ResponseUpdate``: from, to, date, note, evidence, author, time), as
every status change writes a status entry.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changes import Actor, actor_or_none

from ..choices import REJECTED_STATUS, Response, Status
from ..models import Recommendation, ResponseUpdate

#: Where a rejected recommendation goes when a new response reopens it.
REOPENED_STATUS = Status.UNDER_REVIEW


@dataclass(frozen=True)
class Moves:
    """The status and response a change leads to, each None where it stays."""

    to_status: str | None
    to_response: str | None


def validate_response(value: str) -> None:
    """Raise ValidationError unless ``value`` is a response."""
    if value not in Response.values:
        raise ValidationError({"response": _("“%(value)s” is not a valid response.") % {"value": value}})


def coupled_moves(*, recommendation: Recommendation, to_status: str | None, to_response: str | None) -> Moves:
    """The status and response a change of either leads to under the response rules (see the module's docstring).

    Raises ValidationError for a status change of a rejected recommendation that records no new response.
    """
    rejected = recommendation.response == Response.REJECTED
    if to_response is not None:
        validate_response(to_response)
    if to_response == Response.REJECTED and to_status not in (None, REJECTED_STATUS):
        raise ValidationError(
            {"status": _("A rejected recommendation is “Not adopted”: it cannot be given another status.")}
        )
    if to_response == Response.REJECTED:
        if recommendation.status != REJECTED_STATUS:
            to_status = REJECTED_STATUS
        elif to_status == recommendation.status:
            to_status = None
    elif to_response is not None and rejected and recommendation.status == REJECTED_STATUS and to_status is None:
        to_status = REOPENED_STATUS
    if to_status == REJECTED_STATUS and to_response is None and not rejected:
        to_response = Response.REJECTED
    if rejected and to_response is None and to_status is not None and to_status != REJECTED_STATUS:
        raise ValidationError(
            {
                "status": _(
                    "This recommendation was rejected, so it stays “Not adopted”: record its new response, and the "
                    "status follows."
                )
            }
        )
    if to_response not in (None, Response.REJECTED) and to_status == REJECTED_STATUS:
        raise ValidationError(
            {"status": _("“Not adopted” is the status of a rejected recommendation: record the response “Rejected”.")}
        )
    return Moves(to_status=to_status, to_response=to_response)


def initial_response(*, status: str, response: str) -> tuple[str, str]:
    """The status and response a new recommendation starts with under the response rules: a rejected one is not
    adopted and the reverse (ValidationError where the two given contradict each other)."""
    validate_response(response)
    if response == Response.REJECTED and status not in (REJECTED_STATUS, Status.PROPOSED):
        raise ValidationError(
            {"response": _("A rejected recommendation is “Not adopted”: it cannot be given another status.")}
        )
    if response == Response.REJECTED:
        return REJECTED_STATUS, response
    if status == REJECTED_STATUS and response == Response.NO_RESPONSE:
        return status, Response.REJECTED
    if status == REJECTED_STATUS:
        raise ValidationError(
            {"status": _("“Not adopted” is the status of a rejected recommendation: record the response “Rejected”.")}
        )
    return status, response


def response_update_record(
    *,
    recommendation: Recommendation,
    from_response: str,
    to_response: str,
    responded_on: date | None,
    note: str,
    evidence_url: str,
    actor: Actor,
    now: datetime,
    uuid: uuid_module.UUID | None = None,
) -> ResponseUpdate:
    """Validate and save a response entry (the caller saves the recommendation's new response)."""
    entry = ResponseUpdate(
        recommendation=recommendation,
        from_response=from_response,
        to_response=to_response,
        responded_on=responded_on or timezone.localdate(now),
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
        names = {"to_response": "response", "responded_on": "response_date", "note": "response_note"}
        names["evidence_url"] = "response_evidence_url"
        raise ValidationError(
            {names.get(name, name): messages for name, messages in error.message_dict.items()}
        ) from error
    entry.save()
    return entry
