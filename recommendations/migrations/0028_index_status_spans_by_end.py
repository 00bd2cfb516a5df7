"""Status spans found by the day they ended: the comparison of two dates reads each changed recommendation's status
before the change by a range of them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0027_status_spans"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="statusspan",
            index=models.Index(fields=["until", "start", "status", "recommendation"], name="statusspan_until_idx"),
        ),
    ]
