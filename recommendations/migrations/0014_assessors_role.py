"""The Assessors role: people who judge progress independently of those who report it.

Assessors read everything the managers read and record assessments; they change nothing else. The policy team and
managers read assessments.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ASSESSORS = "Assessors"
READ = [
    ("partners", "partner"),
    ("recommendations", "recommendation"),
    ("recommendations", "source"),
    ("recommendations", "theme"),
    ("recommendations", "statusupdate"),
    ("recommendations", "responseupdate"),
    ("recommendations", "milestone"),
    ("recommendations", "assessment"),
    ("core", "changeevent"),
]


def create_assessors(apps, schema_editor):
    """Create the Assessors group with its permissions, and let the other roles read assessments."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permission(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    assessors, _created = Group.objects.get_or_create(name=ASSESSORS)
    assessors.permissions.add(*[permission(app, f"view_{model}") for app, model in READ])
    assessors.permissions.add(permission("recommendations", "add_assessment"))
    for name in ("Policy team", "Managers"):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(permission("recommendations", "view_assessment"))


def remove_assessors(apps, schema_editor):
    """Remove the Assessors group."""
    apps.get_model("auth", "Group").objects.filter(name=ASSESSORS).delete()


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0013_independent_assessment"), ("core", "0003_user_preferences")]

    operations = [migrations.RunPython(create_assessors, remove_assessors)]
