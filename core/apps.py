from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared machinery: versioned models, the change feed, API tokens, roles, the API's and the admin's base."""

    name = "core"
    verbose_name = _("Change feed and access")

    def ready(self) -> None:
        from .jobs import register_periodic
        from .tasks import prune_finished_jobs

        register_periodic(
            "prune-finished-jobs",
            every=timedelta(hours=6),
            task=prune_finished_jobs,
            description=_("Deletes finished jobs older than JOBS_KEEP_DAYS."),
        )
