"""What people watch, what they are told, how they want to be e-mailed, and where the fan-out of the feed stands.

Written by the services in ``notifications.services`` and the jobs in ``notifications.tasks`` only. A notification
stores its kind and parameters, not sentences: it is worded in the reader's language when shown or e-mailed
(``notifications.texts``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import ChangeEvent
from partners.models import Partner
from recommendations.models import Recommendation, SavedView, Source

#: The targets a watch may name; exactly one is set.
WATCH_TARGETS = ("recommendation", "partner", "source", "saved_view")


def _exactly_one(fields: tuple[str, ...]) -> models.Q:
    """A condition that exactly one of ``fields`` is set."""
    condition = models.Q()
    for chosen in fields:
        one = models.Q(**{f"{chosen}__isnull": False})
        for other in fields:
            if other != chosen:
                one &= models.Q(**{f"{other}__isnull": True})
        condition |= one
    return condition


class Watch(models.Model):
    """A user follows a recommendation, a partner's, a source's or a saved view's recommendations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches", verbose_name=_("user")
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recommendation"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("partner")
    )
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("source")
    )
    saved_view = models.ForeignKey(
        SavedView, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("saved view")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        constraints = [
            models.CheckConstraint(condition=_exactly_one(WATCH_TARGETS), name="watch_exactly_one_target"),
            *[
                models.UniqueConstraint(
                    fields=["user", target],
                    condition=models.Q(**{f"{target}__isnull": False}),
                    name=f"watch_unique_user_{target}",
                )
                for target in WATCH_TARGETS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.target_type}"

    @property
    def target_type(self) -> str:
        """Which kind of object is watched."""
        return next(target for target in WATCH_TARGETS if getattr(self, f"{target}_id") is not None)


class EmailChoice(models.TextChoices):
    """When a user is e-mailed about their notifications."""

    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    OFF = "off", _("Never (only on the notifications page)")


class NotificationSettings(models.Model):
    """How a user wants to hear of their notifications (no row: e-mailed immediately)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings", verbose_name=_("user")
    )
    email = models.CharField(_("e-mail"), max_length=12, choices=EmailChoice.choices, default=EmailChoice.IMMEDIATELY)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email__in=EmailChoice.values), name="notificationsettings_email_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"


class FeedCursor(models.Model):
    """The one row saying up to which change-feed entry notifications have been made (claimed by conditional update)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(_("sequence number"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("feed cursor")
        verbose_name_plural = _("feed cursors")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="feedcursor_single_row")]

    def __str__(self) -> str:
        return str(self.seq)


class ReminderKind(models.TextChoices):
    """What a reminder is about."""

    TARGET_SOON = "target_soon", _("Target date soon")
    TARGET_PASSED = "target_passed", _("Target date passed")
    REVIEW_SOON = "review_soon", _("Review date soon")
    REVIEW_PASSED = "review_passed", _("Review date passed")


class ReminderSent(models.Model):
    """A reminder given: inserted before it is sent, so that it is never sent twice, whatever the number of workers."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="+", verbose_name=_("recommendation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    date = models.DateField(_("date"), help_text=_("The target or review date reminded of."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "user", "kind", "date"], name="remindersent_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class NotificationKind(models.TextChoices):
    """What a notification tells."""

    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    STATUS = "status", _("Status changed")
    DELETED = "deleted", _("Deleted")
    EVIDENCE = "evidence", _("Evidence added")
    ASSESSMENT = "assessment", _("Assessed")
    MILESTONE = "milestone", _("Plan changed")
    PARTNER_STATUS = "partner_status", _("Progress with a partner")
    TARGET_SOON = "target_soon", _("Target date soon")
    TARGET_PASSED = "target_passed", _("Target date passed")
    REVIEW_SOON = "review_soon", _("Review date soon")
    REVIEW_PASSED = "review_passed", _("Review date passed")


class Notification(models.Model):
    """Something a user is told: from a change-feed entry or a reminder, worded when read (``texts.py``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    event = models.ForeignKey(
        ChangeEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("change")
    )
    reminder = models.ForeignKey(
        ReminderSent, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("reminder")
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recommendation"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"], condition=models.Q(event__isnull=False), name="notification_once_per_event"
            ),
            models.UniqueConstraint(
                fields=["user", "reminder"],
                condition=models.Q(reminder__isnull=False),
                name="notification_once_per_reminder",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"], name="notification_inbox_idx"),
            models.Index(fields=["user", "emailed_at"], name="notification_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"
