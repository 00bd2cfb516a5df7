"""Signing in and out, changing one's password and the interface language (Django's views, the site's templates),
under /accounts/."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .i18n import language_switch
from .signin import SignInView, ThrottledPasswordChangeView

urlpatterns = [
    path("language/", language_switch, name="language"),
    path(
        "login/",
        SignInView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        ThrottledPasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_changed.html"),
        name="password_change_done",
    ),
]
