"""The e-mails of notifications: one message for a batch, in its reader's language, as plain text and HTML."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import UserPreferences
from core.translation import value_in

from .models import Notification
from .texts import notification_text


def user_language(user: AbstractBaseUser) -> str:
    """The language a user reads: their preference, else the site's default."""
    chosen = UserPreferences.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return str(chosen or settings.LANGUAGE_CODE)


def absolute(path: str) -> str:
    """A link to a page of the tracker, for an e-mail."""
    return str(settings.SITE_URL).rstrip("/") + path


def send_notifications_email(user: AbstractBaseUser, notifications: Sequence[Notification], *, digest: bool) -> bool:
    """E-mail ``notifications`` to ``user`` in one message; False if they have no address."""
    address = getattr(user, "email", "")
    if not address or not notifications:
        return False
    with translation.override(user_language(user)):
        items: list[dict[str, Any]] = []
        for notification in notifications:
            rec = notification.recommendation
            items.append(
                {
                    "text": notification_text(notification),
                    "title": value_in(rec, "title")[0] if rec is not None else "",
                    "url": absolute(reverse("recommendations:detail", args=[rec.uuid])) if rec is not None else "",
                    "created_at": notification.created_at,
                }
            )
        count = len(items)
        if digest:
            subject = ngettext(
                "Recommendation tracker: your daily digest (%(count)d notification)",
                "Recommendation tracker: your daily digest (%(count)d notifications)",
                count,
            ) % {"count": count}
        elif count == 1:
            subject = _("Recommendation tracker: %(text)s") % {"text": items[0]["text"]}
        else:
            subject = ngettext(
                "Recommendation tracker: %(count)d new notification",
                "Recommendation tracker: %(count)d new notifications",
                count,
            ) % {"count": count}
        context = {
            "items": items,
            "digest": digest,
            "user": user,
            "list_url": absolute(reverse("notifications:list")),
            "settings_url": absolute(reverse("notifications:settings")),
        }
        text = render_to_string("notifications/email/notifications.txt", context)
        html = render_to_string("notifications/email/notifications.html", context)
    message = EmailMultiAlternatives(subject=subject[:200], body=text, to=[address])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
