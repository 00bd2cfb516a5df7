"""URLs of the web list's downloads (they sit under the list's own address)."""

from django.urls import path

from . import views

app_name = "transfer"

urlpatterns = [
    path("recommendations/export.csv", views.export_csv, name="export_csv"),
    path("recommendations/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("recommendations/export-editable.<str:fmt>", views.export_editable, name="export_editable"),
]
