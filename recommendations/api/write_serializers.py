"""What clients may send to create or change recommendations, status changes, sources and themes.

Write serializers only validate; the views hand ``validated_data`` to the services. Each lists its writable fields
explicitly: ids of other objects, versions, timestamps and authors are never writable. Length limits are the
models' own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.api.fields import CreateIdMixin, SlugRelatedField, StrictFieldsMixin, create_id_field
from core.api.translation import TranslatedFieldsMixin
from core.models import field_max_length
from partners.choices import PartnerKind
from partners.models import Partner

from ..choices import PartnerRole, Priority, Rating, Response, Status
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
from .serializers import (
    AssessmentSerializer,
    EvidenceSerializer,
    MilestoneSerializer,
    PartnerStatusSerializer,
    RecommendationPartnerSerializer,
    RecommendationSerializer,
    ResponseUpdateSerializer,
    SourceSerializer,
    StatusUpdateSerializer,
    ThemeSerializer,
)


def _limit(model: type, name: str) -> int:
    return field_max_length(model, name)


#: Most partners or themes one recommendation may list in a write.
MAX_LINKED = 100


class PartnerAssignmentSerializer(StrictFieldsMixin, serializers.Serializer[RecommendationPartner]):
    """A partner of a recommendation on writes: the partner's slug and its role there."""

    representation_serializer = RecommendationPartnerSerializer

    slug = SlugRelatedField(
        source="partner",
        slug_field="slug",
        queryset=Partner.objects.all(),
        help_text=gettext_lazy("The partner's slug."),
    )
    role = serializers.ChoiceField(choices=PartnerRole.choices, required=False, allow_blank=True, default="")


class RecommendationWriteSerializer(
    TranslatedFieldsMixin, StrictFieldsMixin, CreateIdMixin, serializers.Serializer[Recommendation]
):
    """What a client may send to create or change a recommendation (partners, themes and source by slug)."""

    representation_serializer = RecommendationSerializer
    translated_model = Recommendation
    id = create_id_field("recommendation")
    reference = serializers.CharField(max_length=_limit(Recommendation, "reference"))
    title = serializers.CharField(max_length=_limit(Recommendation, "title"))
    description = serializers.CharField(max_length=_limit(Recommendation, "description"))
    source_excerpt = serializers.CharField(
        max_length=_limit(Recommendation, "source_excerpt"), required=False, allow_blank=True
    )
    source = SlugRelatedField(  # type: ignore[assignment]  # a field named like Field.source (DRF pops it)
        slug_field="slug", queryset=Source.objects.all(), help_text=gettext_lazy("Source slug.")
    )
    section = serializers.CharField(max_length=_limit(Recommendation, "section"), required=False, allow_blank=True)
    # Sources are the model's, so that the browsable API can render this form for an existing recommendation.
    # With many=True DRF hands max_length to the ListSerializer; the DRF stubs' signature omits the list's options.
    partners = PartnerAssignmentSerializer(  # type: ignore[call-arg]
        source="partner_links", many=True, required=False, max_length=MAX_LINKED
    )
    themes = SlugRelatedField(
        slug_field="slug",
        queryset=Theme.objects.all(),
        many=True,
        required=False,
        help_text=gettext_lazy("Theme slugs."),
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text=gettext_lazy("A new status records a timeline entry, with status_note and evidence_url."),
    )
    status_note = serializers.CharField(
        max_length=_limit(StatusUpdate, "note"),
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=gettext_lazy("Why the status changes."),
    )
    evidence_url = serializers.URLField(
        max_length=_limit(StatusUpdate, "evidence_url"),
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=gettext_lazy("Evidence of the status change."),
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    team = serializers.CharField(max_length=_limit(Recommendation, "team"), required=False, allow_blank=True)
    lead = SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The responsible lead's user name (null: none)."),
    )
    agency = SlugRelatedField(
        slug_field="slug",
        queryset=Partner.objects.filter(kind=PartnerKind.AGENCY),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The responsible agency's slug: a partner of kind domestic agency (null: none)."),
    )
    target_date = serializers.DateField(required=False, allow_null=True)
    review_date = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("When progress is next to be reviewed.")
    )

    def validate_themes(self, value: list[Theme]) -> list[Theme]:
        if len(value) > MAX_LINKED:
            raise serializers.ValidationError(
                _("Ensure this field has no more than %(limit)d elements.") % {"limit": MAX_LINKED}
            )
        return value


class StatusUpdateWriteSerializer(StrictFieldsMixin, serializers.Serializer[StatusUpdate]):
    """A status change: the recommendation, the new status, why, and the evidence."""

    representation_serializer = StatusUpdateSerializer

    id = serializers.UUIDField(
        required=False,
        help_text=gettext_lazy("The UUID the timeline entry gets. Repeating a request with it answers 409."),
    )
    recommendation = SlugRelatedField(
        slug_field="uuid",
        queryset=Recommendation.objects.all(),
        help_text=gettext_lazy("The recommendation's id (UUID)."),
    )
    to_status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(max_length=_limit(StatusUpdate, "note"), required=False, allow_blank=True, default="")
    evidence_url = serializers.URLField(
        max_length=_limit(StatusUpdate, "evidence_url"), required=False, allow_blank=True, default=""
    )
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=gettext_lazy("The recommendation's version the change is based on; if it has changed since, 412."),
    )


class PartnerStatusWriteSerializer(StrictFieldsMixin, serializers.Serializer[RecommendationPartner]):
    """Progress with one partner: its new status there, why, and the evidence (send If-Match with its ETag)."""

    representation_serializer = PartnerStatusSerializer

    status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(
        max_length=_limit(PartnerStatusUpdate, "note"), required=False, allow_blank=True, default=""
    )
    evidence_url = serializers.URLField(
        max_length=_limit(PartnerStatusUpdate, "evidence_url"), required=False, allow_blank=True, default=""
    )


class AssessmentWriteSerializer(StrictFieldsMixin, serializers.Serializer[Assessment]):
    """An independent assessment: the recommendation, the rating, why, when, and the evidence."""

    representation_serializer = AssessmentSerializer

    id = serializers.UUIDField(
        required=False,
        help_text=gettext_lazy("The UUID the assessment gets. Repeating a request with it answers 409."),
    )
    recommendation = SlugRelatedField(
        slug_field="uuid",
        queryset=Recommendation.objects.all(),
        help_text=gettext_lazy("The recommendation's id (UUID)."),
    )
    rating = serializers.ChoiceField(choices=Rating.choices)
    rationale = serializers.CharField(max_length=_limit(Assessment, "rationale"))
    assessed_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("When it was assessed (default: today).")
    )
    evidence_url = serializers.URLField(
        max_length=_limit(Assessment, "evidence_url"), required=False, allow_blank=True, default=""
    )
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=gettext_lazy("The recommendation's version the assessment is based on; if it changed since, 412."),
    )


class ResponseUpdateWriteSerializer(StrictFieldsMixin, serializers.Serializer[ResponseUpdate]):
    """A response: the recommendation, the addressee's response, its date, a note, the evidence."""

    representation_serializer = ResponseUpdateSerializer

    id = serializers.UUIDField(
        required=False,
        help_text=gettext_lazy("The UUID the response entry gets. Repeating a request with it answers 409."),
    )
    recommendation = SlugRelatedField(
        slug_field="uuid",
        queryset=Recommendation.objects.all(),
        help_text=gettext_lazy("The recommendation's id (UUID)."),
    )
    to_response = serializers.ChoiceField(choices=Response.choices)
    responded_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("When the response was made (default: today)."),
    )
    note = serializers.CharField(
        max_length=_limit(ResponseUpdate, "note"), required=False, allow_blank=True, default=""
    )
    evidence_url = serializers.URLField(
        max_length=_limit(ResponseUpdate, "evidence_url"), required=False, allow_blank=True, default=""
    )
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=gettext_lazy("The recommendation's version the response is based on; if it has changed since, 412."),
    )


class MilestoneWriteSerializer(
    TranslatedFieldsMixin, StrictFieldsMixin, CreateIdMixin, serializers.ModelSerializer[Milestone]
):
    """What a client may send to add or change a milestone (the recommendation by its id, on create only)."""

    representation_serializer = MilestoneSerializer
    id = create_id_field(gettext_lazy("milestone"))
    recommendation = SlugRelatedField(
        slug_field="uuid",
        queryset=Recommendation.objects.all(),
        help_text=gettext_lazy("The recommendation's id (UUID)."),
    )

    class Meta:
        model = Milestone
        fields = ["id", "recommendation", "title", "due_date", "done_on", "evidence_url", "position"]


class ThemeWriteSerializer(TranslatedFieldsMixin, StrictFieldsMixin, CreateIdMixin, serializers.ModelSerializer[Theme]):
    """What a client may send to create or change a theme."""

    representation_serializer = ThemeSerializer
    id = create_id_field("theme")

    class Meta:
        model = Theme
        fields = ["id", "slug", "name", "description"]


class SourceWriteSerializer(
    TranslatedFieldsMixin, StrictFieldsMixin, CreateIdMixin, serializers.ModelSerializer[Source]
):
    """What a client may send to create or change a source document."""

    representation_serializer = SourceSerializer
    id = create_id_field("source")

    document_url = serializers.URLField(
        source="url", max_length=_limit(Source, "url"), required=False, allow_blank=True
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "slug",
            "title",
            "short_title",
            "kind",
            "author",
            "publisher",
            "published_on",
            "document_url",
            "description",
        ]


class EvidenceWriteSerializer(
    TranslatedFieldsMixin, StrictFieldsMixin, CreateIdMixin, serializers.Serializer[Evidence]
):
    """Evidence to add: the recommendation, a title, a link or a file (multipart), its date, whether it may be
    published, and optionally the entry it supports (one of status_update, response_update, partner_status_update,
    assessment, by id)."""

    representation_serializer = EvidenceSerializer
    translated_model = Evidence
    id = create_id_field(gettext_lazy("evidence"))
    recommendation = SlugRelatedField(
        slug_field="uuid",
        queryset=Recommendation.objects.all(),
        help_text=gettext_lazy("The recommendation's id (UUID)."),
    )
    title = serializers.CharField(max_length=_limit(Evidence, "title"))
    link = serializers.URLField(
        max_length=_limit(Evidence, "url"),
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("A link."),
    )
    file = serializers.FileField(
        required=False,
        allow_empty_file=False,
        help_text=gettext_lazy(
            "A PDF, Office document or image (multipart/form-data); its type is found from its content."
        ),
    )
    evidence_date = serializers.DateField(required=False, allow_null=True, default=None)
    publishable = serializers.BooleanField(required=False, default=False)
    status_update = SlugRelatedField(
        slug_field="uuid", queryset=StatusUpdate.objects.all(), required=False, allow_null=True, default=None
    )
    response_update = SlugRelatedField(
        slug_field="uuid", queryset=ResponseUpdate.objects.all(), required=False, allow_null=True, default=None
    )
    partner_status_update = SlugRelatedField(
        slug_field="uuid", queryset=PartnerStatusUpdate.objects.all(), required=False, allow_null=True, default=None
    )
    assessment = SlugRelatedField(
        slug_field="uuid", queryset=Assessment.objects.all(), required=False, allow_null=True, default=None
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        entries = [name for name in ATTACHMENT_FIELDS if attrs.get(name) is not None]
        if len(entries) > 1:
            raise serializers.ValidationError({entries[1]: _("Evidence is attached to one entry at most.")})
        return attrs
