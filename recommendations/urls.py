"""URLs of the web pages: the recommendation list and pages, exports, the progress report and sources."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "recommendations"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="recommendations:list"), name="home"),
    path("recommendations/", views.recommendation_list, name="list"),
    path("recommendations/export.csv", views.export_csv, name="export_csv"),
    path("recommendations/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("recommendations/<uuid:uuid>/", views.recommendation_detail, name="detail"),
    path("recommendations/<uuid:uuid>/status/", views.recommendation_status, name="status"),
    path("reports/progress/", views.progress_report, name="report"),
    path("reports/progress/export.csv", views.progress_report_csv, name="report_csv"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
]

#: Signing in and out and changing one's password (Django's views, the site's templates), under /accounts/.
account_urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_changed.html"),
        name="password_change_done",
    ),
]
