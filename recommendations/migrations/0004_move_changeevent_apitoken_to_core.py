"""The change feed and API tokens now belong to the core app (core.0001_initial): forget them here, state only.

Their tables stay where they are, under their old names, with every row.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0003_indexes_for_reports"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="ChangeEvent"),
                migrations.DeleteModel(name="ApiToken"),
            ],
        ),
    ]
