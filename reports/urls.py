"""URLs of the managers' pages: the progress report, partners and sources."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/progress/", views.progress_report, name="progress"),
    path("reports/progress/export.csv", views.progress_report_csv, name="progress_csv"),
    path("reports/progress.pdf", views.progress_report_pdf, name="progress_pdf"),
    path("reports/partners/", views.partner_grid, name="partner_grid"),
    path("reports/partners/side-by-side/", views.partners_side_by_side_view, name="partners_side_by_side"),
    path("reports/compare/", views.status_compare, name="compare"),
    path("reports/compare/export.csv", views.status_compare_csv, name="compare_csv"),
    path("reports/compare.pdf", views.status_compare_pdf, name="compare_pdf"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/<slug:slug>/", views.partner_detail, name="partner_detail"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
]
