"""The project's URLs plus the benchmark's baseline view."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

from .baseline import baseline_list

urlpatterns = [path("bench/baseline/recommendations/", baseline_list, name="bench-baseline"), *project_urlpatterns]
