"""``/api/v1/``: an index of the API's resources and endpoints, the schema and its viewer, read from the URL
configuration so that it lists every route the API has."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

#: The URL namespace of the API.
NAMESPACE = "api"


def api_routes() -> list[tuple[str, str, bool]]:
    """The API's named routes as (path, URL name, is a collection), detail and format-suffix routes left out."""
    resolver = next(
        (
            pattern
            for pattern in get_resolver().url_patterns
            if isinstance(pattern, URLResolver) and pattern.namespace == NAMESPACE
        ),
        None,
    )
    if resolver is None:
        return []
    routes = []
    for pattern in resolver.url_patterns:
        if not isinstance(pattern, URLPattern) or not pattern.name or "(?P<" in str(pattern.pattern):
            continue
        if pattern.name.endswith("-detail") or pattern.name == "index":
            continue
        path = str(pattern.pattern).lstrip("^").rstrip("$").rstrip("/")
        routes.append((path, pattern.name, pattern.name.endswith("-list")))
    return routes


class ApiIndexSerializer(serializers.Serializer[dict[str, Any]]):
    """The API's index."""

    resources = serializers.DictField(child=serializers.URLField(), help_text=_("The collections, by name."))
    endpoints = serializers.DictField(
        child=serializers.URLField(),
        help_text=_("The other endpoints: the change feed, reports, the schema, its viewer."),
    )


class ApiIndexView(APIView):
    """What the API offers: its collections, its other endpoints (the change feed, reports, who you are), the
    OpenAPI schema and its viewer. Like the rest of the API it needs a token or a session."""

    permission_classes = [permissions.IsAuthenticated]
    response_serializer_class = ApiIndexSerializer

    def get(self, request: Request) -> Response:
        from django.urls import reverse

        resources: dict[str, Any] = {}
        endpoints: dict[str, Any] = {}
        for path, name, is_collection in api_routes():
            url = request.build_absolute_uri(reverse(f"{NAMESPACE}:{name}"))
            (resources if is_collection else endpoints)[path] = url
        return Response({"resources": resources, "endpoints": endpoints})
