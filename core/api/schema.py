"""The OpenAPI contract: request and response bodies per direction, conditional-request headers, and every error.

drf-spectacular derives the paths, bodies and filter parameters; this AutoSchema adds what it cannot see: write
serializers for request bodies, ETag / If-Match / If-None-Match / Location headers, and the error responses each
operation can give (all in the one error shape), so that a generated client knows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .base import ResourceViewSet, VersionedResourceViewSet
from .fields import lazy_interpolate

if TYPE_CHECKING:
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.request import Request

    #: What drf-spectacular takes as a body (a serializer or its class) and as a parameter (that, or a parameter).
    _Serializer = serializers.Serializer[Any] | type[serializers.Serializer[Any]]
    _Parameter = OpenApiParameter | _Serializer

WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE"})


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error the API answers: a message, a code and, for validation errors, messages per field."""

    message = serializers.CharField(help_text=gettext_lazy("What went wrong, for people."))
    code = serializers.CharField(
        help_text=gettext_lazy("What went wrong, for programs (e.g. invalid, not_found, throttled).")
    )
    errors = serializers.DictField(  # type: ignore[assignment]  # a field named like Serializer.errors (popped by DRF)
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=gettext_lazy(
            "Validation errors only: messages per field or parameter (nested fields as partners[0].slug)."
        ),
    )


class PreconditionFailedErrorSerializer(serializers.Serializer[Any]):
    """412: the version a write was based on is no longer current; nothing was written."""

    message = serializers.CharField(help_text=gettext_lazy("What went wrong, for people."))
    code = serializers.CharField(help_text="precondition_failed")
    current_version = serializers.IntegerField(
        help_text=gettext_lazy("The object's current version: its ETag, unquoted.")
    )


class AlreadyExistsErrorSerializer(serializers.Serializer[Any]):
    """409 for a create: an object with the id it names exists already (a retried request?); nothing was written."""

    message = serializers.CharField(help_text=gettext_lazy("What went wrong, for people."))
    code = serializers.CharField(help_text="already_exists")
    id = serializers.UUIDField(help_text=gettext_lazy("The existing object's id."))
    url = serializers.URLField(help_text=gettext_lazy("The existing object's URL (also in Location)."))


#: What a client sees for the two errors it is expected to handle in code, as examples in the schema.
ERROR_EXAMPLES = {
    412: OpenApiExample(
        "Stale version",
        summary=gettext_lazy("Stale version"),
        value={
            "message": lazy_interpolate(
                gettext_lazy("The object has changed since you read it; its current version is %(version)s."),
                version=4,
            ),
            "code": "precondition_failed",
            "current_version": 4,
        },
        response_only=True,
    ),
    409: OpenApiExample(
        "Retried create",
        summary=gettext_lazy("Retried create"),
        value={
            "message": gettext_lazy("An object with this id exists already (a retried request?): see url."),
            "code": "already_exists",
            "id": "0b8e5a52-9d0c-4c1e-8f43-3f6a1d2b7c10",
            "url": "https://tracker.example.org/api/v1/recommendations/0b8e5a52-9d0c-4c1e-8f43-3f6a1d2b7c10/",
        },
        response_only=True,
    ),
}


ERROR_DESCRIPTIONS = {
    400: gettext_lazy("Invalid request: malformed JSON, invalid values, unknown parameters; errors names each field."),
    401: gettext_lazy("Not authenticated: no, an unknown, an expired or a revoked token."),
    403: gettext_lazy("Not allowed: the user's role or a read-only token does not permit this."),
    404: gettext_lazy("No object with this id."),
    409: gettext_lazy("Conflict: the id exists already (the body points at it), or the object is still in use."),
    413: gettext_lazy("The request body is too large."),
    412: gettext_lazy(
        "If-Match (or expected_version) names a version that is no longer current; current_version says which is."
    ),
    428: gettext_lazy("If-Match is missing: send the ETag you read, or * to change whatever version is current."),
    429: gettext_lazy("Too many requests: wait for Retry-After seconds."),
    503: gettext_lazy(
        "Another change held the writers' lock too long: nothing was written; retry after Retry-After seconds."
    ),
}

ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 304],
    description=gettext_lazy('Strong entity tag of the object\'s current version, e.g. "3"; send it back in If-Match.'),
)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[201, 409],
    description=gettext_lazy("The object's URL."),
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429, 503],
    description=gettext_lazy("Seconds to wait."),
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=gettext_lazy('The ETag you read (e.g. "3"), or * for any version. Missing: 428; stale or weak: 412.'),
)
UUID_PATH = OpenApiParameter(
    "uuid", OpenApiTypes.UUID, OpenApiParameter.PATH, description=gettext_lazy("The object's id.")
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=gettext_lazy("The ETag you have: if it is still current the answer is 304 without a body."),
)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema with the API's headers, write bodies and error responses."""

    def _is_detail(self) -> bool:
        return "{uuid}" in self.path

    def _is_resource(self) -> bool:
        return isinstance(self.view, ResourceViewSet)

    def _is_versioned_write(self) -> bool:
        return isinstance(self.view, VersionedResourceViewSet) and self.method in WRITE_METHODS

    def _action_schema(self) -> dict[str, Any]:
        """What a view's extra action (``@action``) declares of itself in ``action_schemas``: its success status and
        response (``status``, ``response``), whether it needs If-Match (``if_match``) and further ``errors``."""
        schemas: dict[str, dict[str, Any]] = getattr(self.view, "action_schemas", {})
        return schemas.get(getattr(self.view, "action", None) or "", {})

    def get_override_parameters(self) -> list[_Parameter]:
        parameters = list(super().get_override_parameters())
        if self.method == "GET" and not self._is_detail():
            parameters += getattr(self.view, "schema_parameters", [])
        query = getattr(self.view, "query_serializer_class", None)
        if query is not None:
            parameters.append(query)
        if self._is_detail():
            parameters.append(UUID_PATH)
        if self._action_schema().get("if_match"):
            parameters += [IF_MATCH, ETAG]
        elif self._is_resource():
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
        action_schema = self._action_schema()
        if action_schema:
            codes = [code for code in codes if code not in {409}] + list(action_schema.get("errors", []))
            if action_schema.get("if_match"):
                codes += [412, 428]
        return sorted(set(codes))

    # drf-spectacular takes responses by status code too, though its annotation names a single serializer only.
    def get_response_serializers(self) -> dict[int, Any]:  # type: ignore[override]
        success = self.get_response_serializers_for_view() or super().get_response_serializers()
        if isinstance(self.view, ResourceViewSet):  # _is_resource(), spelled out for the type of self.view
            success = self.view.serializer_class
        responses: dict[int, Any]
        action_schema = self._action_schema()
        if "status" in action_schema:
            responses = {action_schema["status"]: action_schema.get("response", success)}
        elif self.method == "DELETE":
            responses = {204: None}
        elif self.method == "POST":
            responses = {201: success}
        else:
            responses = {200: success}
        if self._is_resource() and self.method == "GET" and self._is_detail():
            responses[304] = OpenApiResponse(description=_("Not modified: If-None-Match names the current ETag."))
        for code in self.error_codes():
            serializer: type[serializers.Serializer[Any]] = ErrorSerializer
            examples: list[OpenApiExample] = []
            if code == 412:
                serializer, examples = PreconditionFailedErrorSerializer, [ERROR_EXAMPLES[412]]
            elif code == 409 and self.method == "POST":
                serializer, examples = AlreadyExistsErrorSerializer, [ERROR_EXAMPLES[409]]
            responses[code] = OpenApiResponse(
                response=serializer, description=ERROR_DESCRIPTIONS[code], examples=examples
            )
        return responses

    def get_summary(self) -> str | None:
        """A short summary of every operation, for a generated client's docstrings and the viewer's list."""
        explicit = super().get_summary()
        if explicit:
            return str(explicit)
        if isinstance(self.view, ResourceViewSet):
            meta = self.view.get_queryset().model._meta
            one, many = str(meta.verbose_name), str(meta.verbose_name_plural)
            action = getattr(self.view, "action", None) or ""
            templates = {
                "list": _("List %(many)s"),
                "create": _("Create a %(one)s"),
                "retrieve": _("Read a %(one)s"),
                "update": _("Replace a %(one)s"),
                "partial_update": _("Change a %(one)s"),
                "destroy": _("Delete a %(one)s"),
            }
            if action in templates:
                return templates[action] % {"one": one, "many": many}
        doc = (self.view.__doc__ or "").strip().splitlines()
        return doc[0].rstrip(".") if doc else None

    def get_examples(self) -> list[OpenApiExample]:
        """The view's own examples (``schema_examples``) for this method, besides drf-spectacular's."""
        examples: list[OpenApiExample] = list(super().get_examples())
        for example in getattr(self.view, "schema_examples", {}).get(self.method, []):
            examples.append(example)
        return examples

    def get_response_serializers_for_view(self) -> Any:
        """A view may build its response serializer when asked (the feed's depends on what the apps registered)."""
        build = getattr(self.view, "response_serializer", None)
        return build() if callable(build) else getattr(self.view, "response_serializer_class", None)


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # drf-spectacular's hook
    """Documents token authentication as HTTP bearer (``Token <t>`` is accepted too)."""

    target_class = "core.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: openapi.AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _("An API token: `Authorization: Bearer <prefix>.<secret>` (or `Token <prefix>.<secret>`)."),
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


def name_descending_values(
    result: dict[str, Any], generator: SchemaGenerator, request: Request | None, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: readable names for ordering values (``-title`` is TITLE_DESC, not VALUE_5).

    Every string enum holding values that start with "-" gets ``x-enum-varnames``, which client generators
    (openapi-python-client, OpenAPI Generator) use for the member names.
    """

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            values = node.get("enum")
            if isinstance(values, list) and any(isinstance(v, str) and v.startswith("-") for v in values):
                node["x-enum-varnames"] = [
                    (f"{v[1:]}_DESC" if v.startswith("-") else v).upper().replace("-", "_") for v in values
                ]
            for child in node.values():
                visit(child)
        elif isinstance(node, list):
            for child in node:
                visit(child)

    visit(result)
    return result
