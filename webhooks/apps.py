from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Webhooks: the change feed POSTed to external endpoints, signed, in order, at least once."""

    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from core.jobs import register_periodic

        from .tasks import deliver_webhooks, has_work

        register_periodic(
            "webhooks-deliver",
            every=timedelta(seconds=float(settings.WEBHOOKS_INTERVAL_SECONDS)),
            task=deliver_webhooks,
            description=_("Send the change feed's new events to the webhook endpoints that are due."),
            has_work=has_work,
        )
