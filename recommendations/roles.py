"""The roles users have, as Django groups (created by migration 0002_create_roles)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

POLICY_TEAM = "Policy team"
MANAGERS = "Managers"


def role_label(user: AbstractBaseUser | AnonymousUser) -> str:
    """The role to show for a user: administrator, policy team, manager, or none."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser:
        return str(_("Administrator"))
    names = {group.name for group in user.groups.all()}
    if POLICY_TEAM in names:
        return str(_("Policy team"))
    if MANAGERS in names:
        return str(_("Manager"))
    return ""


def can_record_status(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user may record status changes (policy team and administrators)."""
    return (
        user.is_authenticated
        and user.has_perm("recommendations.add_statusupdate")
        and user.has_perm("recommendations.change_recommendation")
    )
