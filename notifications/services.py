"""Write services of notifications: watching and unwatching, marking as read, e-mail settings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changes import atomic_write
from partners.models import Partner
from recommendations.models import Recommendation, SavedView, Source
from recommendations.selectors import saved_views_for

from .models import EmailChoice, Notification, NotificationSettings, Watch

User = AuthUser | AnonymousUser

#: Which permission reads each kind of target (a saved view: being among the views the user sees).
TARGET_PERMISSIONS: dict[type[Model], str] = {
    Recommendation: "recommendations.view_recommendation",
    Partner: "partners.view_partner",
    Source: "recommendations.view_source",
    SavedView: "recommendations.view_recommendation",
}
TARGET_FIELDS: dict[type[Model], str] = {
    Recommendation: "recommendation",
    Partner: "partner",
    Source: "source",
    SavedView: "saved_view",
}


def _signed_in(user: User) -> AuthUser:
    """The user, who must be signed in."""
    if not isinstance(user, AuthUser):
        raise PermissionDenied(_("Sign in first."))
    return user


def _target_filter(target: Recommendation | Partner | Source | SavedView) -> dict[str, Any]:
    return {TARGET_FIELDS[type(target)]: target}


def _check_may_watch(user: User, target: Model) -> None:
    if not user.is_authenticated or not user.has_perm(TARGET_PERMISSIONS[type(target)]):
        raise PermissionDenied(_("You may not watch this."))
    if isinstance(target, SavedView) and not saved_views_for(user).filter(pk=target.pk).exists():
        raise PermissionDenied(_("You may not watch this."))


def is_watching(user: User, target: Recommendation | Partner | Source | SavedView) -> bool:
    """Whether a user watches ``target``."""
    if not isinstance(user, AuthUser):
        return False
    return Watch.objects.filter(user=user, **_target_filter(target)).exists()


@atomic_write
def watch_create(*, user: User, target: Recommendation | Partner | Source | SavedView) -> Watch:
    """Watch a recommendation, a partner, a source or a saved view (again: nothing changes)."""
    _check_may_watch(user, target)
    watch, _created = Watch.objects.get_or_create(user=_signed_in(user), **_target_filter(target))
    return watch


@atomic_write
def watch_delete(*, user: User, target: Recommendation | Partner | Source | SavedView) -> None:
    """Stop watching (not watching: nothing changes)."""
    Watch.objects.filter(user=_signed_in(user), **_target_filter(target)).delete()


@atomic_write
def notification_mark_read(*, user: User, notification_id: int) -> None:
    """Mark one of the user's notifications as read; another user's is not found."""
    updated = Notification.objects.filter(pk=notification_id, user=_signed_in(user), read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if not updated and not Notification.objects.filter(pk=notification_id, user=_signed_in(user)).exists():
        raise ValidationError({"notification": _("No such notification.")})


@atomic_write
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user as read; return how many."""
    return Notification.objects.filter(user=_signed_in(user), read_at__isnull=True).update(read_at=timezone.now())


def email_choice(user: User) -> str:
    """When the user is e-mailed (no settings yet: immediately)."""
    choice = NotificationSettings.objects.filter(user=_signed_in(user)).values_list("email", flat=True).first()
    return choice or EmailChoice.IMMEDIATELY


@atomic_write
def notification_settings_update(*, user: User, email: str) -> NotificationSettings:
    """Choose when to be e-mailed: immediately, in a daily digest, or never."""
    if email not in EmailChoice.values:
        raise ValidationError({"email": _("Choose when to be e-mailed.")})
    row, _created = NotificationSettings.objects.update_or_create(user=_signed_in(user), defaults={"email": email})
    return row
