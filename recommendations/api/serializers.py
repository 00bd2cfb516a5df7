"""Representations of recommendations, their timeline, sources and themes: what the API and the change feed show."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import ChoiceLabelField
from core.api.translation import BilingualReadMixin, language_fields
from core.models import field_max_length
from partners.models import Partner

from ..choices import (
    LINK_INVERSE_LABELS,
    LinkType,
    PartnerRole,
    Priority,
    Rating,
    Response,
    SourceKind,
    Status,
    assessment_disagrees,
)
from ..models import (
    ATTACHMENT_FIELDS,
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
from .representation import represent_recommendations

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ThemeSummarySerializer(BilingualReadMixin, serializers.ModelSerializer[Theme]):
    """A theme as a small nested object: id, slug, name."""

    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class SourceSummarySerializer(BilingualReadMixin, serializers.ModelSerializer[Source]):
    """A source as a small nested object: id, slug, title."""

    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = Source
        fields = ["id", "slug", "title"]
        read_only_fields = fields


class AgencySummarySerializer(BilingualReadMixin, serializers.ModelSerializer[Partner]):
    """The responsible agency as a small nested object: id, slug, name (in both languages)."""

    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class RecommendationPartnerSerializer(serializers.ModelSerializer[RecommendationPartner]):
    """A partner of a recommendation, with its role there."""

    id = serializers.UUIDField(source="partner.uuid", read_only=True)
    slug = serializers.CharField(source="partner.slug", read_only=True)
    name = serializers.CharField(source="partner.name", read_only=True)
    _names = language_fields("name", path="partner.name")
    name_ja, name_en = _names["name_ja"], _names["name_en"]
    role = serializers.ChoiceField(choices=PartnerRole.choices, allow_blank=True, read_only=True)
    role_label = ChoiceLabelField(field="role", choices=PartnerRole.choices)
    status = serializers.ChoiceField(
        choices=Status.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("The status with this partner; blank until progress with it is recorded (see partner-statuses)."),
    )
    status_label = ChoiceLabelField(field="status", choices=Status.choices)

    class Meta:
        model = RecommendationPartner
        fields = ["id", "slug", "name", "name_ja", "name_en", "role", "role_label", "status", "status_label"]
        read_only_fields = fields


class PartnerStatusSerializer(serializers.ModelSerializer[RecommendationPartner]):
    """A recommendation's progress with one partner: its status there, the partner's role, and its version."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:partnerstatus-detail", lookup_field="uuid")
    recommendation = serializers.UUIDField(source="recommendation.uuid", read_only=True)
    reference = serializers.CharField(source="recommendation.reference", read_only=True)
    partner = serializers.CharField(source="partner.slug", read_only=True, help_text=_("The partner's slug."))
    _names = language_fields("name", path="partner.name")
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    partner_name_ja, partner_name_en = _names["name_ja"], _names["name_en"]
    role = serializers.ChoiceField(choices=PartnerRole.choices, allow_blank=True, read_only=True)
    status = serializers.ChoiceField(
        choices=Status.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("Blank until progress with this partner is recorded."),
    )
    status_label = ChoiceLabelField(field="status", choices=Status.choices)

    class Meta:
        model = RecommendationPartner
        fields = [
            "id",
            "url",
            "recommendation",
            "reference",
            "partner",
            "partner_name",
            "partner_name_ja",
            "partner_name_en",
            "role",
            "status",
            "status_label",
            "status_changed_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class PartnerStatusUpdateSerializer(serializers.ModelSerializer[PartnerStatusUpdate]):
    """A timeline entry of progress with one partner: from, to, note, evidence, author, time."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:partnerstatusupdate-detail", lookup_field="uuid")
    recommendation = serializers.UUIDField(source="recommendation.uuid", read_only=True)
    partner = serializers.CharField(source="partner.slug", read_only=True, help_text=_("The partner's slug."))
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    from_status_label = ChoiceLabelField(field="from_status", choices=Status.choices)
    to_status_label = ChoiceLabelField(field="to_status", choices=Status.choices)
    evidence_url = serializers.CharField(read_only=True, help_text=_("A URL, or blank."))
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = PartnerStatusUpdate
        fields = [
            "id",
            "url",
            "recommendation",
            "partner",
            "from_status",
            "from_status_label",
            "to_status",
            "to_status_label",
            "note",
            "evidence_url",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class LinkedRecommendationSerializer(serializers.Serializer[Recommendation]):
    """The other end of a link, as a small nested object."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    reference = serializers.CharField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:recommendation-detail", lookup_field="uuid")


class RecommendationLinkSerializer(serializers.Serializer[Any]):
    """One link seen from a recommendation: its type, which way it points, how it reads, and the other end."""

    link_type = serializers.ChoiceField(choices=LinkType.choices, read_only=True)
    direction = serializers.ChoiceField(choices=["outgoing", "incoming"], read_only=True)
    label = serializers.CharField(  # type: ignore[assignment]  # a field named like Field.label (DRF pops it)
        read_only=True, help_text=_("How the link reads from this side, e.g. superseded by.")
    )
    note = serializers.CharField(read_only=True)
    recommendation = LinkedRecommendationSerializer(read_only=True)


@extend_schema_field(RecommendationLinkSerializer(many=True))
class RecommendationLinksField(serializers.Field[Recommendation, Any, list[Any], Recommendation]):
    """Both directions of a recommendation's links, from the prefetched ``links_out`` and ``links_in``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, recommendation: Recommendation) -> list[Any]:
        items: list[dict[str, Any]] = [
            {
                "link_type": link.link_type,
                "direction": "outgoing",
                "label": str(LinkType(link.link_type).label),
                "note": link.note,
                "recommendation": link.to_recommendation,
            }
            for link in recommendation.links_out.all()
        ] + [
            {
                "link_type": link.link_type,
                "direction": "incoming",
                "label": str(LINK_INVERSE_LABELS[LinkType(link.link_type)]),
                "note": link.note,
                "recommendation": link.from_recommendation,
            }
            for link in recommendation.links_in.all()
        ]
        items.sort(
            key=lambda item: (item["direction"] != "outgoing", item["link_type"], item["recommendation"].reference)
        )
        serializer: serializers.BaseSerializer[Any] = RecommendationLinkSerializer(
            items, many=True, context=self.context
        )
        links: list[Any] = serializer.data  # a ListSerializer's (many=True)
        return links


class RecommendationListSerializer(serializers.ListSerializer[Iterable[Recommendation]]):
    """Many recommendations at once through the lean read path (representation.py), the same output as the child's."""

    def to_representation(self, data: models.Manager[Recommendation] | Iterable[Recommendation]) -> list[Any]:
        return represent_recommendations(data.all() if isinstance(data, models.Manager) else data, self.context)


class RecommendationSerializer(BilingualReadMixin, serializers.ModelSerializer[Recommendation]):
    """A recommendation in full, as the API and the change feed show it."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:recommendation-detail", lookup_field="uuid")
    source = SourceSummarySerializer(read_only=True)  # type: ignore[assignment]  # named like Field.source (popped)
    partners = RecommendationPartnerSerializer(source="partner_links", many=True, read_only=True)
    themes = ThemeSummarySerializer(many=True, read_only=True)
    status_label = ChoiceLabelField(field="status", choices=Status.choices)
    response_label = ChoiceLabelField(field="response", choices=Response.choices)
    assessment = serializers.ChoiceField(
        choices=Rating.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("The latest independent assessment's rating; blank until one is recorded."),
    )
    assessment_label = ChoiceLabelField(field="assessment", choices=Rating.choices)
    assessment_disagrees = serializers.SerializerMethodField(
        help_text=_("Whether the latest independent assessment disagrees with the self-reported status.")
    )
    priority_label = ChoiceLabelField(field="priority", choices=Priority.choices)
    lead: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text=_("The responsible lead's user name.")
    )
    agency = AgencySummarySerializer(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)
    links = RecommendationLinksField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "url",
            "reference",
            "title",
            "description",
            "source_excerpt",
            "source",
            "section",
            "partners",
            "themes",
            "links",
            "status",
            "status_label",
            "response",
            "response_label",
            "response_date",
            "assessment",
            "assessment_label",
            "assessed_on",
            "assessment_disagrees",
            "priority",
            "priority_label",
            "team",
            "lead",
            "agency",
            "target_date",
            "review_date",
            "is_overdue",
            "status_changed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = RecommendationListSerializer

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_assessment_disagrees(self, recommendation: Recommendation) -> bool:
        return assessment_disagrees(recommendation.status, recommendation.assessment)


class StatusUpdateSerializer(serializers.ModelSerializer[StatusUpdate]):
    """A timeline entry: one status change with its note, evidence and author."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:statusupdate-detail", lookup_field="uuid")
    recommendation = serializers.UUIDField(source="recommendation.uuid", read_only=True)
    # Blank from_status (the first entry), blank evidence and a missing author are valid values of the representation.
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    from_status_label = ChoiceLabelField(field="from_status", choices=Status.choices)
    to_status_label = ChoiceLabelField(field="to_status", choices=Status.choices)
    evidence_url = serializers.CharField(read_only=True, help_text=_("A URL, or blank."))
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "url",
            "recommendation",
            "from_status",
            "from_status_label",
            "to_status",
            "to_status_label",
            "note",
            "evidence_url",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class ResponseUpdateSerializer(serializers.ModelSerializer[ResponseUpdate]):
    """A response entry: one change of the addressee's response, with its date, note, evidence and author."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:responseupdate-detail", lookup_field="uuid")
    recommendation = serializers.UUIDField(source="recommendation.uuid", read_only=True)
    from_response_label = ChoiceLabelField(field="from_response", choices=Response.choices)
    to_response_label = ChoiceLabelField(field="to_response", choices=Response.choices)
    evidence_url = serializers.CharField(read_only=True, help_text=_("A URL, or blank."))
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ResponseUpdate
        fields = [
            "id",
            "url",
            "recommendation",
            "from_response",
            "from_response_label",
            "to_response",
            "to_response_label",
            "responded_on",
            "note",
            "evidence_url",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    """An independent assessment: the rating, why, when, the evidence, who, and the status it was set against."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:assessment-detail", lookup_field="uuid")
    recommendation = serializers.UUIDField(source="recommendation.uuid", read_only=True)
    rating_label = ChoiceLabelField(field="rating", choices=Rating.choices)
    evidence_url = serializers.CharField(read_only=True, help_text=_("A URL, or blank."))
    assessor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "url",
            "recommendation",
            "rating",
            "rating_label",
            "rationale",
            "assessed_on",
            "evidence_url",
            "reported_status",
            "assessor",
            "created_at",
        ]
        read_only_fields = fields


class MilestoneSerializer(BilingualReadMixin, serializers.ModelSerializer[Milestone]):
    """A milestone: a planned step of a recommendation, done when it has a done date."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:milestone-detail", lookup_field="uuid")
    recommendation = serializers.UUIDField(source="recommendation.uuid", read_only=True)
    is_done = serializers.BooleanField(read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "url",
            "recommendation",
            "title",
            "due_date",
            "done_on",
            "is_done",
            "evidence_url",
            "position",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ThemeSerializer(BilingualReadMixin, serializers.ModelSerializer[Theme]):
    """A theme in full."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:theme-detail", lookup_field="uuid")

    class Meta:
        model = Theme
        fields = ["id", "url", "slug", "name", "description", "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]


class SourceSerializer(BilingualReadMixin, serializers.ModelSerializer[Source]):
    """A source document in full."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", lookup_field="uuid")
    kind_label = ChoiceLabelField(field="kind", choices=SourceKind.choices)
    document_url = serializers.URLField(
        source="url", max_length=field_max_length(Source, "url"), required=False, allow_blank=True
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "url",
            "slug",
            "title",
            "short_title",
            "kind",
            "kind_label",
            "author",
            "publisher",
            "published_on",
            "document_url",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]


class EvidenceSerializer(BilingualReadMixin, serializers.ModelSerializer[Evidence]):
    """Evidence: a link or an uploaded file (downloaded from ``download_url`` with authorisation), what it supports,
    its date, whether it may be published, who added and who verified it."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:evidence-detail", lookup_field="uuid")
    recommendation = serializers.UUIDField(source="recommendation.uuid", read_only=True)
    kind = serializers.SerializerMethodField(help_text=_("file or link."))
    link = serializers.CharField(source="url", read_only=True, help_text=_("The evidence's address, for a link."))
    download_url = serializers.SerializerMethodField(help_text=_("For a file: where to download it (signed in)."))
    attached_to = serializers.SerializerMethodField(
        help_text=_("The entry the evidence supports: its type and id, or null for the recommendation as a whole.")
    )
    added_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    verified_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "url",
            "recommendation",
            "kind",
            "title",
            "link",
            "download_url",
            "file_name",
            "content_type",
            "size",
            "evidence_date",
            "publishable",
            "attached_to",
            "added_by",
            "verified_by",
            "verified_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": ["file", "link"]})
    def get_kind(self, evidence: Evidence) -> str:
        return "file" if evidence.file else "link"

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download_url(self, evidence: Evidence) -> str | None:
        if not evidence.file:
            return None
        path = reverse("api:evidence-download", kwargs={"uuid": evidence.uuid})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"type": {"type": "string"}, "id": {"type": "string", "format": "uuid"}},
        }
    )
    def get_attached_to(self, evidence: Evidence) -> dict[str, str] | None:
        for name in ATTACHMENT_FIELDS:
            entry_id = getattr(evidence, f"{name}_id")
            if entry_id is not None:
                entry = getattr(evidence, name)
                return {"type": name, "id": str(entry.uuid)}
        return None
