"""The interface language: the switch in the header, the cookie that keeps a choice, and the user's stored choice.

Django's LocaleMiddleware picks the language of each request: the cookie (``LANGUAGE_COOKIE_NAME``) if the browser
chose one, else the browser's Accept-Language, else ``LANGUAGE_CODE``. A choice made with the switch sets the
cookie, and is stored on the user when signed in; signing in sets the cookie from the stored choice, so the
language follows the user from browser to browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils import translation
from django.utils.functional import lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import UserPreferences
from .services import user_set_language

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


def is_language(value: object) -> bool:
    """Whether ``value`` is the code of one of the languages offered."""
    return isinstance(value, str) and value in dict(settings.LANGUAGES)


def stored_language(user: User | AnonymousUser) -> str | None:
    """The language ``user`` chose, if any."""
    if not user.is_authenticated:
        return None
    language = UserPreferences.objects.filter(user=user).values_list("language", flat=True).first()
    return language if is_language(language) else None


def cookie_language(request: HttpRequest) -> str | None:
    """The language this browser chose with the switch, if any."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if is_language(language) else None


def remember_language(response: HttpResponse, language: str) -> None:
    """Keep ``language`` in the browser's language cookie."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",  # settings.LANGUAGE_COOKIE_SAMESITE, spelled out for the type checker
    )


def on_sign_in(request: HttpRequest, response: HttpResponse, user: User) -> None:
    """After a sign-in: the user's stored language wins; else a choice made in this browser becomes the stored one."""
    language = stored_language(user)
    if language is None:
        language = cookie_language(request)
        if language is None:
            return
        user_set_language(user=user, language=language)
    remember_language(response, language)
    translation.activate(language)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the interface language (POST ``language``, ``next``): for this browser, and for the user if signed in."""
    language = request.POST.get("language")
    if not is_language(language):
        message = _("Choose one of the languages offered.")
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    assert language is not None
    target = request.POST.get("next") or request.headers.get("Referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    response = HttpResponseRedirect(target)
    remember_language(response, language)
    return response


def _interpolate(text: Any, values: dict[str, Any]) -> str:
    return str(text) % values


_lazy_interpolate = lazy(_interpolate, str)


def lazy_format(text: str | _StrPromise, **values: Any) -> _StrPromise:
    """A lazy translation with %-placeholders filled in when it is read (in the reader's language)."""
    return cast("_StrPromise", _lazy_interpolate(text, values))
