from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared machinery: versioned models, the change feed, API tokens, roles, the API's and the admin's base."""

    name = "core"
    verbose_name = _("Change feed and access")
