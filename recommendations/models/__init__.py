"""Models of the recommendations app, split by concern."""

from .recommendation import Recommendation, RecommendationLink, RecommendationPartner, ResponseUpdate, StatusUpdate
from .taxonomy import Source, Theme

__all__ = [
    "Recommendation",
    "RecommendationLink",
    "RecommendationPartner",
    "ResponseUpdate",
    "Source",
    "StatusUpdate",
    "Theme",
]
