"""URLs of the proposer's pages: the likely duplicates across sources."""

from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("recommendations/duplicates/", views.duplicate_list, name="duplicates"),
]
