from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    """Moving data in and out: imports (run by a worker, ImportRun), exports, bundles, backup and restore."""

    name = "transfer"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from core.jobs import register_periodic

        from .tasks import has_interrupted_runs, import_runs_recover

        register_periodic(
            "import-runs-recover",
            every=timedelta(minutes=5),
            task=import_runs_recover,
            description=_("Queues again the imports whose worker stopped (nothing of them was written)."),
            has_work=has_interrupted_runs,
        )
