"""API views for recommendations, their timeline, sources and themes: every write goes through the services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.base import ResourceViewSet, VersionedResourceViewSet, in_use_conflict
from core.api.conditional import require_if_match
from core.api.parsers import JSONParser
from core.api.permissions import ModelPermissions

from ..evidence import evidence_file_response
from ..filtersets import (
    FILTER_SCHEMA_PARAMETERS,
    AssessmentFilterSet,
    EvidenceFilterSet,
    MilestoneFilterSet,
    PartnerStatusFilterSet,
    PartnerStatusUpdateFilterSet,
    RecommendationFilterSet,
    ResponseUpdateFilterSet,
    StatusUpdateFilterSet,
)
from ..models import (
    ATTACHMENT_FIELDS,
    EVIDENCE_RELATED,
    Assessment,
    Evidence,
    Milestone,
    PartnerStatusUpdate,
    Recommendation,
    RecommendationPartner,
    ResponseUpdate,
    Source,
    StatusUpdate,
    Theme,
)
from ..permissions import can_assess, can_record_partner_status, can_record_response, can_record_status
from ..services import (
    evidence_add,
    evidence_verify,
    milestone_create,
    milestone_delete,
    milestone_update,
    recommendation_assess,
    recommendation_change_status,
    recommendation_create,
    recommendation_delete,
    recommendation_partner_record_status,
    recommendation_record_response,
    recommendation_update,
    source_create,
    source_delete,
    source_update,
    theme_create,
    theme_delete,
    theme_update,
)
from .serializers import (
    AssessmentSerializer,
    EvidenceSerializer,
    MilestoneSerializer,
    PartnerStatusSerializer,
    PartnerStatusUpdateSerializer,
    RecommendationSerializer,
    ResponseUpdateSerializer,
    SourceSerializer,
    StatusUpdateSerializer,
    ThemeSerializer,
)
from .write_serializers import (
    AssessmentWriteSerializer,
    EvidenceWriteSerializer,
    MilestoneWriteSerializer,
    PartnerStatusWriteSerializer,
    RecommendationWriteSerializer,
    ResponseUpdateWriteSerializer,
    SourceWriteSerializer,
    StatusUpdateWriteSerializer,
    ThemeWriteSerializer,
)


class RecordsStatus(BasePermission):
    """Creating a timeline entry records a status change: only for those who may (``can_record_status``)."""

    message = _("Only the policy team records status changes.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method != "POST" or can_record_status(request.user)


class RecordsPartnerStatus(BasePermission):
    """Changing a partner status records progress with that partner: only for those who may."""

    message = _("Only the policy team records progress with partners.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or can_record_partner_status(request.user)


class Assesses(BasePermission):
    """Creating an assessment is for the assessors only (``can_assess``): those who report do not judge themselves."""

    message = _("Only assessors record assessments.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method != "POST" or can_assess(request.user)


class RecordsResponse(BasePermission):
    """Creating a response entry records the addressee's response: only for those who may (``can_record_response``)."""

    message = _("Only the policy team records responses.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method != "POST" or can_record_response(request.user)


def check_status_permission(request: Request, data: Mapping[str, Any], current_status: str | None) -> None:
    """403 unless the user may record status changes, if ``data`` sets a status other than ``current_status``."""
    status = data.get("status")
    if status is not None and status != current_status and not can_record_status(request.user):
        raise exceptions.PermissionDenied(RecordsStatus.message)


# --- Recommendations ------------------------------------------------------------------------------------------------


def recommendation_service_data(data: dict[str, Any]) -> dict[str, Any]:
    """Validated write data as the recommendation services take it (partners as (partner, role) pairs)."""
    data = dict(data)
    data.pop("uuid", None)
    if "partner_links" in data:
        data["partners"] = [(item["partner"], item.get("role", "")) for item in data.pop("partner_links")]
    return data


class RecommendationViewSet(VersionedResourceViewSet[Recommendation]):
    """Recommendations with their partners, themes and status.

    The list takes the same filters as the web pages (RecommendationFilterSet) and pages with a keyset cursor in the
    order asked for (`ordering`; default: creation order).
    """

    queryset = Recommendation.objects.for_representation().order_by("id")
    serializer_class = RecommendationSerializer
    write_serializer_class = RecommendationWriteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RecommendationFilterSet
    schema_parameters = FILTER_SCHEMA_PARAMETERS
    detail_view_name = "api:recommendation-detail"
    schema_examples = {
        "POST": [
            OpenApiExample(
                "A recommendation from a new report",
                value={
                    "id": "5f0c2a9e-3b7d-4e61-9a55-2d8c1f4b6e07",
                    "reference": "EXT24-01",
                    "title": "Hold an annual Japan-Philippines coast guard exercise",
                    "description": "Both coast guards train together every year under the new framework.",
                    "source": "tokuchi-2023-nss-commentary",
                    "section": "Maritime security",
                    "partners": [{"slug": "philippines", "role": "counterpart"}],
                    "themes": ["maritime-security"],
                    "priority": "high",
                },
                request_only=True,
            )
        ],
        "PATCH": [
            OpenApiExample(
                "Record progress",
                value={
                    "status": "in_progress",
                    "status_note": "Working group set up.",
                    "evidence_url": "https://www.mofa.go.jp/",
                },
                request_only=True,
            )
        ],
    }
    # The service calls the note of a status change "note" where this resource calls it "status_note".
    service_field_map = {"note": "status_note"}

    def get_queryset(self) -> QuerySet[Recommendation]:
        queryset: QuerySet[Recommendation]
        if self.action in {"update", "partial_update", "destroy"}:
            queryset = Recommendation.objects.order_by("id")  # the write reloads what the response needs
        elif self.action == "list":  # the list serializer loads partners, themes and links itself, a page at a time
            queryset = Recommendation.objects.select_related("source", "lead", "agency").order_by("id")
        else:
            queryset = super().get_queryset()
        return queryset

    def reload(self, instance: Recommendation) -> Recommendation:
        reloaded: Recommendation = RecommendationViewSet.queryset.get(pk=instance.pk)
        return reloaded

    def perform_service_create(self, data: dict[str, Any]) -> Recommendation:
        check_status_permission(self.request, data, None)
        uuid = data.pop("uuid", None)
        return recommendation_create(actor=self.request.user, uuid=uuid, **recommendation_service_data(data))

    def perform_service_update(
        self, instance: Recommendation, data: dict[str, Any], expected_version: int | None
    ) -> Recommendation:
        check_status_permission(self.request, data, instance.status)
        return recommendation_update(
            recommendation=instance,
            actor=self.request.user,
            data=recommendation_service_data(data),
            expected_version=expected_version,
        ).recommendation

    def perform_service_delete(self, instance: Recommendation, expected_version: int | None) -> None:
        recommendation_delete(recommendation=instance, actor=self.request.user, expected_version=expected_version)


# --- Timeline -------------------------------------------------------------------------------------------------------


class StatusUpdateViewSet(ResourceViewSet[StatusUpdate]):
    """The timeline: status changes of recommendations. Creating one is how a recommendation's status changes."""

    queryset = StatusUpdate.objects.select_related("recommendation", "author").order_by("id")
    serializer_class = StatusUpdateSerializer
    write_serializer_class = StatusUpdateWriteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = StatusUpdateFilterSet
    detail_view_name = "api:statusupdate-detail"
    schema_examples = {
        "POST": [
            OpenApiExample(
                "A status change based on version 1",
                value={
                    "id": "9a3e7c1d-2b4f-4d8e-a6c5-0f1e2d3c4b5a",
                    "recommendation": "6712fd9c-e243-591a-906e-79a9c3463a85",
                    "to_status": "under_review",
                    "note": "Raised at the 2+2 preparatory meeting.",
                    "expected_version": 1,
                },
                request_only=True,
            )
        ]
    }
    permission_classes = [ModelPermissions, RecordsStatus]
    service_field_map = {"status": "to_status"}

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


class ResponseUpdateViewSet(ResourceViewSet[ResponseUpdate]):
    """The response entries: the addressee's responses to recommendations. Creating one is how a response changes
    (and, by the response rules, the status with it: a rejected recommendation is not adopted)."""

    queryset = ResponseUpdate.objects.select_related("recommendation", "author").order_by("id")
    serializer_class = ResponseUpdateSerializer
    write_serializer_class = ResponseUpdateWriteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ResponseUpdateFilterSet
    detail_view_name = "api:responseupdate-detail"
    schema_examples = {
        "POST": [
            OpenApiExample(
                "The government's response, based on version 1",
                value={
                    "recommendation": "6712fd9c-e243-591a-906e-79a9c3463a85",
                    "to_response": "accepted_in_principle",
                    "responded_on": "2026-11-30",
                    "note": "Welcomed in the Diet reply of 30 November.",
                    "expected_version": 1,
                },
                request_only=True,
            )
        ]
    }
    permission_classes = [ModelPermissions, RecordsResponse]
    service_field_map = {"response": "to_response", "response_date": "responded_on"}

    def perform_service_create(self, data: dict[str, Any]) -> ResponseUpdate:
        return recommendation_record_response(
            recommendation=data["recommendation"],
            actor=self.request.user,
            response=data["to_response"],
            responded_on=data.get("responded_on"),
            note=data.get("note", ""),
            evidence_url=data.get("evidence_url", ""),
            expected_version=data.get("expected_version"),
            entry_uuid=data.get("id"),
        )


class AssessmentViewSet(ResourceViewSet[Assessment]):
    """Independent assessments of recommendations' progress, by the assessors."""

    queryset = Assessment.objects.select_related("recommendation", "assessor").order_by("id")
    serializer_class = AssessmentSerializer
    write_serializer_class = AssessmentWriteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AssessmentFilterSet
    detail_view_name = "api:assessment-detail"
    permission_classes = [ModelPermissions, Assesses]

    def perform_service_create(self, data: dict[str, Any]) -> Assessment:
        return recommendation_assess(
            recommendation=data["recommendation"],
            actor=self.request.user,
            rating=data["rating"],
            rationale=data["rationale"],
            assessed_on=data.get("assessed_on"),
            evidence_url=data.get("evidence_url", ""),
            expected_version=data.get("expected_version"),
            entry_uuid=data.get("id"),
        )


class PartnerStatusViewSet(VersionedResourceViewSet[RecommendationPartner]):
    """Progress with each partner of each recommendation: read its status, and change it with PATCH and If-Match.

    A change needs the status (and, on leaving implemented or not adopted, a note) and adds an entry to the
    partner's timeline (partner-status-updates). The recommendation's overall status is recorded apart.
    """

    queryset = RecommendationPartner.objects.select_related("recommendation", "partner").order_by("id")
    serializer_class = PartnerStatusSerializer
    write_serializer_class = PartnerStatusWriteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PartnerStatusFilterSet
    detail_view_name = "api:partnerstatus-detail"
    http_method_names = ["get", "patch", "head", "options"]
    permission_classes = [ModelPermissions, RecordsPartnerStatus]
    schema_examples = {
        "PATCH": [
            OpenApiExample(
                "Progress with Vietnam (If-Match: the ETag read with GET)",
                value={"status": "in_progress", "note": "Joint survey of the first sites agreed."},
                request_only=True,
            )
        ]
    }

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Every change records a status: PATCH takes the whole of it (status, and optionally note and evidence).
        return self.update(request, *args, partial=False, **kwargs)

    def perform_service_update(
        self, instance: RecommendationPartner, data: dict[str, Any], expected_version: int | None
    ) -> RecommendationPartner:
        recommendation_partner_record_status(
            link=instance,
            actor=self.request.user,
            status=data["status"],
            note=data.get("note", ""),
            evidence_url=data.get("evidence_url", ""),
            expected_version=expected_version,
        )
        return instance


class PartnerStatusUpdateViewSet(ResourceViewSet[PartnerStatusUpdate]):
    """The timelines of progress with each partner (written by changing a partner status)."""

    queryset = PartnerStatusUpdate.objects.select_related("recommendation", "partner", "author").order_by("id")
    serializer_class = PartnerStatusUpdateSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PartnerStatusUpdateFilterSet
    detail_view_name = "api:partnerstatusupdate-detail"
    http_method_names = ["get", "head", "options"]


class MilestoneViewSet(VersionedResourceViewSet[Milestone]):
    """Milestones: the dated planned steps of recommendations (done when they have a done date)."""

    queryset = Milestone.objects.select_related("recommendation").order_by("id")
    serializer_class = MilestoneSerializer
    write_serializer_class = MilestoneWriteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MilestoneFilterSet
    detail_view_name = "api:milestone-detail"

    def perform_service_create(self, data: dict[str, Any]) -> Milestone:
        recommendation = data.pop("recommendation")
        return milestone_create(actor=self.request.user, recommendation=recommendation, data=data)

    def perform_service_update(
        self, instance: Milestone, data: dict[str, Any], expected_version: int | None
    ) -> Milestone:
        return milestone_update(
            milestone=instance, actor=self.request.user, data=data, expected_version=expected_version
        )

    def perform_service_delete(self, instance: Milestone, expected_version: int | None) -> None:
        milestone_delete(milestone=instance, actor=self.request.user, expected_version=expected_version)


# --- Sources and themes ---------------------------------------------------------------------------------------------


class ThemeViewSet(VersionedResourceViewSet[Theme]):
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


class SourceViewSet(VersionedResourceViewSet[Source]):
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


# --- Evidence -------------------------------------------------------------------------------------------------------


class VerifiesEvidence(BasePermission):
    """Verifying evidence changes it: for those with the evidence change permission (policy team, assessors)."""

    message = _("Only the policy team and assessors verify evidence.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(view, "action", None) != "verify" or request.user.has_perm("recommendations.change_evidence")


class EvidenceViewSet(ResourceViewSet[Evidence]):
    """Evidence: links and uploaded files (multipart/form-data, ``file``) that show progress, attached to an entry.

    A file's type is found from its content (PDF, Office documents, images); it is downloaded from ``download_url``
    by those who may read the recommendation, never from a public address. ``verify`` (with If-Match) records that
    someone other than who added it checked it.
    """

    queryset = Evidence.objects.select_related(*EVIDENCE_RELATED).order_by("id")
    serializer_class = EvidenceSerializer
    write_serializer_class = EvidenceWriteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = EvidenceFilterSet
    detail_view_name = "api:evidence-detail"
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    service_field_map = {"url": "link"}
    permission_classes = [ModelPermissions, VerifiesEvidence]
    action_schemas = {
        "download": {
            "status": 200,
            "response": OpenApiResponse(
                response=OpenApiTypes.BINARY, description=_("The file, with the type found from its content.")
            ),
        },
        "verify": {"status": 200, "response": EvidenceSerializer, "if_match": True},
    }

    def perform_service_create(self, data: dict[str, Any]) -> Evidence:
        attach_to = next((data[name] for name in ATTACHMENT_FIELDS if data.get(name) is not None), None)
        return evidence_add(
            recommendation=data["recommendation"],
            actor=self.request.user,
            title_en=data.get("title_en", ""),
            title_ja=data.get("title_ja", ""),
            url=data.get("link", ""),
            upload=data.get("file"),
            evidence_date=data.get("evidence_date"),
            publishable=data.get("publishable", False),
            attach_to=attach_to,
            evidence_uuid=data.get("id"),
        )

    @extend_schema(request=None, summary=_("Download an evidence file"))
    @action(detail=True, methods=["get"])
    def download(self, request: Request, uuid: str, **kwargs: Any) -> FileResponse:
        """The evidence's file, as an attachment, with the type found from its content."""
        evidence = self.get_object()
        if not evidence.file:
            raise exceptions.NotFound(_("This evidence is a link, not a file."))
        return evidence_file_response(evidence)

    @extend_schema(request=None, summary=_("Verify evidence"))
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, uuid: str, **kwargs: Any) -> Response:
        """Record that the signed-in user checked the evidence (not who added it); needs If-Match."""
        evidence = self.get_object()
        precondition = require_if_match(request)
        expected = precondition.expected_version(evidence.version)
        verified = self.run_service(
            lambda: evidence_verify(evidence=evidence, actor=request.user, expected_version=expected)
        )
        return self.object_response(verified)
