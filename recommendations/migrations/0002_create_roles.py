"""Create the two roles as groups: the policy team edits content and records status changes, managers only read."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

POLICY_TEAM = "Policy team"
MANAGERS = "Managers"

# (app_label, model) -> actions; the policy team never deletes recommendations, sources, themes or partners.
POLICY_TEAM_PERMISSIONS = {
    ("partners", "partner"): ["view", "add", "change"],
    ("recommendations", "recommendation"): ["view", "add", "change"],
    ("recommendations", "recommendationpartner"): ["view", "add", "change", "delete"],
    ("recommendations", "recommendationlink"): ["view", "add", "change", "delete"],
    ("recommendations", "statusupdate"): ["view", "add"],
    ("recommendations", "source"): ["view", "add", "change"],
    ("recommendations", "theme"): ["view", "add", "change"],
    ("recommendations", "changeevent"): ["view"],
}
MANAGER_PERMISSIONS = {key: ["view"] for key in POLICY_TEAM_PERMISSIONS}


def create_roles(apps, schema_editor):
    """Create both groups with their permissions (creating the permissions first on a fresh database)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in [(POLICY_TEAM, POLICY_TEAM_PERMISSIONS), (MANAGERS, MANAGER_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        for (app_label, model), actions in grants.items():
            codenames = [f"{action}_{model}" for action in actions]
            permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            if permissions.count() != len(codenames):
                raise RuntimeError(f"Missing permissions for {app_label}.{model}: {codenames}")
            group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    """Remove both groups."""
    apps.get_model("auth", "Group").objects.filter(name__in=[POLICY_TEAM, MANAGERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partners", "0001_initial"),
        ("recommendations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
