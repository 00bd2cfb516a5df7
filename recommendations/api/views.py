"""API views for recommendations, their timeline, sources and themes."""

from rest_framework import viewsets

from ..models import Recommendation, Source, StatusUpdate, Theme
from .serializers import RecommendationSerializer, SourceSerializer, StatusUpdateSerializer, ThemeSerializer


class RecommendationViewSet(viewsets.ReadOnlyModelViewSet):
    """Recommendations with their partners, themes and status."""

    queryset = Recommendation.objects.with_related().order_by("id")
    serializer_class = RecommendationSerializer
    lookup_field = "uuid"


class StatusUpdateViewSet(viewsets.ReadOnlyModelViewSet):
    """The timeline: status changes of recommendations."""

    queryset = StatusUpdate.objects.select_related("recommendation", "author").order_by("id")
    serializer_class = StatusUpdateSerializer
    lookup_field = "uuid"


class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Themes recommendations are grouped by."""

    queryset = Theme.objects.order_by("id")
    serializer_class = ThemeSerializer
    lookup_field = "uuid"


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    """Source documents recommendations come from."""

    queryset = Source.objects.order_by("id")
    serializer_class = SourceSerializer
    lookup_field = "uuid"
