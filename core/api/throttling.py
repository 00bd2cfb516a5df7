"""Request rate limits per user and per token, counted in fixed windows in the default cache, and told to clients.

Each throttle counts a window (a minute, an hour, ...) with the cache's atomic ``add`` and ``incr``: with Redis
(``REDIS_URL``) every process and host counts the same window, so the limit is the limit; without it each process
counts on its own (the real limit is the configured one times the number of processes, docs/deploying.md).

Every answer under /api/ carries the tightest limit that applied: ``X-RateLimit-Limit`` (requests per window),
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (when the window ends, in Unix seconds); a 429 adds
``Retry-After``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from ..models import ApiToken

if TYPE_CHECKING:
    from rest_framework.views import APIView

#: The attribute of the Django request where the tightest limit of the request is left for the headers.
REQUEST_ATTRIBUTE = "rate_limit"
#: Seconds in each rate's period.
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class RateLimit:
    """One limit as it stands after this request: requests per window, how many are left, when the window ends."""

    limit: int
    remaining: int
    reset: int


def parse_rate(rate: str) -> tuple[int, int]:
    """A rate such as "3000/minute" as (requests, seconds)."""
    number, _slash, period = rate.partition("/")
    return int(number), PERIODS[period[:1]]


class FixedWindowThrottle(BaseThrottle):
    """A throttle counting requests per window in the cache; subclasses say whose requests (``ident``)."""

    scope: str

    def __init__(self) -> None:
        self.retry_in: float | None = None

    def rate(self) -> str | None:
        """The rate from the settings, read on each request (so settings overrides apply)."""
        # The stubs type the rates as numbers; DRF's rates are strings such as "3000/minute".
        rates: dict[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
        return rates.get(self.scope)

    def ident(self, request: Request) -> object | None:
        """Whose requests this throttle counts (None: it does not apply)."""
        raise NotImplementedError

    def allow_request(self, request: Request, view: APIView) -> bool:
        rate, ident = self.rate(), self.ident(request)
        if rate is None or ident is None:
            return True
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        key = f"throttle:{self.scope}:{ident}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the window's counter expired between the two calls: this is its first request
            cache.add(key, 1, timeout=period + 1)
            count = 1
        reset = (window + 1) * period
        _record(request, RateLimit(limit=limit, remaining=max(limit - count, 0), reset=reset))
        if count > limit:
            self.retry_in = reset - now
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_in


def _record(request: Request, limit: RateLimit) -> None:
    """Keep the tightest limit of the request for the response's headers."""
    django_request = request._request
    current: RateLimit | None = getattr(django_request, REQUEST_ATTRIBUTE, None)
    if current is None or limit.remaining < current.remaining:
        setattr(django_request, REQUEST_ATTRIBUTE, limit)


class UserRateThrottle(FixedWindowThrottle):
    """Limit each user's requests, whether made with a session or a token (rate "user")."""

    scope = "user"

    def ident(self, request: Request) -> object | None:
        user = request.user
        return user.pk if user is not None and user.is_authenticated else None


class TokenRateThrottle(FixedWindowThrottle):
    """Limit each token's requests (rate "token"), on top of its user's limit."""

    scope = "token"

    def ident(self, request: Request) -> object | None:
        return request.auth.pk if isinstance(request.auth, ApiToken) else None


class RateLimitHeadersMiddleware:
    """Add the X-RateLimit headers of the tightest limit a request met (set by the throttles above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        limit: RateLimit | None = getattr(request, REQUEST_ATTRIBUTE, None)
        if limit is not None:
            response["X-RateLimit-Limit"] = str(limit.limit)
            response["X-RateLimit-Remaining"] = str(limit.remaining)
            response["X-RateLimit-Reset"] = str(limit.reset)
            if response.status_code == 429 and "Retry-After" not in response:
                response["Retry-After"] = str(max(1, math.ceil(limit.reset - time.time())))
        return response
