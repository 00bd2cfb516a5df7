"""What every page's header shows of notifications: the signed-in user's unread count."""

from __future__ import annotations

from django.http import HttpRequest

from .models import Notification


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """``unread_notifications``: how many notifications the signed-in user has not read (absent for others)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()}
