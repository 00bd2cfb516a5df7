"""The OpenAPI contract: request and response bodies per direction, conditional-request headers, and every error.

drf-spectacular derives the paths, bodies and filter parameters; this AutoSchema adds what it cannot see: write
serializers for request bodies, ETag / If-Match / If-None-Match / Location headers, and the error responses each
operation can give (all in the one error shape), so that a generated client knows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .base import ResourceViewSet, VersionedResourceViewSet

if TYPE_CHECKING:
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.request import Request

    #: What drf-spectacular takes as a body (a serializer or its class) and as a parameter (that, or a parameter).
    _Serializer = serializers.Serializer[Any] | type[serializers.Serializer[Any]]
    _Parameter = OpenApiParameter | _Serializer

WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE"})


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error the API answers: a message, a code and, for validation errors, messages per field."""

    message = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.CharField(help_text="What went wrong, for programs (e.g. invalid, not_found, throttled).")
    errors = serializers.DictField(  # type: ignore[assignment]  # a field named like Serializer.errors (popped by DRF)
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: messages per field or parameter (nested fields as partners[0].slug).",
    )
    current_version = serializers.IntegerField(
        required=False, allow_null=True, help_text="412 only: the object's current version (its ETag unquoted)."
    )
    id = serializers.UUIDField(required=False, help_text="409 for a retried create: the existing object's id.")
    url = serializers.URLField(required=False, help_text="409 for a retried create: the existing object's URL.")


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


ERROR_DESCRIPTIONS = {
    400: "Invalid request: malformed JSON, invalid values, unknown parameters; errors names each field.",
    401: "Not authenticated: no, an unknown, an expired or a revoked token.",
    403: "Not allowed: the user's role or a read-only token does not permit this.",
    404: "No object with this id.",
    409: "Conflict: the id exists already (the body points at it), or the object is still in use.",
    413: "The request body is too large.",
    412: "If-Match (or expected_version) names a version that is no longer current; current_version says which is.",
    428: "If-Match is missing: send the ETag you read, or * to change whatever version is current.",
    429: "Too many requests: wait for Retry-After seconds.",
    503: "Another change held the writers' lock too long: nothing was written; retry after Retry-After seconds.",
}

ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 304],
    description='Strong entity tag of the object\'s current version, e.g. "3"; send it back in If-Match.',
)
LOCATION = OpenApiParameter(
    "Location", OpenApiTypes.URI, OpenApiParameter.HEADER, response=[201, 409], description="The object's URL."
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429, 503], description="Seconds to wait."
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag you read (e.g. "3"), or * for any version. Missing: 428; stale or weak: 412.',
)
UUID_PATH = OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The object's id.")
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you have: if it is still current the answer is 304 without a body.",
)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema with the API's headers, write bodies and error responses."""

    def _is_detail(self) -> bool:
        return "{uuid}" in self.path

    def _is_resource(self) -> bool:
        return isinstance(self.view, ResourceViewSet)

    def _is_versioned_write(self) -> bool:
        return isinstance(self.view, VersionedResourceViewSet) and self.method in WRITE_METHODS

    def get_override_parameters(self) -> list[_Parameter]:
        parameters = list(super().get_override_parameters())
        if self.method == "GET" and not self._is_detail():
            parameters += getattr(self.view, "schema_parameters", [])
        query = getattr(self.view, "query_serializer_class", None)
        if query is not None:
            parameters.append(query)
        if self._is_detail():
            parameters.append(UUID_PATH)
        if self._is_resource():
            if self.method == "GET" and self._is_detail():
                parameters += [IF_NONE_MATCH, ETAG]
            elif self._is_versioned_write():
                parameters.append(IF_MATCH)
                if self.method != "DELETE":
                    parameters.append(ETAG)
            elif self.method == "POST":
                parameters += [ETAG, LOCATION]
        parameters.append(RETRY_AFTER)
        return parameters

    def get_filter_backends(self) -> list[Any]:
        """Filters of lists, and of views that take a list's filters (the progress report)."""
        if getattr(self.view, "filterset_class", None) is not None and self.method == "GET" and not self._is_detail():
            return getattr(self.view, "filter_backends", [])
        return super().get_filter_backends()

    def get_request_serializer(self) -> _Serializer | None:
        write: type[serializers.Serializer[Any]] | None = getattr(self.view, "write_serializer_class", None)
        if write is not None and self.method in {"POST", "PUT", "PATCH"}:
            return write
        return super().get_request_serializer()

    def error_codes(self) -> list[int]:
        """The error statuses this operation can answer."""
        codes = [401, 403, 429]
        detail_get = self.method == "GET" and self._is_detail()
        if not detail_get:
            codes.append(400)
        if self.method in {"POST", "PUT", "PATCH"}:
            codes.append(413)
        if self.method in {"POST", "PUT", "PATCH", "DELETE"}:
            codes.append(503)
        if self._is_detail():
            codes.append(404)
        if self._is_resource():
            write = getattr(self.view, "write_serializer_class", None)
            if self.method == "POST" and write is not None:
                fields = write().fields
                if "id" in fields:
                    codes.append(409)
                if "expected_version" in fields:
                    codes.append(412)
            if self._is_versioned_write():
                codes += [412, 428]
                if self.method == "DELETE" and getattr(self.view, "delete_may_conflict", False):
                    codes.append(409)
        return sorted(set(codes))

    # drf-spectacular takes responses by status code too, though its annotation names a single serializer only.
    def get_response_serializers(self) -> dict[int, Any]:  # type: ignore[override]
        success = getattr(self.view, "response_serializer_class", None) or super().get_response_serializers()
        if isinstance(self.view, ResourceViewSet):  # _is_resource(), spelled out for the type of self.view
            success = self.view.serializer_class
        responses: dict[int, Any]
        if self.method == "DELETE":
            responses = {204: None}
        elif self.method == "POST":
            responses = {201: success}
        else:
            responses = {200: success}
        if self._is_resource() and self.method == "GET" and self._is_detail():
            responses[304] = OpenApiResponse(description="Not modified: If-None-Match names the current ETag.")
        for code in self.error_codes():
            responses[code] = _error(ERROR_DESCRIPTIONS[code])
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # drf-spectacular's hook
    """Documents token authentication as HTTP bearer (``Token <t>`` is accepted too)."""

    target_class = "core.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: openapi.AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: `Authorization: Bearer <prefix>.<secret>` (or `Token <prefix>.<secret>`).",
        }


def add_links(
    result: dict[str, Any], generator: SchemaGenerator, request: Request | None, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: OpenAPI links from each create (and list) to its object's detail operations.

    A client generator or a stateful tester (schemathesis) can then follow a create with reads and conditional
    writes of the object it made: ``uuid`` from the body's ``id``, If-Match from the ETag header.
    """
    paths = result.get("paths", {})
    for collection, operations in paths.items():
        detail = f"{collection}{{uuid}}/"
        if detail not in paths:
            continue
        links: dict[str, dict[str, Any]] = {}
        for method, operation in paths[detail].items():
            parameters = {"path.uuid": "$response.body#/id"}
            if method in {"put", "patch", "delete"}:
                parameters["header.If-Match"] = "$response.header.ETag"
            links[f"{method}_{operation['operationId']}"] = {
                "operationId": operation["operationId"],
                "parameters": parameters,
            }
        created = operations.get("post", {}).get("responses", {}).get("201")
        if created is not None:
            created["links"] = links
        listed = operations.get("get", {}).get("responses", {}).get("200")
        if listed is not None and "get" in paths[detail]:
            name = f"get_{paths[detail]['get']['operationId']}"
            listed["links"] = {name: {**links[name], "parameters": {"path.uuid": "$response.body#/results/0/id"}}}
    return result
