"""Models of the recommendations app, split by concern."""

from .milestone import Milestone
from .recommendation import (
    Assessment,
    PartnerStatusUpdate,
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
    "PartnerStatusUpdate",
    "Recommendation",
    "RecommendationLink",
    "RecommendationPartner",
    "ResponseUpdate",
    "Source",
    "StatusUpdate",
    "Theme",
]
