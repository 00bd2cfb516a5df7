"""Write services for partners: the one path every write of a partner takes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.changes import Actor, atomic_write, versioned_create, versioned_delete, versioned_update

from .models import Partner


def _validate_members(partner: Partner | None, members: Iterable[Partner]) -> list[Partner]:
    """Members must be other partners."""
    members = list(members)
    if partner is not None and any(member.pk == partner.pk for member in members):
        raise ValidationError({"members": _("A partner cannot be a member of itself.")})
    return members


@atomic_write
def partner_create(*, actor: Actor, data: Mapping[str, Any], members: Iterable[Partner] = ()) -> Partner:
    """Create a partner, with its members if it is a framework or organisation."""
    return versioned_create(
        Partner,
        actor=actor,
        data=dict(data),
        m2m={"members": _validate_members(None, members)},
    )


@atomic_write
def partner_update(
    *,
    partner: Partner,
    actor: Actor,
    data: Mapping[str, Any],
    members: Iterable[Partner] | None = None,
    expected_version: int | None = None,
) -> Partner:
    """Change a partner's fields and, if given, its members."""
    m2m = {"members": _validate_members(partner, members)} if members is not None else None
    return versioned_update(
        partner,
        actor=actor,
        data=dict(data),
        expected_version=expected_version,
        m2m=m2m,
    )


@atomic_write
def partner_delete(*, partner: Partner, actor: Actor, expected_version: int | None = None) -> None:
    """Delete a partner that no recommendation concerns.

    What refers to a partner protects it (``on_delete=PROTECT``): the deletion is then refused, and the transaction,
    its change-feed entry included, rolls back.
    """
    try:
        versioned_delete(partner, actor=actor, expected_version=expected_version)
    except ProtectedError as error:
        count = len(error.protected_objects)
        message = ngettext(
            "%(partner)s cannot be deleted: %(count)d recommendation concerns it.",
            "%(partner)s cannot be deleted: %(count)d recommendations concern it.",
            count,
        ) % {"partner": partner, "count": count}
        raise ValidationError(message) from error
