"""A write that cannot get the writers' lock in time is answered 503 with Retry-After, on every page and in the
admin, never a 500 (the API answers it in its own error shape, ``core.api.errors``)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .api.errors import API_PREFIX, error_body
from .changes import WriteBusy, is_lock_timeout


class WriteBusyMiddleware:
    """Turn :class:`~core.changes.WriteBusy` and a database's lock timeout into 503 with Retry-After."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (isinstance(exception, WriteBusy) or is_lock_timeout(exception)):
            return None
        message = _("Another change is being written; nothing was saved. Try again in a few seconds.")
        response: HttpResponse
        if request.path.startswith(API_PREFIX):
            response = JsonResponse(error_body(message, "write_busy"), status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": message}, request=request), status=503)
        response["Retry-After"] = str(settings.WRITE_BUSY_RETRY_AFTER_SECONDS)
        return response
