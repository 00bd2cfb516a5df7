"""The API's shared endpoints: its index, the change feed, the OpenAPI schema and its viewer (signed-in only)."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from .feed import ChangeFeedView
from .index import ApiIndexView
from .me import MeView

urlpatterns = [
    path("", ApiIndexView.as_view(), name="index"),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"),
    # The viewer loads its script from the same address (?script), so the content security policy needs no inline
    # script; people are sent to sign in first.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[IsAuthenticated])
        ),
        name="docs",
    ),
]
