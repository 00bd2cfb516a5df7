"""Django's admin app, with the tracker's admin site (its own module: ``core.apps`` holds the core app's config)."""

from django.contrib.admin.apps import AdminConfig


class TrackerAdminConfig(AdminConfig):
    """Django's admin app, whose site is the tracker's (``core.sites.TrackerAdminSite``)."""

    default_site = "core.sites.TrackerAdminSite"
