"""Request bodies are refused by their declared length, before anything reads them: 413 on every URL.

Django would read a multipart upload into a temporary file, whatever its size, before a view could refuse it; so an
anonymous client with a CSRF cookie could post a hundred megabytes to the sign-in page. Here the ``Content-Length``
decides, first thing: ``MAX_REQUEST_BODY_BYTES`` for every URL, and more only for views that take uploads and say so
with :func:`accepts_uploads`. A proxy in front should refuse larger bodies itself (docs/deploying.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .api.errors import API_PREFIX, error_body

View = TypeVar("View", bound=Callable[..., Any])


def accepts_uploads(max_bytes: int) -> Callable[[View], View]:
    """Let a view receive request bodies of up to ``max_bytes`` (uploads); every other view keeps the default."""

    def decorate(view: View) -> View:
        view.max_body_bytes = max_bytes  # type: ignore[attr-defined]  # read by RequestBodyLimitMiddleware
        return view

    return decorate


def body_limit(request: HttpRequest) -> int:
    """The largest body the URL of ``request`` accepts."""
    default = int(settings.MAX_REQUEST_BODY_BYTES)
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return default
    return int(getattr(match.func, "max_body_bytes", default))


def _answer(request: HttpRequest, status: int, message: str, code: str) -> HttpResponse:
    """A JSON error under /api/, a page elsewhere; the connection is closed (the rest of the body is never read)."""
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(error_body(message, code), status=status)
    else:
        html = render_to_string("413.html" if status == 413 else "400.html", {"message": message})
        response = HttpResponse(html, status=status)
    response["Connection"] = "close"
    return response


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than its URL accepts (413), or whose length is no number (400)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return _answer(request, 400, _("The request's Content-Length is not a number of bytes."), "bad_request")
        if length > int(settings.MAX_REQUEST_BODY_BYTES):
            limit = body_limit(request)
            if length > limit:
                message = _("The request body is too large: this address accepts at most %(size)s.") % {
                    "size": _megabytes(limit)
                }
                return _answer(request, 413, message, "request_too_large")
        return self.get_response(request)


def _megabytes(size: int) -> str:
    """A byte count as people read it ("2 MB")."""
    return _("%(mb)s MB") % {"mb": f"{size / (1024 * 1024):g}"}
