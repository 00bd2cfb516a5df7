from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports: the progress report, partners and sources pages, their exports and the report API. No models."""

    name = "reports"
    verbose_name = _("Reports")
