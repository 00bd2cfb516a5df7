"""The roles users have, as Django groups (created by a migration of the recommendations app).

A role is a set of model permissions; code asks for permissions (``user.has_perm``), never for group names, so an
administrator may also grant a permission to a single user. The names here are for showing the role and for setting
up users.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

POLICY_TEAM = "Policy team"
MANAGERS = "Managers"
ASSESSORS = "Assessors"

#: Group name → how the header names a member, most capable role first.
ROLE_LABELS = {POLICY_TEAM: _("Policy team"), ASSESSORS: _("Assessor"), MANAGERS: _("Manager")}
#: Group name → how the admin names the group (the names themselves are data, stored in English).
GROUP_LABELS = {POLICY_TEAM: _("Policy team"), ASSESSORS: _("Assessors"), MANAGERS: _("Managers")}
#: Group name → the role's code for programs (the API's /me/).
ROLE_CODES = {POLICY_TEAM: "policy_team", ASSESSORS: "assessor", MANAGERS: "manager"}


def role_code(user: User | AnonymousUser) -> str:
    """The user's role for programs: administrator, policy_team, manager, or none."""
    if not user.is_authenticated:
        return "none"
    if user.is_superuser:
        return "administrator"
    names = {group.name for group in user.groups.all()}
    return next((code for name, code in ROLE_CODES.items() if name in names), "none")


def role_label(user: User | AnonymousUser) -> str:
    """The role to show for a user: administrator, policy team, manager, or none."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser:
        return str(_("Administrator"))
    names = {group.name for group in user.groups.all()}
    for name, label in ROLE_LABELS.items():
        if name in names:
            return str(label)
    return ""


def group_label(name: str) -> str:
    """How to show a group: a role group's name in the interface language, any other group's as it is."""
    label = GROUP_LABELS.get(name)
    return str(label) if label is not None else name
