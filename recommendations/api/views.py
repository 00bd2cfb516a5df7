"""API views for recommendations, their timeline, sources, themes, the change feed and the progress report."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Max, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from ..choices import Status
from ..filtersets import MAX_STALE_DAYS, RecommendationFilterSet, StatusUpdateFilterSet
from ..models import ChangeEvent, Recommendation, Source, StatusUpdate, Theme
from ..selectors import StatusRow, progress_summary
from ..services import (
    recommendation_change_status,
    recommendation_create,
    recommendation_delete,
    recommendation_update,
    source_create,
    source_delete,
    source_update,
    theme_create,
    theme_delete,
    theme_update,
)
from .base import ResourceViewSet, VersionedResourceViewSet, check_query_params, in_use_conflict
from .permissions import ModelPermissions
from .serializers import (
    ChangeFeedPageSerializer,
    ChangeFeedQuerySerializer,
    ProgressReportSerializer,
    RecommendationSerializer,
    RecommendationWriteSerializer,
    SourceSerializer,
    SourceWriteSerializer,
    StatusUpdateSerializer,
    StatusUpdateWriteSerializer,
    ThemeSerializer,
    ThemeWriteSerializer,
)

# --- Recommendations ------------------------------------------------------------------------------------------------

#: Types of the filters that django-filter cannot tell the schema (they filter through methods).
RECOMMENDATION_FILTER_TYPES = [
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="true: open with a past target date; false: others."),
    OpenApiParameter(
        "stale",
        {"type": "integer", "minimum": 1, "maximum": MAX_STALE_DAYS},
        description="Open recommendations not updated for at least this many days.",
    ),
]


def recommendation_service_data(data: dict[str, Any]) -> dict[str, Any]:
    """Validated write data as the recommendation services take it (partners as (partner, role) pairs)."""
    data = dict(data)
    data.pop("uuid", None)
    if "partner_links" in data:
        data["partners"] = [(item["partner"], item.get("role", "")) for item in data.pop("partner_links")]
    return data


class RecommendationViewSet(VersionedResourceViewSet):
    """Recommendations with their partners, themes and status.

    The list takes the same filters as the web pages (RecommendationFilterSet) and pages with a keyset cursor in the
    order asked for (`ordering`; default: creation order).
    """

    queryset = Recommendation.objects.for_representation().order_by("id")
    serializer_class = RecommendationSerializer
    write_serializer_class = RecommendationWriteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RecommendationFilterSet
    schema_parameters = RECOMMENDATION_FILTER_TYPES
    detail_view_name = "api:recommendation-detail"
    # The service calls the note of a status change "note" where this resource calls it "status_note".
    service_field_map = {"note": "status_note"}

    def get_queryset(self) -> QuerySet[Recommendation]:
        if self.action in {"update", "partial_update", "destroy"}:
            return Recommendation.objects.order_by("id")  # the write reloads what the response needs
        if self.action == "list":  # the list serializer loads partners, themes and links itself, a page at a time
            return Recommendation.objects.select_related("source").order_by("id")
        return super().get_queryset()

    def reload(self, instance: Recommendation) -> Recommendation:
        return RecommendationViewSet.queryset.get(pk=instance.pk)

    def perform_service_create(self, data: dict[str, Any]) -> Recommendation:
        uuid = data.pop("uuid", None)
        return recommendation_create(actor=self.request.user, uuid=uuid, **recommendation_service_data(data))

    def perform_service_update(
        self, instance: Recommendation, data: dict[str, Any], expected_version: int | None
    ) -> Recommendation:
        return recommendation_update(
            recommendation=instance,
            actor=self.request.user,
            data=recommendation_service_data(data),
            expected_version=expected_version,
        ).recommendation

    def perform_service_delete(self, instance: Recommendation, expected_version: int | None) -> None:
        recommendation_delete(recommendation=instance, actor=self.request.user, expected_version=expected_version)


# --- Timeline -------------------------------------------------------------------------------------------------------


class StatusUpdateViewSet(ResourceViewSet):
    """The timeline: status changes of recommendations. Creating one is how a recommendation's status changes."""

    queryset = StatusUpdate.objects.select_related("recommendation", "author").order_by("id")
    serializer_class = StatusUpdateSerializer
    write_serializer_class = StatusUpdateWriteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = StatusUpdateFilterSet
    detail_view_name = "api:statusupdate-detail"
    # Recording a status change also changes the recommendation.
    extra_permissions = {"POST": ["recommendations.change_recommendation"]}
    service_field_map = {"status": "to_status"}

    def etag(self, instance: StatusUpdate, data: Mapping[str, Any]) -> str:
        """Timeline entries have no version: the tag is a digest of the representation."""
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
        return f'"{digest[:32]}"'

    def perform_service_create(self, data: dict[str, Any]) -> StatusUpdate:
        return recommendation_change_status(
            recommendation=data["recommendation"],
            actor=self.request.user,
            status=data["to_status"],
            note=data.get("note", ""),
            evidence_url=data.get("evidence_url", ""),
            expected_version=data.get("expected_version"),
            entry_uuid=data.get("id"),
        )


# --- Sources and themes ---------------------------------------------------------------------------------------------


class ThemeViewSet(VersionedResourceViewSet):
    """Themes recommendations are grouped by."""

    queryset = Theme.objects.order_by("id")
    serializer_class = ThemeSerializer
    write_serializer_class = ThemeWriteSerializer
    detail_view_name = "api:theme-detail"
    delete_may_conflict = True  # a theme in use is not deleted (409)

    def perform_service_create(self, data: dict[str, Any]) -> Theme:
        return theme_create(actor=self.request.user, data=data)

    def perform_service_update(self, instance: Theme, data: dict[str, Any], expected_version: int | None) -> Theme:
        return theme_update(theme=instance, actor=self.request.user, data=data, expected_version=expected_version)

    def perform_service_delete(self, instance: Theme, expected_version: int | None) -> None:
        try:
            theme_delete(theme=instance, actor=self.request.user, expected_version=expected_version)
        except DjangoValidationError as error:
            raise in_use_conflict(error) from error


class SourceViewSet(VersionedResourceViewSet):
    """Source documents recommendations come from."""

    queryset = Source.objects.order_by("id")
    serializer_class = SourceSerializer
    write_serializer_class = SourceWriteSerializer
    detail_view_name = "api:source-detail"
    delete_may_conflict = True  # a source recommendations come from is not deleted (409)
    service_field_map = {"url": "document_url"}

    def perform_service_create(self, data: dict[str, Any]) -> Source:
        return source_create(actor=self.request.user, data=data)

    def perform_service_update(self, instance: Source, data: dict[str, Any], expected_version: int | None) -> Source:
        return source_update(source=instance, actor=self.request.user, data=data, expected_version=expected_version)

    def perform_service_delete(self, instance: Source, expected_version: int | None) -> None:
        try:
            source_delete(source=instance, actor=self.request.user, expected_version=expected_version)
        except DjangoValidationError as error:
            raise in_use_conflict(error) from error


# --- Change feed ----------------------------------------------------------------------------------------------------


class ChangeFeedView(APIView):
    """Every create, update and delete in commit order: poll with ``after=<the last seq you saw>``.

    Writers hold one lock from before their first change-feed row until they commit, so ``seq`` grows in commit
    order and a row with a smaller ``seq`` than one you have seen can never appear later.
    """

    queryset = ChangeEvent.objects.none()  # for ModelPermissions: reading needs view_changeevent
    permission_classes = [ModelPermissions]

    query_serializer_class = ChangeFeedQuerySerializer
    response_serializer_class = ChangeFeedPageSerializer

    def get(self, request: Request) -> Response:
        check_query_params(request, ChangeFeedQuerySerializer().fields)
        query = ChangeFeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        object_types = query.validated_data.get("object_type")
        # The newest seq is read before the page: every change up to it has committed (commit order), so the page
        # below sees them all, and a client may resume from last_seq without missing a change.
        newest = ChangeEvent.objects.aggregate(newest=Max("seq"))["newest"] or 0
        events = ChangeEvent.objects.filter(seq__gt=after).order_by("seq")
        if object_types:
            events = events.filter(object_type__in=object_types)
        rows = list(
            events.values(
                "seq", "action", "object_type", "object_id", "created_at", "actor_name", "request_id", "data", "changes"
            )[:limit]
        )
        results = [self.item(request, row) for row in rows]
        last_seq = max(newest, rows[-1]["seq"] if rows else 0)
        next_url = None
        if len(rows) == limit:
            next_url = replace_query_param(request.build_absolute_uri(), "after", rows[-1]["seq"])
        return Response({"results": results, "next": next_url, "last_seq": last_seq})

    @staticmethod
    def item(request: Request, row: dict[str, Any]) -> dict[str, Any]:
        """One feed item, with the stored representation's site-relative URLs made absolute."""
        data = row["data"]
        if isinstance(data, dict) and isinstance(data.get("url"), str) and data["url"].startswith("/"):
            data = {**data, "url": request.build_absolute_uri(data["url"])}
        return {
            "seq": row["seq"],
            "action": row["action"],
            "object_type": row["object_type"],
            "object_id": row["object_id"],
            "time": row["created_at"],
            "actor": row["actor_name"] or None,
            "request_id": row["request_id"] or None,
            "data": data,
            "changes": row["changes"],
        }


# --- Reports --------------------------------------------------------------------------------------------------------


def status_row(row: StatusRow) -> dict[str, Any]:
    """One row of the progress report: counts by status, total and implemented share."""
    return {
        "key": row.key,
        "label": row.label,
        "counts": row.counts,
        "total": row.total,
        "implemented_share": round(row.implemented_share, 4),
    }


class ProgressReportView(APIView):
    """Progress of the recommendations matching the list's filters: by status, by partner, by theme, overdue."""

    queryset = Recommendation.objects.none()  # for ModelPermissions: reading needs view_recommendation
    permission_classes = [ModelPermissions]
    filter_backends = [DjangoFilterBackend]
    filterset_class = RecommendationFilterSet
    schema_parameters = RECOMMENDATION_FILTER_TYPES
    response_serializer_class = ProgressReportSerializer

    def get(self, request: Request) -> Response:
        check_query_params(request, RecommendationFilterSet.base_filters)
        filterset = RecommendationFilterSet(request.query_params, queryset=Recommendation.objects.all())
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        summary = progress_summary(queryset=filterset.qs)
        overall = summary.overall
        return Response(
            {
                "total": summary.total,
                "implemented": overall.implemented,
                "implemented_share": round(overall.implemented_share, 4),
                "overdue": summary.overdue,
                "by_status": [
                    {"status": value, "label": str(label), "count": overall.counts[value]}
                    for value, label in Status.choices
                ],
                "by_partner": [status_row(row) for row in summary.by_partner],
                "by_theme": [status_row(row) for row in summary.by_theme],
            }
        )
