"""Models of the recommendations app, split by concern."""

from .changes import ChangeEvent
from .recommendation import Recommendation, RecommendationLink, RecommendationPartner, StatusUpdate
from .taxonomy import Source, Theme
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "ChangeEvent",
    "Recommendation",
    "RecommendationLink",
    "RecommendationPartner",
    "Source",
    "StatusUpdate",
    "Theme",
]
