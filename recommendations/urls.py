"""URLs of the recommendation pages: the list, a recommendation and its status form."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "recommendations"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="recommendations:list"), name="home"),
    path("recommendations/", views.recommendation_list, name="list"),
    path("recommendations/mine/", views.my_recommendations, name="mine"),
    path("recommendations/<uuid:uuid>/", views.recommendation_detail, name="detail"),
    path("recommendations/<uuid:uuid>/status/", views.recommendation_status, name="status"),
    path("recommendations/<uuid:uuid>/response/", views.recommendation_response, name="response"),
    path("recommendations/<uuid:uuid>/partner-status/", views.recommendation_partner_status, name="partner_status"),
    path("recommendations/<uuid:uuid>/evidence/", views.recommendation_evidence, name="evidence"),
    path("evidence/<uuid:uuid>/download/", views.evidence_download, name="evidence_download"),
    path("evidence/<uuid:uuid>/verify/", views.evidence_verify_view, name="evidence_verify"),
    path("recommendations/<uuid:uuid>/assessment/", views.recommendation_assessment, name="assessment"),
    path("saved-views/", views.saved_view_list, name="saved_views"),
    path("saved-views/new/", views.saved_view_create_view, name="saved_view_create"),
    path("saved-views/<uuid:uuid>/", views.saved_view_edit, name="saved_view_edit"),
]
