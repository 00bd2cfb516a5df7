"""API route of the progress report."""

from django.urls import path

from .views import ProgressReportView

urlpatterns = [path("reports/progress/", ProgressReportView.as_view(), name="progress-report")]
