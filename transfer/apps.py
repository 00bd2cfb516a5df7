from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    """Moving data in and out: imports (run by a worker, ImportRun), exports, bundles, backup and restore."""

    name = "transfer"
    verbose_name = _("Import and export")
