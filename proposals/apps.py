from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    """Proposing a new source's recommendations from its text, and the overlaps with what is already tracked."""

    name = "proposals"
    verbose_name = _("Proposals")
