from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    """Recommendations, their sources and themes, their status timeline and the links between them."""

    name = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        from core.feed import register_feed_type

        from .api.serializers import RecommendationSerializer, SourceSerializer, StatusUpdateSerializer, ThemeSerializer
        from .models import Recommendation, Source, StatusUpdate, Theme

        register_feed_type(
            Recommendation,
            object_type="recommendation",
            label=_("Recommendation"),
            serializer=RecommendationSerializer,
            load=lambda recommendation: Recommendation.objects.for_representation().get(pk=recommendation.pk),
        )
        register_feed_type(
            StatusUpdate, object_type="status_update", label=_("Status update"), serializer=StatusUpdateSerializer
        )
        register_feed_type(Theme, object_type="theme", label=_("Theme"), serializer=ThemeSerializer)
        register_feed_type(Source, object_type="source", label=_("Source"), serializer=SourceSerializer)
