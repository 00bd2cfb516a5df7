from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    """What sort of actor a partner is."""

    COUNTRY = "country", _("Country")
    FRAMEWORK = "framework", _("Multilateral framework")
    ORGANISATION = "organisation", _("International organisation")
    REGION = "region", _("Region")
    AGENCY = "agency", _("Domestic agency")
