from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """The countries, frameworks, organisations, regions and agencies that recommendations concern."""

    name = "partners"
    verbose_name = _("Partners")
