from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """The countries, frameworks, organisations, regions and agencies that recommendations concern."""

    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from core.feed import register_dependents, register_feed_type

        from .api.serializers import PartnerSerializer
        from .models import Partner

        register_feed_type(Partner, object_type="partner", label=_("Partner"), serializer=PartnerSerializer)
        # A framework's representation lists its members' slugs and names.
        register_dependents(Partner, fields={"slug", "name"}, find=lambda partner: partner.memberships.all())
