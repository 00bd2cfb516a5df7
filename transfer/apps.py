from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    """Moving data in and out: imports, exports, bundles, backup and restore. No models."""

    name = "transfer"
    verbose_name = _("Import and export")
