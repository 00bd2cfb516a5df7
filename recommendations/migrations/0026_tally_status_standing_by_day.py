"""The ``standing`` tallies (each recommendation's status at the end of each day, by day it changed): a new kind of
tally, counted for the recommendations that exist already (the write path keeps them from now on)."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def count(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from recommendations.tallies import rebuild

    rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0025_index_recommendations_by_creation")]

    operations = [
        migrations.AlterField(
            model_name="tally",
            name="kind",
            field=models.CharField(
                choices=[
                    ("overall", "Status, response and assessment"),
                    ("due", "Open, by target date"),
                    ("idle", "Open, by day of the last update"),
                    ("partner", "Partner and status there"),
                    ("theme", "Theme and status"),
                    ("day", "Status changes by day"),
                    ("standing", "Status held at the end of a day, by day it changed"),
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
