"""An index on when recommendations were created: the date pickers' earliest day, those added since a date."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0024_count_report_tallies")]

    operations = [
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(fields=["created_at", "id"], name="rec_created_idx"),
        ),
    ]
