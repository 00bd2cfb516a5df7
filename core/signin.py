"""Protection of passwords beyond django-axes: a backoff per username, trusted browsers, and the password-change form.

django-axes locks a username out *from one address* after a few failures (with the address the trusted proxies saw,
``core.auth.client_ip``). An attacker with many addresses is stopped here instead: after
``SIGNIN_USERNAME_FAILURE_LIMIT`` failures of one username, each further attempt must wait, twice as long each
time, up to ``SIGNIN_BACKOFF_MAX_SECONDS``. Failures are forgotten after a day without one.

Such a backoff could be used to keep a known user out: so a browser where the user signed in before carries a signed
"trusted device" cookie, and attempts from it neither count nor wait. The owner keeps working from their usual
browsers whatever an attacker does; only new browsers wait.

The password-change form counts failed checks of the old password the same way (scope ``password_change``), so a
stolen session cannot try passwords there either.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import ngettext

from .auth import USERNAME_MAX
from .i18n import on_sign_in
from .models import SignInThrottle

Scope = SignInThrottle.Scope

if TYPE_CHECKING:  # the mixins below extend these forms
    _SignInFormBase = AuthenticationForm
    _PasswordChangeFormBase = PasswordChangeForm
else:
    _SignInFormBase = _PasswordChangeFormBase = object

#: Name of the trusted-device cookie, and the salt its signature is made with.
DEVICE_COOKIE = "tracker_device"
_DEVICE_SALT = "core.signin.trusted-device"
#: Most usernames one browser is trusted for (people share few browsers).
_DEVICE_USERNAMES = 10
#: Failures older than this are forgotten.
FAILURE_MEMORY = timedelta(days=1)


def _username(value: Any) -> str:
    """A username as stored: text without NUL bytes, cut to the column."""
    return str(value or "").replace("\x00", "")[:USERNAME_MAX]


def _limit() -> int:
    return int(settings.SIGNIN_USERNAME_FAILURE_LIMIT)


def backoff(failures: int) -> timedelta:
    """How long to wait after ``failures`` failures: nothing below the limit, then doubling up to the maximum."""
    if failures < _limit():
        return timedelta(0)
    seconds = settings.SIGNIN_BACKOFF_BASE_SECONDS * 2 ** min(failures - _limit(), 20)
    return timedelta(seconds=min(seconds, settings.SIGNIN_BACKOFF_MAX_SECONDS))


def wait_seconds(scope: str, username: str) -> int:
    """Seconds the next password check of ``username`` must wait (0: none)."""
    blocked_until = (
        SignInThrottle.objects.filter(scope=scope, username=_username(username))
        .values_list("blocked_until", flat=True)
        .first()
    )
    if blocked_until is None:
        return 0
    remaining = (blocked_until - timezone.now()).total_seconds()
    return max(0, int(remaining + 0.999))


def record_failure(scope: str, username: str) -> None:
    """Count a failed password check of ``username``; past the limit, set how long the next one must wait."""
    username = _username(username)
    now = timezone.now()
    for _attempt in range(2):  # a concurrent first failure may create the row between our read and our insert
        try:
            with transaction.atomic():
                row, _created = SignInThrottle.objects.select_for_update().get_or_create(scope=scope, username=username)
                if row.updated_at < now - FAILURE_MEMORY:
                    row.failures = 0
                row.failures += 1
                wait = backoff(row.failures)
                row.blocked_until = now + wait if wait else None
                row.updated_at = now
                row.save(update_fields=["failures", "blocked_until", "updated_at"])
                return
        except IntegrityError:
            continue


def record_success(scope: str, username: str) -> None:
    """Forget the failures of ``username`` (its owner knows the password)."""
    SignInThrottle.objects.filter(scope=scope, username=_username(username)).delete()


def trusted_usernames(request: HttpRequest) -> list[str]:
    """The usernames this browser signed in as before (from its signed cookie; [] if none or tampered with)."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        usernames = signing.loads(value, salt=_DEVICE_SALT, max_age=settings.SIGNIN_TRUSTED_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return []
    return [str(name) for name in usernames] if isinstance(usernames, list) else []


def is_trusted_device(request: HttpRequest | None, username: str) -> bool:
    """Whether this browser signed in as ``username`` before."""
    return request is not None and _username(username) in trusted_usernames(request)


def trust_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """Mark this browser as one ``username`` signs in from (a signed, HTTP-only cookie)."""
    names = [name for name in trusted_usernames(request) if name != _username(username)]
    names = [_username(username), *names][:_DEVICE_USERNAMES]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(names, salt=_DEVICE_SALT, compress=True),
        max_age=settings.SIGNIN_TRUSTED_DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def too_many_attempts(seconds: int) -> ValidationError:
    """The error shown while a username must wait."""
    minutes = max(1, (seconds + 59) // 60)
    message = ngettext(
        "Too many failed attempts for this username. Try again in %(minutes)d minute, or from a browser you "
        "have signed in from before.",
        "Too many failed attempts for this username. Try again in %(minutes)d minutes, or from a browser you "
        "have signed in from before.",
        minutes,
    ) % {"minutes": minutes}
    return ValidationError(message, code="throttled")


# --- Forms and views ------------------------------------------------------------------------------------------------


class ThrottledSignInMixin(_SignInFormBase):
    """For sign-in forms: a username in backoff is refused before its password is checked, and failures count."""

    def clean(self) -> dict[str, Any]:
        username = _username(self.data.get("username"))
        trusted = is_trusted_device(self.request, username)
        if username and not trusted:
            wait = wait_seconds(Scope.SIGN_IN, username)
            if wait:
                raise too_many_attempts(wait)
        try:
            cleaned: dict[str, Any] = super().clean()
        except ValidationError as error:
            if username and not trusted and getattr(error, "code", None) == "invalid_login":
                record_failure(Scope.SIGN_IN, username)
            raise
        return cleaned


class SignInForm(ThrottledSignInMixin, AuthenticationForm):
    """The site's sign-in form."""


class AdminSignInForm(ThrottledSignInMixin, AdminAuthenticationForm):
    """The admin's sign-in form."""


class ThrottledPasswordChangeMixin(_PasswordChangeFormBase):
    """For password-change forms: failed checks of the old password count and back off like sign-ins."""

    def clean_old_password(self) -> str:
        username = self.user.get_username()
        wait = wait_seconds(Scope.PASSWORD_CHANGE, username)
        if wait:
            raise too_many_attempts(wait)
        try:
            old_password: str = super().clean_old_password()
        except ValidationError:
            record_failure(Scope.PASSWORD_CHANGE, username)
            raise
        return old_password


class ThrottledPasswordChangeForm(ThrottledPasswordChangeMixin, PasswordChangeForm):
    """The site's password-change form."""


class ThrottledAdminPasswordChangeForm(ThrottledPasswordChangeMixin, AdminPasswordChangeForm):
    """The admin's password-change form."""


class SignInView(LoginView):
    """Django's sign-in view with the throttled form; a successful sign-in trusts the browser for that user."""

    authentication_form = SignInForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        username = form.get_user().get_username()
        response = super().form_valid(form)
        record_success(Scope.SIGN_IN, username)
        trust_device(self.request, response, username)
        on_sign_in(self.request, response, form.get_user())
        return response


class ThrottledPasswordChangeView(PasswordChangeView):
    """Django's password-change view with the throttled form."""

    form_class = ThrottledPasswordChangeForm

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        record_success(Scope.PASSWORD_CHANGE, form.user.get_username())
        return response
