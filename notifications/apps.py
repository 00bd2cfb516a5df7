"""The notifications app: watches, notifications, e-mails and reminders (issue 15)."""

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Declares the periodic jobs: the fan-out of the change feed, the daily digests and the reminders."""

    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from core.jobs import register_periodic

        from . import tasks

        register_periodic(
            "notifications.fan_out",
            every=timedelta(seconds=settings.NOTIFICATIONS_FAN_OUT_SECONDS),
            task=tasks.fan_out,
            description=_("Notify the watchers of what changed."),
            has_work=tasks.has_new_events,
        )
        register_periodic(
            "notifications.digests",
            every=timedelta(hours=1),
            task=tasks.send_digests,
            description=_("E-mail the daily digests once the digest hour has come."),
        )
        register_periodic(
            "notifications.reminders",
            every=timedelta(hours=1),
            task=tasks.send_reminders,
            description=_("Remind leads and watchers of target and review dates."),
        )
