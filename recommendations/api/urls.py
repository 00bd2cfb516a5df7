"""API routes of recommendations, their timeline, themes and sources."""

from rest_framework.routers import DefaultRouter

from core.limits import accepts_uploads

from ..evidence import evidence_body_limit
from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("status-updates", views.StatusUpdateViewSet, basename="statusupdate")
router.register("response-updates", views.ResponseUpdateViewSet, basename="responseupdate")
router.register("partner-statuses", views.PartnerStatusViewSet, basename="partnerstatus")
router.register("partner-status-updates", views.PartnerStatusUpdateViewSet, basename="partnerstatusupdate")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("sources", views.SourceViewSet, basename="source")

urlpatterns = router.urls
# Evidence files are uploaded to the evidence list: it accepts bodies up to the evidence size limit (core.limits).
for pattern in urlpatterns:
    if getattr(pattern, "name", None) == "evidence-list" and pattern.callback is not None:
        accepts_uploads(evidence_body_limit())(pattern.callback)
