"""Representations of recommendations, their timeline, sources and themes in the API and the change feed."""

from __future__ import annotations

from django.db import models
from rest_framework import serializers

from partners.api.serializers import PartnerSerializer
from partners.models import Partner

from ..models import Recommendation, RecommendationPartner, Source, StatusUpdate, Theme


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
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = RecommendationPartner
        fields = ["id", "slug", "name", "role", "role_label"]
        read_only_fields = fields


class RecommendationSerializer(serializers.ModelSerializer):
    """A recommendation in full, as the API and the change feed show it."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:recommendation-detail", lookup_field="uuid")
    source = SourceSummarySerializer(read_only=True)
    partners = RecommendationPartnerSerializer(source="partner_links", many=True, read_only=True)
    themes = ThemeSummarySerializer(many=True, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

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


class StatusUpdateSerializer(serializers.ModelSerializer):
    """A timeline entry: one status change with its note, evidence and author."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:statusupdate-detail", lookup_field="uuid")
    recommendation = serializers.UUIDField(source="recommendation.uuid", read_only=True)
    from_status_label = serializers.CharField(source="get_from_status_display", read_only=True)
    to_status_label = serializers.CharField(source="get_to_status_display", read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

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
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
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
        return Recommendation.objects.with_related().get(pk=instance.pk)
    return instance
