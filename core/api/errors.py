"""Errors of the API: one JSON shape for all of them, from DRF, from the services and from Django itself.

Every error body is ``{"message": "...", "code": "...", "errors": {"field": ["..."]}}``; ``errors`` is present for
validation errors only, and some errors add a member of their own (``current_version`` on 412, ``id`` and ``url`` of
the existing object on 409).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..changes import WriteBusy, is_lock_timeout

logger = logging.getLogger("django.request")

#: URL prefix of the API: Django's own 404 and 500 answers under it are JSON too.
API_PREFIX = "/api/"


class PreconditionRequired(exceptions.APIException):
    """A write without If-Match (RFC 6585 428)."""

    status_code = 428
    default_detail = gettext_lazy(
        "This request must be conditional: send If-Match with the ETag you read (or * for any version)."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    """If-Match (or expected_version) names a version that is no longer current (412)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, *, current_version: int | None, detail: str | None = None) -> None:
        self.current_version = current_version
        if detail is None:
            detail = _("The object has changed since you read it; its current version is %(version)s.") % {
                "version": current_version
            }
        super().__init__(detail)


class RequestTooLarge(exceptions.APIException):
    """The request body is larger than the server accepts (413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"


class ServiceBusy(exceptions.APIException):
    """Another change holds the writers' lock beyond the wait (503, with Retry-After): nothing was written."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy("Another change is being written; nothing was saved. Try again in a few seconds.")
    default_code = "write_busy"


class Conflict(exceptions.APIException):
    """The request conflicts with the stored state (409): an id that exists already, an object still in use."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, detail: str, *, code: str = "conflict", extra: Mapping[str, Any] | None = None) -> None:
        self.extra = dict(extra or {})
        super().__init__(detail, code)


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"field": [...], "partners[1].slug": [...]}``: one flat level of lists."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = "non_field_errors" if key in ("non_field_errors", "__all__") and not prefix else str(key)
            if not prefix:
                path = name
            elif name in ("non_field_errors", "__all__"):
                path = prefix
            elif name.isdigit():  # list items (ListField and many=True errors are keyed by index)
                path = f"{prefix}[{name}]"
            else:
                path = f"{prefix}.{name}"
            for field, messages in flatten_errors(value, path).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in detail):
            flat[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    for field, messages in flatten_errors(item, f"{prefix}[{index}]").items():
                        flat.setdefault(field, []).extend(messages)
    else:
        flat[prefix or "non_field_errors"] = [str(detail)]
    return flat


def _first_code(codes: Any) -> str:
    """The first error code in DRF's (possibly nested) ``get_codes()`` structure."""
    if isinstance(codes, Mapping):
        codes = next(iter(codes.values()), "invalid")
        return _first_code(codes)
    if isinstance(codes, list | tuple):
        return _first_code(codes[0]) if codes else "invalid"
    return str(codes)


def error_body(message: str, code: str, errors: Mapping[str, list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    """An error body in the API's one shape."""
    body: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = dict(errors)
    body.update(extra)
    return body


def validation_error(
    error: DjangoValidationError, field_map: Mapping[str, str] | None = None
) -> exceptions.ValidationError:
    """A service's Django ValidationError as DRF's, with the service's field names renamed to the client's."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        detail: dict[str, list[str]] = {}
        for name, messages in error.message_dict.items():
            key = "non_field_errors" if name == "__all__" else field_map.get(name, name)
            detail.setdefault(key, []).extend(messages)
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({"non_field_errors": error.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, answering every API error in the one shape (see the module docstring)."""
    if isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ValidationError({"non_field_errors": [_("The request is not acceptable.")]})
    elif isinstance(exc, WriteBusy) or is_lock_timeout(exc):
        exc = ServiceBusy(_("Another change is being written; nothing was saved. Try again in a few seconds."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: ApiErrorMiddleware answers 500
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        count = sum(len(messages) for messages in errors.values())
        message = _("The request is invalid: see errors.") if count != 1 else next(iter(errors.values()))[0]
        if count == 1 and next(iter(errors)) != "non_field_errors":
            message = _("%(field)s: %(message)s") % {"field": next(iter(errors)), "message": message}
        response.data = error_body(message, _first_code(exc.get_codes()), errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        extra: dict[str, Any] = {}
        if isinstance(exc, PreconditionFailed):
            extra["current_version"] = exc.current_version
        if isinstance(exc, Conflict):
            extra.update(exc.extra)
        if isinstance(exc, ServiceBusy):
            response["Retry-After"] = str(settings.WRITE_BUSY_RETRY_AFTER_SECONDS)
        if isinstance(detail, Mapping | list):
            response.data = error_body(
                _("The request is invalid: see errors."), _first_code(code), flatten_errors(detail)
            )
        else:
            response.data = error_body(str(detail), _first_code(code), **extra)
    return response


def _not_found_message(request: HttpRequest) -> str:
    """ "Not found", naming the address with its trailing slash when that is what the client missed."""
    if not request.path.endswith("/"):
        try:
            resolve(f"{request.path_info}/")
        except Resolver404:
            pass
        else:
            return _(
                "Not found: this address needs its trailing slash. Send the request to %(path)s/ (nothing was written)."
            ) % {"path": request.path}
    return _("Not found.")


def json_error(status_code: int, message: str, code: str) -> JsonResponse:
    """A JSON error response outside DRF (Django's own 404 and 500 under /api/)."""
    return JsonResponse(error_body(message, code), status=status_code)


class ApiErrorMiddleware:
    """Under /api/, answer Django's own errors as JSON: 404 from the URL resolver, 500 from an unhandled exception."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            return json_error(404, _not_found_message(request), "not_found")
        if response.status_code >= 500:
            return json_error(response.status_code, _("Internal server error."), "server_error")
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return json_error(404, _("Not found."), "not_found")
        if isinstance(exception, PermissionDenied):
            return json_error(403, _("You do not have permission to perform this action."), "permission_denied")
        if isinstance(exception, RequestDataTooBig):
            return json_error(413, str(RequestTooLarge.default_detail), "request_too_large")
        if isinstance(exception, SuspiciousOperation):
            return json_error(400, _("The request is not acceptable."), "bad_request")
        # Log and signal as Django would (error reporting, the test client re-raising), then answer in JSON.
        logger.error("Internal Server Error: %s", request.path, exc_info=sys.exc_info(), extra={"request": request})
        got_request_exception.send(sender=None, request=request)
        response = json_error(
            500, _("Internal server error. The request id identifies it in the logs."), "server_error"
        )
        response._has_been_logged = True  # type: ignore[attr-defined]  # Django's private flag: logged above
        return response
