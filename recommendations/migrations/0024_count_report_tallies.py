"""Count the report's tallies of the recommendations that exist already (the write path keeps them from now on)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def count(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from recommendations.tallies import rebuild

    rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0023_report_tallies")]

    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
