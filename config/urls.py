"""URL configuration: the admin, the versioned API, the accounts and the web pages of every app."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from config.views import healthz
from core import urls as accounts
from core.api import urls as core_api
from partners.api import urls as partners_api
from recommendations.api import urls as recommendations_api
from reports.api import urls as reports_api

api_v1 = (
    [*core_api.urlpatterns, *recommendations_api.urlpatterns, *partners_api.urlpatterns, *reports_api.urlpatterns],
    "api",
)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The change feed's and the tokens' admin pages moved with their models to the core app: old bookmarks follow.
    re_path(
        r"^admin/recommendations/(?P<model>changeevent|apitoken)/(?P<rest>.*)$",
        RedirectView.as_view(
            url="/admin/core/%(model)s/%(rest)s", query_string=True, http_method_names=["get", "head"]
        ),
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("accounts/", include(accounts)),
    path("", include("recommendations.urls")),
    path("", include("transfer.urls")),
    path("", include("proposals.urls")),
    path("", include("reports.urls")),
    path("", include("notifications.urls")),
]
