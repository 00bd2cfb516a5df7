"""Who may do what with recommendations beyond plain model permissions: each rule stated once, for every entry point."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

#: Recording a status change adds a timeline entry and changes the recommendation.
RECORD_STATUS_PERMISSIONS = ("recommendations.add_statusupdate", "recommendations.change_recommendation")


def can_record_status(user: User | AnonymousUser) -> bool:
    """Whether the user may record status changes: on the web page, in the admin and through the API alike."""
    return bool(user.is_authenticated and user.has_perms(RECORD_STATUS_PERMISSIONS))
