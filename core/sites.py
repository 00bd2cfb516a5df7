"""The admin site: Django's, with the site's name and the throttled sign-in and password-change forms."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from .signin import AdminSignInForm, SignInView, ThrottledAdminPasswordChangeForm


class TrackerAdminSite(admin.AdminSite):
    """The admin (``admin.site``): sign-ins and password changes back off and trust browsers as the pages do."""

    site_header = gettext_lazy("Recommendation tracker")
    site_title = gettext_lazy("Recommendation tracker")
    index_title = gettext_lazy("Content and status")
    login_form = AdminSignInForm

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Django's admin sign-in (``AdminSite.login``), through the throttled sign-in view."""
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        view = SignInView.as_view(
            extra_context=context,
            authentication_form=AdminSignInForm,
            template_name=self.login_template or "admin/login.html",
        )
        return cast(HttpResponse, view(request))  # the page or a redirect

    def password_change(  # type: ignore[override]  # Django's own returns its view's answer, a redirect included
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        """Django's admin password change, counting failed checks of the old password."""
        from .signin import ThrottledPasswordChangeView

        request.current_app = self.name
        view = ThrottledPasswordChangeView.as_view(
            form_class=ThrottledAdminPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
            **({"template_name": self.password_change_template} if self.password_change_template else {}),
        )
        return view(request)
