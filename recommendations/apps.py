from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    """Recommendations, their sources and themes, their status timeline and the change feed."""

    name = "recommendations"
    verbose_name = _("Recommendations")
