"""Write services of the recommendations app, split by concern: every write of its objects takes one of these.

- ``recommendations``: create, change (fields, partners, themes, status) and delete recommendations;
- ``status``: the status rules and the timeline entry that records a change;
- ``response``: the response rules (how response and status constrain each other) and the response entry;
- ``links``: links between recommendations;
- ``taxonomy``: sources and themes;
- ``milestones``: the planned steps of a recommendation;
- ``partner_status``: progress with each partner of a recommendation;
- ``assessment``: independent assessments;
- ``evidence``: evidence as documents (links and uploaded files);
- ``saved_views``: named filters of the list and the report.
"""

from .assessment import recommendation_assess
from .evidence import ALLOWED_TYPES, evidence_add, evidence_verify
from .links import recommendation_link_create, recommendation_link_delete, validate_recommendation_link
from .milestones import milestone_create, milestone_delete, milestone_progress, milestone_update
from .partner_status import recommendation_partner_record_status
from .recommendations import (
    RECOMMENDATION_FIELDS,
    BulkStatusResult,
    PartnerAssignment,
    RecommendationChange,
    recommendation_bulk_change_status,
    recommendation_change_status,
    recommendation_create,
    recommendation_delete,
    recommendation_record_response,
    recommendation_update,
    validate_partners,
)
from .saved_views import saved_view_create, saved_view_delete, saved_view_update
from .status import validate_status_transition
from .taxonomy import source_create, source_delete, source_update, theme_create, theme_delete, theme_update

__all__ = [
    "ALLOWED_TYPES",
    "evidence_add",
    "evidence_verify",
    "recommendation_assess",
    "milestone_create",
    "milestone_delete",
    "milestone_progress",
    "milestone_update",
    "RECOMMENDATION_FIELDS",
    "BulkStatusResult",
    "PartnerAssignment",
    "RecommendationChange",
    "recommendation_bulk_change_status",
    "recommendation_change_status",
    "recommendation_create",
    "recommendation_delete",
    "recommendation_link_create",
    "recommendation_link_delete",
    "recommendation_partner_record_status",
    "recommendation_record_response",
    "recommendation_update",
    "saved_view_create",
    "saved_view_delete",
    "saved_view_update",
    "source_create",
    "source_delete",
    "source_update",
    "theme_create",
    "theme_delete",
    "theme_update",
    "validate_partners",
    "validate_recommendation_link",
    "validate_status_transition",
]
