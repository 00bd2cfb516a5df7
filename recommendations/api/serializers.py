"""Representations of recommendations, their timeline, sources and themes in the API and the change feed."""

from __future__ import annotations

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.api.serializers import PartnerSerializer
from partners.models import Partner

from ..choices import LINK_INVERSE_LABELS, ChangeAction, LinkType, ObjectType, PartnerRole, Priority, SourceKind, Status
from ..models import Recommendation, RecommendationPartner, Source, StatusUpdate, Theme
from ..models.recommendation import LONG_TEXT_MAX, NOTE_MAX
from .fields import ChoiceLabelField, SlugRelatedField
from .representation import represent_recommendations


class ThemeSummarySerializer(serializers.ModelSerializer):
    """A theme as a small nested object: id, slug, name."""

    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class SourceSummarySerializer(serializers.ModelSerializer):
    """A source as a small nested object: id, slug, title."""

    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = Source
        fields = ["id", "slug", "title"]
        read_only_fields = fields


class RecommendationPartnerSerializer(serializers.ModelSerializer):
    """A partner of a recommendation, with its role there."""

    id = serializers.UUIDField(source="partner.uuid", read_only=True)
    slug = serializers.CharField(source="partner.slug", read_only=True)
    name = serializers.CharField(source="partner.name", read_only=True)
    role = serializers.ChoiceField(choices=PartnerRole.choices, allow_blank=True, read_only=True)
    role_label = ChoiceLabelField(field="role", choices=PartnerRole.choices)

    class Meta:
        model = RecommendationPartner
        fields = ["id", "slug", "name", "role", "role_label"]
        read_only_fields = fields


class LinkedRecommendationSerializer(serializers.Serializer):
    """The other end of a link, as a small nested object."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    reference = serializers.CharField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:recommendation-detail", lookup_field="uuid")


class RecommendationLinkSerializer(serializers.Serializer):
    """One link seen from a recommendation: its type, which way it points, how it reads, and the other end."""

    link_type = serializers.ChoiceField(choices=LinkType.choices, read_only=True)
    direction = serializers.ChoiceField(choices=["outgoing", "incoming"], read_only=True)
    label = serializers.CharField(read_only=True, help_text="How the link reads from this side, e.g. superseded by.")
    note = serializers.CharField(read_only=True)
    recommendation = LinkedRecommendationSerializer(read_only=True)


@extend_schema_field(RecommendationLinkSerializer(many=True))
class RecommendationLinksField(serializers.Field):
    """Both directions of a recommendation's links, from the prefetched ``links_out`` and ``links_in``."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, recommendation: Recommendation) -> list:
        items = [
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
        return RecommendationLinkSerializer(items, many=True, context=self.context).data


class RecommendationListSerializer(serializers.ListSerializer):
    """Many recommendations at once through the lean read path (representation.py), the same output as the child's."""

    def to_representation(self, data) -> list:
        return represent_recommendations(data.all() if isinstance(data, models.Manager) else data, self.context)


class RecommendationSerializer(serializers.ModelSerializer):
    """A recommendation in full, as the API and the change feed show it."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:recommendation-detail", lookup_field="uuid")
    source = SourceSummarySerializer(read_only=True)
    partners = RecommendationPartnerSerializer(source="partner_links", many=True, read_only=True)
    themes = ThemeSummarySerializer(many=True, read_only=True)
    status_label = ChoiceLabelField(field="status", choices=Status.choices)
    priority_label = ChoiceLabelField(field="priority", choices=Priority.choices)
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
            "priority",
            "priority_label",
            "team",
            "target_date",
            "is_overdue",
            "status_changed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = RecommendationListSerializer


class StatusUpdateSerializer(serializers.ModelSerializer):
    """A timeline entry: one status change with its note, evidence and author."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:statusupdate-detail", lookup_field="uuid")
    recommendation = serializers.UUIDField(source="recommendation.uuid", read_only=True)
    # Blank from_status (the first entry), blank evidence and a missing author are valid values of the representation.
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    from_status_label = ChoiceLabelField(field="from_status", choices=Status.choices)
    to_status_label = ChoiceLabelField(field="to_status", choices=Status.choices)
    evidence_url = serializers.CharField(read_only=True, help_text="A URL, or blank.")
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

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


class ThemeSerializer(serializers.ModelSerializer):
    """A theme in full."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:theme-detail", lookup_field="uuid")

    class Meta:
        model = Theme
        fields = ["id", "url", "slug", "name", "description", "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]


class SourceSerializer(serializers.ModelSerializer):
    """A source document in full."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", lookup_field="uuid")
    kind_label = ChoiceLabelField(field="kind", choices=SourceKind.choices)
    document_url = serializers.URLField(source="url", max_length=500, required=False, allow_blank=True)

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


#: The serializer that gives each model's representation in the change feed.
FEED_SERIALIZERS: dict[type[models.Model], type[serializers.Serializer]] = {
    Recommendation: RecommendationSerializer,
    StatusUpdate: StatusUpdateSerializer,
    Partner: PartnerSerializer,
    Theme: ThemeSerializer,
    Source: SourceSerializer,
}


def feed_serializer_for(instance: models.Model) -> type[serializers.Serializer]:
    """The serializer class for an object's change-feed representation."""
    return FEED_SERIALIZERS[type(instance)]


def feed_instance(instance: models.Model) -> models.Model:
    """The object as stored now, with what its representation needs loaded (caches may be stale after a write)."""
    if isinstance(instance, Recommendation):
        return Recommendation.objects.for_representation().get(pk=instance.pk)
    return instance


# --- Writes ---------------------------------------------------------------------------------------------------------
# Write serializers only validate what a client may send; the views hand ``validated_data`` to the services. Each
# lists its writable fields explicitly: ids of other objects, versions, timestamps and authors are never writable.

#: Most partners or themes one recommendation may list in a write.
MAX_LINKED = 100


class PartnerAssignmentSerializer(serializers.Serializer):
    """A partner of a recommendation on writes: the partner's slug and its role there."""

    slug = SlugRelatedField(
        source="partner", slug_field="slug", queryset=Partner.objects.all(), help_text="The partner's slug."
    )
    role = serializers.ChoiceField(choices=PartnerRole.choices, required=False, allow_blank=True, default="")


class RecommendationWriteSerializer(serializers.Serializer):
    """What a client may send to create or change a recommendation (partners, themes and source by slug)."""

    id = serializers.UUIDField(
        source="uuid",
        required=False,
        help_text="On create only: the UUID the new recommendation gets. Repeating a create with it answers 409.",
    )
    reference = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=LONG_TEXT_MAX)
    source_excerpt = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, allow_blank=True)
    source = SlugRelatedField(slug_field="slug", queryset=Source.objects.all(), help_text="Source slug.")
    section = serializers.CharField(max_length=255, required=False, allow_blank=True)
    # Sources are the model's, so that the browsable API can render this form for an existing recommendation.
    partners = PartnerAssignmentSerializer(source="partner_links", many=True, required=False, max_length=MAX_LINKED)
    themes = SlugRelatedField(
        slug_field="slug", queryset=Theme.objects.all(), many=True, required=False, help_text="Theme slugs."
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text="A new status records a timeline entry, with status_note and evidence_url.",
    )
    status_note = serializers.CharField(
        max_length=NOTE_MAX, required=False, allow_blank=True, write_only=True, help_text="Why the status changes."
    )
    evidence_url = serializers.URLField(
        max_length=500, required=False, allow_blank=True, write_only=True, help_text="Evidence of the status change."
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    team = serializers.CharField(max_length=120, required=False, allow_blank=True)
    target_date = serializers.DateField(required=False, allow_null=True)

    def validate_id(self, value):
        if self.instance is not None and value != self.instance.uuid:
            raise serializers.ValidationError("The id of a recommendation cannot be changed.")
        return value

    def validate_themes(self, value):
        if len(value) > MAX_LINKED:
            raise serializers.ValidationError(f"Ensure this field has no more than {MAX_LINKED} elements.")
        return value


class StatusUpdateWriteSerializer(serializers.Serializer):
    """A status change: the recommendation, the new status, why, and the evidence."""

    id = serializers.UUIDField(
        required=False, help_text="The UUID the timeline entry gets. Repeating a request with it answers 409."
    )
    recommendation = SlugRelatedField(
        slug_field="uuid", queryset=Recommendation.objects.all(), help_text="The recommendation's id (UUID)."
    )
    to_status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    evidence_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The recommendation's version the change is based on; if it has changed since, 412.",
    )


class ThemeWriteSerializer(serializers.ModelSerializer):
    """What a client may send to create or change a theme."""

    class Meta:
        model = Theme
        fields = ["slug", "name", "description"]


class SourceWriteSerializer(serializers.ModelSerializer):
    """What a client may send to create or change a source document."""

    document_url = serializers.URLField(source="url", max_length=500, required=False, allow_blank=True)

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


# --- Change feed and reports ----------------------------------------------------------------------------------------
# The feed and the report are built as plain data by their views; these serializers validate their query parameters
# and describe their answers in the OpenAPI schema.

#: Largest seq a client may name (PostgreSQL bigint).
MAX_SEQ = 2**63 - 1


class ChangeFeedQuerySerializer(serializers.Serializer):
    """Query parameters of the change feed."""

    after = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=MAX_SEQ, help_text="Only changes with a larger seq."
    )
    limit = serializers.IntegerField(
        required=False, default=50, min_value=1, max_value=500, help_text="Most changes per page (1 to 500)."
    )
    object_type = serializers.MultipleChoiceField(
        choices=ObjectType.choices, required=False, help_text="Only changes of these object types (repeatable)."
    )


class ChangeEventSerializer(serializers.Serializer):
    """One change of the feed."""

    seq = serializers.IntegerField(help_text="Position in the feed; strictly increasing in commit order.")
    action = serializers.ChoiceField(choices=ChangeAction.choices)
    object_type = serializers.ChoiceField(choices=ObjectType.choices)
    object_id = serializers.UUIDField(help_text="The changed object's id.")
    time = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True, help_text="Username of who made the change (null: the system).")
    request_id = serializers.CharField(allow_null=True, help_text="The request that made it, for support.")
    data = serializers.DictField(
        help_text="The object's representation after the change (for a deletion: its last one), as its own "
        "endpoint answers it."
    )
    changes = serializers.DictField(
        child=serializers.ListField(), help_text="For updates: the changed fields as {field: [old, new]}."
    )


class ChangeFeedPageSerializer(serializers.Serializer):
    """A page of the change feed."""

    results = ChangeEventSerializer(many=True)
    next = serializers.URLField(
        allow_null=True, help_text="The following page while this one is full; null once you are up to date."
    )
    last_seq = serializers.IntegerField(
        help_text="The newest seq when the request was answered: with next null, poll again with after=last_seq."
    )


class StatusCountSerializer(serializers.Serializer):
    """How many recommendations have one status."""

    status = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class ProgressRowSerializer(serializers.Serializer):
    """Counts by status for one partner or theme."""

    key = serializers.CharField(help_text="The partner's or theme's slug.")
    label = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="{status: count} for every status.")
    total = serializers.IntegerField()
    implemented_share = serializers.FloatField()


class ProgressReportSerializer(serializers.Serializer):
    """The progress report of the recommendations matching the filters."""

    total = serializers.IntegerField()
    implemented = serializers.IntegerField()
    implemented_share = serializers.FloatField(help_text="Implemented as a share of the total, 0 to 1.")
    overdue = serializers.IntegerField(help_text="Open recommendations past their target date.")
    by_status = StatusCountSerializer(many=True)
    by_partner = ProgressRowSerializer(many=True)
    by_theme = ProgressRowSerializer(many=True)
