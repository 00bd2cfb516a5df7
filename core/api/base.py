"""What every API resource shares: lookup by UUID, strong ETags, If-Match on writes, writes through the services.

A resource view set names a read serializer (the representation), a write serializer (what a client may send) and
implements ``perform_service_create/update/delete`` by calling its services. This module turns the services'
exceptions into HTTP: ValidationError is 400 (with the client's field names), VersionConflict 412 (or 404 if the
object is gone), AlreadyExists 409 with the existing object's location.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from ..changes import AlreadyExists, VersionConflict
from ..filters import GIVEN_TWICE
from ..models import VersionedModel, object_uuid
from .conditional import etag_for_version, if_none_match_hits, require_if_match
from .errors import Conflict, PreconditionFailed, validation_error
from .pagination import KeysetPagination

#: The model of a resource, and of a resource whose objects carry a version.
M = TypeVar("M", bound=models.Model)
V = TypeVar("V", bound=VersionedModel)
R = TypeVar("R")

#: Query parameters every list accepts besides its filters and its paginator's.
COMMON_QUERY_PARAMS = frozenset({"format"})


def check_query_params(request: Request, allowed: Iterable[str], *, single: Iterable[str] = ()) -> None:
    """Refuse unknown query parameters, and ``single`` ones given more than once, with a 400 naming them (a
    misspelt filter must not silently match all, nor the last of two page sizes silently win)."""
    unknown = sorted(set(request.query_params) - set(allowed) - COMMON_QUERY_PARAMS)
    if unknown:
        raise exceptions.ValidationError({name: [_("Unknown query parameter.")] for name in unknown})
    repeated = sorted(name for name in {*single, *COMMON_QUERY_PARAMS} if len(request.query_params.getlist(name)) > 1)
    if repeated:
        raise exceptions.ValidationError({name: [GIVEN_TWICE] for name in repeated})


def object_url(request: Request | None, instance: models.Model, view_name: str) -> str:
    """The absolute URL of an object's detail route."""
    path = reverse(view_name, kwargs={"uuid": object_uuid(instance)})
    return request.build_absolute_uri(path) if request is not None else path


class ResourceViewSet(viewsets.GenericViewSet[M]):
    """Base of the API's resources: list, retrieve and create (see VersionedResourceViewSet for changes)."""

    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    pagination_class = KeysetPagination
    #: The representation (reads and responses) and what clients send (writes).
    serializer_class: type[serializers.Serializer[Any]]
    write_serializer_class: ClassVar[type[serializers.Serializer[Any]] | None] = None
    #: Name of the detail route, for Location headers.
    detail_view_name: ClassVar[str]
    #: Service field names that the client knows under another name.
    service_field_map: ClassVar[Mapping[str, str]] = {}

    # --- reading ----------------------------------------------------------------------------------------------------

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        if self.action in {"create", "update", "partial_update"} and self.write_serializer_class is not None:
            return self.write_serializer_class
        return self.serializer_class

    def get_read_serializer(self, *args: Any, **kwargs: Any) -> serializers.BaseSerializer[Any]:
        """The representation serializer, with the request for absolute URLs."""
        return self.serializer_class(*args, context=self.get_serializer_context(), **kwargs)

    def allowed_query_params(self) -> set[str]:
        """The query parameters this list understands."""
        allowed: set[str] = set()
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        paginator = self.paginator
        if isinstance(paginator, KeysetPagination):  # the only paginator, unless a view has none
            allowed |= {paginator.cursor_query_param, paginator.page_size_query_param}
        return allowed

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paginator = self.paginator
        single = (
            [paginator.cursor_query_param, paginator.page_size_query_param]
            if isinstance(paginator, KeysetPagination)
            else []
        )
        check_query_params(request, self.allowed_query_params(), single=single)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_read_serializer(page, many=True).data)

    def get_object(self) -> M:
        """The object named in the URL (404 if none), without the list's filters."""
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        obj = get_object_or_404(self.get_queryset(), **{self.lookup_field: value})
        self.check_object_permissions(self.request, obj)
        return obj

    def etag(self, instance: M, data: Mapping[str, Any]) -> str:
        """The strong ETag of an object's representation: its version, or for an object without one (a timeline
        entry, which never changes) a digest of the representation."""
        if isinstance(instance, VersionedModel):
            return etag_for_version(instance.version)
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
        return f'"{digest[:32]}"'

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        data = self.get_read_serializer(instance).data
        etag = self.etag(instance, data)
        if if_none_match_hits(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})

    def reload(self, instance: M) -> M:
        """The object as stored after a write, with what its representation needs."""
        return self.get_queryset().get(pk=instance.pk)

    def object_response(self, instance: M, status_code: int = status.HTTP_200_OK) -> Response:
        """A write's answer: the new representation, its ETag, and (for creations) its Location."""
        instance = self.reload(instance)
        data = self.get_read_serializer(instance).data
        headers = {"ETag": self.etag(instance, data)}
        if status_code == status.HTTP_201_CREATED:
            headers["Location"] = object_url(self.request, instance, self.detail_view_name)
        return Response(data, status=status_code, headers=headers)

    # --- writing ----------------------------------------------------------------------------------------------------

    def service_errors(self, error: DjangoValidationError) -> exceptions.ValidationError:
        """A service's ValidationError as a 400 in the client's field names."""
        return validation_error(error, self.service_field_map)

    def already_exists(self, instance: models.Model) -> Conflict:
        """409 for a create that names an existing object, pointing at it."""
        url = object_url(self.request, instance, self.detail_view_name)
        return Conflict(
            _("An object with this id exists already (a retried request?): see url."),
            code="already_exists",
            extra={"id": str(object_uuid(instance)), "url": url},
        )

    @staticmethod
    def version_conflict(conflict: VersionConflict) -> exceptions.APIException:
        """412 with the current version, or 404 if the object was deleted meanwhile."""
        if conflict.current_version is None:
            return exceptions.NotFound(_("The object no longer exists."))
        return PreconditionFailed(current_version=conflict.current_version)

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if isinstance(exc, Conflict) and "url" in exc.extra:
            response["Location"] = exc.extra["url"]
        return response

    def perform_service_create(self, data: dict[str, Any]) -> M:
        """Create the object from validated data through its service."""
        raise NotImplementedError

    def run_service(self, call: Callable[..., R], *args: Any) -> R:
        """Call a service, turning its exceptions into API errors."""
        try:
            return call(*args)
        except AlreadyExists as exists:
            raise self.already_exists(exists.instance) from exists
        except VersionConflict as conflict:
            raise self.version_conflict(conflict) from conflict
        except DjangoValidationError as error:
            raise self.service_errors(error) from error

    def existing_with_chosen_id(self, data: Any) -> models.Model | None:
        """The object whose id a create names in its body, if it exists already (a retried create)."""
        chosen = data.get("id") if isinstance(data, Mapping) else None
        if not isinstance(chosen, str):
            return None
        try:
            wanted = uuid.UUID(chosen)
        except ValueError:
            return None  # the serializer says what is wrong with it
        existing: models.Model | None = self.get_queryset().model._default_manager.filter(uuid=wanted).first()
        return existing

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A retried create is recognised before anything is validated: its slug or reference is taken by the very
        # object it created the first time, which is not an error but the answer (409, pointing at it).
        existing = self.existing_with_chosen_id(request.data)
        if existing is not None:
            raise self.already_exists(existing)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.run_service(self.perform_service_create, dict(serializer.validated_data))
        return self.object_response(instance, status.HTTP_201_CREATED)


class VersionedResourceViewSet(ResourceViewSet[V]):
    """A resource whose objects carry a version: PUT, PATCH and DELETE need If-Match (428, 412)."""

    def perform_service_update(self, instance: V, data: dict[str, Any], expected_version: int | None) -> V:
        """Change the object through its service."""
        raise NotImplementedError

    def perform_service_delete(self, instance: V, expected_version: int | None) -> None:
        """Delete the object through its service."""
        raise NotImplementedError

    def update(self, request: Request, *args: Any, partial: bool = False, **kwargs: Any) -> Response:
        instance = self.get_object()
        precondition = require_if_match(request)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        expected = precondition.expected_version(instance.version)
        saved = self.run_service(self.perform_service_update, instance, dict(serializer.validated_data), expected)
        return self.object_response(saved)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        precondition = require_if_match(request)
        expected = precondition.expected_version(instance.version)
        self.run_service(self.perform_service_delete, instance, expected)
        return Response(status=status.HTTP_204_NO_CONTENT)


def in_use_conflict(error: DjangoValidationError) -> Conflict:
    """409 for a deletion the service refuses because the object is still in use."""
    return Conflict(" ".join(error.messages), code="in_use")
