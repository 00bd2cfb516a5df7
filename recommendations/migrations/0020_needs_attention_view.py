"""Ship the shared saved view "Needs attention": open recommendations that are overdue, stalled or stale."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def add_view(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    saved_view = apps.get_model("recommendations", "SavedView")
    saved_view.objects.update_or_create(
        slug="needs-attention",
        defaults={
            "name": "Needs attention",
            "name_en": "Needs attention",
            "name_ja": "要対応",
            "page": "list",
            "query": "attention=true",
            "shared_with": "everyone",
            "owner": None,
        },
    )


def remove_view(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("recommendations", "SavedView").objects.filter(slug="needs-attention").delete()


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0019_saved_views")]

    operations = [migrations.RunPython(add_view, remove_view)]
