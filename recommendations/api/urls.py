from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("status-updates", views.StatusUpdateViewSet, basename="statusupdate")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("sources", views.SourceViewSet, basename="source")

urlpatterns = [
    *router.urls,
    path("changes/", views.ChangeFeedView.as_view(), name="changes"),
    path("reports/progress/", views.ProgressReportView.as_view(), name="progress-report"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
