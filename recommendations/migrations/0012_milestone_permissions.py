"""Who may plan milestones: the policy team adds, changes and deletes them; managers read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"Policy team": ["view", "add", "change", "delete"], "Managers": ["view"]}


def milestone_permissions(apps, schema_editor):
    """Grant the role groups their milestone permissions (creating the permissions first on a fresh database)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            codenames = [f"{action}_milestone" for action in actions]
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="recommendations", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0011_milestones")]

    operations = [migrations.RunPython(milestone_permissions, migrations.RunPython.noop)]
