"""Project-level views that belong to no app: the health check for load balancers."""

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("health check: database unavailable: %s", error)
        response = JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    """Answer ``/healthz`` before the host check and the HTTPS redirect.

    A load balancer probes each application host directly, by its address and over plain HTTP: through the rest of the
    stack that probe would get a 400 (host not allowed) or a 301 (to HTTPS) instead of the database's health. The answer
    says nothing but "ok" or "unavailable", so answering it to any host is safe.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            return healthz(request)
        return self.get_response(request)
