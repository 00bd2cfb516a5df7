"""URL configuration: the admin, the versioned API and the web pages."""

from django.contrib import admin
from django.urls import include, path

from config.views import healthz
from partners.api import urls as partners_api
from recommendations import urls as recommendations_web
from recommendations.api import urls as recommendations_api

api_v1 = ([*recommendations_api.urlpatterns, *partners_api.urlpatterns], "api")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("accounts/", include(recommendations_web.account_urlpatterns)),
    path("", include("partners.urls")),
    path("", include("recommendations.urls")),
]
