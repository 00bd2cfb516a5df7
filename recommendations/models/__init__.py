"""Models of the recommendations app, split by concern."""

from .milestone import Milestone
from .recommendation import (
    Assessment,
    Recommendation,
    RecommendationLink,
    RecommendationPartner,
    ResponseUpdate,
    StatusUpdate,
)
from .taxonomy import Source, Theme

__all__ = [
    "Assessment",
    "Milestone",
    "Recommendation",
    "RecommendationLink",
    "RecommendationPartner",
    "ResponseUpdate",
    "Source",
    "StatusUpdate",
    "Theme",
]
