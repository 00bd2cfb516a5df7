"""API routes of recommendations, their timeline, themes and sources."""

from rest_framework.routers import DefaultRouter

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
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("sources", views.SourceViewSet, basename="source")

urlpatterns = router.urls
