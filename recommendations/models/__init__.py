"""Models of the recommendations app, split by concern."""

from .milestone import Milestone
from .recommendation import Recommendation, RecommendationLink, RecommendationPartner, ResponseUpdate, StatusUpdate
from .taxonomy import Source, Theme

__all__ = [
    "Milestone",
    "Recommendation",
    "RecommendationLink",
    "RecommendationPartner",
    "ResponseUpdate",
    "Source",
    "StatusUpdate",
    "Theme",
]
