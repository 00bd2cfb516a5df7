"""The API's shared endpoints: its index, the change feed, the OpenAPI schema and its viewer (signed-in only)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from drf_spectacular.plumbing import set_query_parameters
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from .feed import ChangeFeedView
from .index import ApiIndexView
from .me import MeView


class SwaggerView(SpectacularSwaggerSplitView):
    """The schema viewer, loading the schema in the page's language (``?lang=``, else the request's language)."""

    title = gettext_lazy("Policy recommendation tracker API")  # type: ignore[assignment]  # drf-spectacular: str

    def _get_schema_url(self, request: Request) -> str:
        url: str = super()._get_schema_url(request)  # type: ignore[no-untyped-call]  # drf-spectacular's, untyped
        if request.GET.get("lang") in dict(settings.LANGUAGES):
            return url  # drf-spectacular passed it on
        return set_query_parameters(url, lang=get_language())


urlpatterns = [
    path("", ApiIndexView.as_view(), name="index"),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"),
    # The viewer loads its script from the same address (?script), so the content security policy needs no inline
    # script; people are sent to sign in first. It loads the schema in the page's language (?lang=ja).
    path(
        "docs/",
        login_required(SwaggerView.as_view(url_name="api:schema", permission_classes=[IsAuthenticated])),
        name="docs",
    ),
]
