"""What clients may send to create or change recommendations, status changes, sources and themes.

Write serializers only validate; the views hand ``validated_data`` to the services. Each lists its writable fields
explicitly: ids of other objects, versions, timestamps and authors are never writable. Length limits are the
models' own.
"""

from __future__ import annotations

from uuid import UUID

from rest_framework import serializers

from core.api.fields import SlugRelatedField
from core.models import field_max_length
from partners.models import Partner

from ..choices import PartnerRole, Priority, Status
from ..models import Recommendation, RecommendationPartner, Source, StatusUpdate, Theme


def _limit(model: type, name: str) -> int:
    return field_max_length(model, name)


#: Most partners or themes one recommendation may list in a write.
MAX_LINKED = 100


class PartnerAssignmentSerializer(serializers.Serializer[RecommendationPartner]):
    """A partner of a recommendation on writes: the partner's slug and its role there."""

    slug = SlugRelatedField(
        source="partner", slug_field="slug", queryset=Partner.objects.all(), help_text="The partner's slug."
    )
    role = serializers.ChoiceField(choices=PartnerRole.choices, required=False, allow_blank=True, default="")


class RecommendationWriteSerializer(serializers.Serializer[Recommendation]):
    """What a client may send to create or change a recommendation (partners, themes and source by slug)."""

    id = serializers.UUIDField(
        source="uuid",
        required=False,
        help_text="On create only: the UUID the new recommendation gets. Repeating a create with it answers 409.",
    )
    reference = serializers.CharField(max_length=_limit(Recommendation, "reference"))
    title = serializers.CharField(max_length=_limit(Recommendation, "title"))
    description = serializers.CharField(max_length=_limit(Recommendation, "description"))
    source_excerpt = serializers.CharField(
        max_length=_limit(Recommendation, "source_excerpt"), required=False, allow_blank=True
    )
    source = SlugRelatedField(  # type: ignore[assignment]  # a field named like Field.source (DRF pops it)
        slug_field="slug", queryset=Source.objects.all(), help_text="Source slug."
    )
    section = serializers.CharField(max_length=_limit(Recommendation, "section"), required=False, allow_blank=True)
    # Sources are the model's, so that the browsable API can render this form for an existing recommendation.
    # With many=True DRF hands max_length to the ListSerializer; the DRF stubs' signature omits the list's options.
    partners = PartnerAssignmentSerializer(  # type: ignore[call-arg]
        source="partner_links", many=True, required=False, max_length=MAX_LINKED
    )
    themes = SlugRelatedField(
        slug_field="slug", queryset=Theme.objects.all(), many=True, required=False, help_text="Theme slugs."
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text="A new status records a timeline entry, with status_note and evidence_url.",
    )
    status_note = serializers.CharField(
        max_length=_limit(StatusUpdate, "note"),
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Why the status changes.",
    )
    evidence_url = serializers.URLField(
        max_length=_limit(StatusUpdate, "evidence_url"),
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Evidence of the status change.",
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    team = serializers.CharField(max_length=_limit(Recommendation, "team"), required=False, allow_blank=True)
    target_date = serializers.DateField(required=False, allow_null=True)

    def validate_id(self, value: UUID) -> UUID:
        if self.instance is not None and value != self.instance.uuid:
            raise serializers.ValidationError("The id of a recommendation cannot be changed.")
        return value

    def validate_themes(self, value: list[Theme]) -> list[Theme]:
        if len(value) > MAX_LINKED:
            raise serializers.ValidationError(f"Ensure this field has no more than {MAX_LINKED} elements.")
        return value


class StatusUpdateWriteSerializer(serializers.Serializer[StatusUpdate]):
    """A status change: the recommendation, the new status, why, and the evidence."""

    id = serializers.UUIDField(
        required=False, help_text="The UUID the timeline entry gets. Repeating a request with it answers 409."
    )
    recommendation = SlugRelatedField(
        slug_field="uuid", queryset=Recommendation.objects.all(), help_text="The recommendation's id (UUID)."
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
        help_text="The recommendation's version the change is based on; if it has changed since, 412.",
    )


class ThemeWriteSerializer(serializers.ModelSerializer[Theme]):
    """What a client may send to create or change a theme."""

    class Meta:
        model = Theme
        fields = ["slug", "name", "description"]


class SourceWriteSerializer(serializers.ModelSerializer[Source]):
    """What a client may send to create or change a source document."""

    document_url = serializers.URLField(
        source="url", max_length=_limit(Source, "url"), required=False, allow_blank=True
    )

    class Meta:
        model = Source
        fields = [
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
