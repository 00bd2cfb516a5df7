"""Request ids and request logging.

Every request gets an id, taken from a proxy's X-Request-ID when it looks like one or made up, returned in the
X-Request-ID response header and logged with one structured line per request. The id is kept in a context variable
so that log records and change-history entries written while handling the request carry it, without passing it
through every call.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from .auth import client_ip

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# A proxy's id is accepted only if it looks like an id: no room for log injection or oversized values.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
access_log = logging.getLogger("tracker.request")


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return _request_id.get()


def _user_id(request: HttpRequest) -> int | None:
    """The authenticated user's id if authentication already ran (never triggers a session lookup)."""
    user = request.__dict__.get("user")
    if user is not None and not hasattr(user, "_wrapped"):  # set directly, e.g. by DRF's token authentication
        return user.pk if user.is_authenticated else None
    cached = request.__dict__.get("_cached_user")  # Django's lazy user, once evaluated
    return cached.pk if cached is not None and cached.is_authenticated else None


class RequestIdMiddleware:
    """Give every request an id (``request.id``, X-Request-ID header) and log one structured line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.id = request_id  # type: ignore[attr-defined]  # Django requests take attributes dynamically
        token = _request_id.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            access_log.info(
                "%s %s %s %sms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": _user_id(request),
                    "remote_addr": client_ip(request),
                },
            )
        finally:
            _request_id.reset(token)
        return response


class RequestIdLogFilter(logging.Filter):
    """Add ``request_id`` to every log record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True
