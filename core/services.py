"""Write services of the shared machinery: API tokens and users' preferences."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .changes import is_lock_timeout
from .models import ApiToken, UserPreferences

#: How often a token's ``last_used_at`` is written at most (a write per request would make every read a write).
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def api_token_hash(token: str) -> str:
    """The SHA-256 hex digest of a whole token string, the only form in which tokens are stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, can_write: bool = False, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; return it with the raw token string ``<prefix>.<secret>``, shown only this once."""
    while True:
        prefix = secrets.token_hex(6)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=user, name=name, prefix=prefix, key_hash=api_token_hash(raw), can_write=can_write, expires_at=expires_at
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    """Revoke a token from now on (revoking a revoked token keeps its first revocation time)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now or timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record that a token was used, at most once per API_TOKEN_TOUCH_INTERVAL (one conditional UPDATE, no lock)."""
    now = now or timezone.now()
    threshold = now - API_TOKEN_TOUCH_INTERVAL
    if token.last_used_at is not None and token.last_used_at > threshold:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=threshold)
    try:
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    except OperationalError as error:  # a busy database must not refuse a read: the next request will touch it
        if not is_lock_timeout(error):
            raise
        return
    token.last_used_at = now


@transaction.atomic
def user_set_language(*, user: User, language: str) -> UserPreferences:
    """Remember ``language`` (one of settings.LANGUAGES) as ``user``'s interface language."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")}, code="invalid_choice")
    preferences, _created = UserPreferences.objects.update_or_create(user=user, defaults={"language": language})
    return preferences
