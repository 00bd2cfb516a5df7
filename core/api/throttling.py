"""Request rate limits per user and per token, counted in the default cache (Redis where REDIS_URL is set)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiToken

if TYPE_CHECKING:
    from rest_framework.views import APIView


class _SettingsRateThrottle(SimpleRateThrottle):
    """A throttle that reads its rate from the settings on each request (so settings overrides apply)."""

    def get_rate(self) -> str | None:
        # The stubs type the rates as numbers; DRF's rates are strings such as "3000/minute".
        rates: dict[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
        return rates.get(self.scope) if self.scope is not None else None


class UserRateThrottle(_SettingsRateThrottle):
    """Limit each user's requests, whether made with a session or a token (rate "user")."""

    scope = "user"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenRateThrottle(_SettingsRateThrottle):
    """Limit each token's requests (rate "token"), on top of its user's limit."""

    scope = "token"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
