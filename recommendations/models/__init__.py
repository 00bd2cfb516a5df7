"""Models of the recommendations app, split by concern."""

from .evidence import ATTACHMENT_FIELDS, EVIDENCE_RELATED, Evidence
from .milestone import Milestone
from .recommendation import (
    RECOMMENDATION_ORDERING,
    Assessment,
    PartnerStatusUpdate,
    Recommendation,
    RecommendationLink,
    RecommendationPartner,
    ResponseUpdate,
    StatusUpdate,
)
from .saved_views import SavedView
from .tallies import StatusSpan, Tally, TallyMarks
from .taxonomy import Source, Theme

__all__ = [
    "ATTACHMENT_FIELDS",
    "EVIDENCE_RELATED",
    "Assessment",
    "Evidence",
    "Milestone",
    "PartnerStatusUpdate",
    "RECOMMENDATION_ORDERING",
    "Recommendation",
    "RecommendationLink",
    "RecommendationPartner",
    "ResponseUpdate",
    "SavedView",
    "Source",
    "StatusSpan",
    "StatusUpdate",
    "Tally",
    "TallyMarks",
    "Theme",
]
