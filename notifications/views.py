"""Pages of notifications: the list (unread first), marking as read, the e-mail settings, watching and unwatching."""

from __future__ import annotations

import uuid as uuid_module

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.views import page
from partners.models import Partner
from recommendations.models import Recommendation, SavedView, Source

from .forms import MarkReadForm, NotificationSettingsForm, WatchForm
from .models import Notification
from .services import (
    email_choice,
    notification_mark_read,
    notification_settings_update,
    notifications_mark_all_read,
    watch_create,
    watch_delete,
)
from .texts import notification_text

#: Notifications per page.
PAGE_SIZE = 25


@page(None)
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, unread first, newest first, paginated."""
    notifications = (
        Notification.objects.filter(user_id=request.user.pk or 0)
        .select_related("recommendation")
        .order_by(F("read_at").desc(nulls_first=True), "-created_at", "-id")
    )
    page_ = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(notification, notification_text(notification)) for notification in page_.object_list]
    return render(request, "notifications/notification_list.html", {"page": page_, "items": items})


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (this site only), else ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(target)
    return redirect(fallback)


@page(None, methods=("POST",))
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification, or all, as read."""
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()) or _("Nothing to mark."))
        return _notification_list_with_status(request, 400)
    if form.cleaned_data.get("all"):
        count = notifications_mark_all_read(user=request.user)
        messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    else:
        try:
            notification_mark_read(user=request.user, notification_id=form.cleaned_data["notification"])
        except ValidationError:
            raise Http404(_("No such notification.")) from None
    return _back(request, reverse("notifications:list"))


def _notification_list_with_status(request: HttpRequest, status: int) -> HttpResponse:
    response = notification_list(request)
    response.status_code = status
    return response


@page(None, methods=("GET", "POST"))
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Choose when to be e-mailed about notifications."""
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            notification_settings_update(user=request.user, email=form.cleaned_data["email"])
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:settings")
        return render(request, "notifications/settings.html", {"form": form}, status=400)
    form = NotificationSettingsForm(initial={"email": email_choice(request.user)})
    return render(request, "notifications/settings.html", {"form": form})


def _target(kind: str, key: str) -> Recommendation | Partner | Source | SavedView:
    """The object a watch form names; 404 if there is none."""
    model: type[Model]
    found: Recommendation | Partner | Source | SavedView | None
    if kind in {"recommendation", "saved_view"}:
        try:
            key = str(uuid_module.UUID(key))
        except ValueError:
            raise Http404 from None
        model = Recommendation if kind == "recommendation" else SavedView
        found = model._default_manager.filter(uuid=key).first()
    else:
        model = Partner if kind == "partner" else Source
        found = model._default_manager.filter(slug=key).first() if "\x00" not in key else None
    if found is None:
        raise Http404
    return found


@page(None, methods=("POST",))
def watch(request: HttpRequest) -> HttpResponse:
    """Watch or stop watching a recommendation, a partner, a source or a saved view; back to its page."""
    form = WatchForm(request.POST)
    if not form.is_valid():
        return render(request, "notifications/watch_error.html", {"form": form}, status=400)
    target = _target(form.cleaned_data["target_type"], form.cleaned_data["target"])
    if form.cleaned_data["action"] == "watch":
        watch_create(user=request.user, target=target)  # PermissionDenied: a 403
        messages.success(request, _("You are watching it: changes will be in your notifications."))
    else:
        watch_delete(user=request.user, target=target)
        messages.success(request, _("You no longer watch it."))
    return _back(request, reverse("notifications:list"))
