"""Who may record progress per partner: the policy team; managers and assessors read it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Policy team": ["view_partnerstatusupdate", "add_partnerstatusupdate"],
    "Managers": ["view_partnerstatusupdate", "view_recommendationpartner"],
    "Assessors": ["view_partnerstatusupdate", "view_recommendationpartner"],
}


def partner_status_permissions(apps, schema_editor):
    """Grant the role groups their per-partner status permissions (creating the permissions on a fresh database)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="recommendations", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0015_partner_statuses")]

    operations = [migrations.RunPython(partner_status_permissions, migrations.RunPython.noop)]
