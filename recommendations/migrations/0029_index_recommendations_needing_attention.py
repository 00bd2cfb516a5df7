"""An index holding every column of "needs attention" (status, target date, last update), so that the filter is
checked along it rather than by merging three index ranges over most rows."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0007_bundle_partner_aliases"),
        ("recommendations", "0028_index_status_spans_by_end"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(fields=["status", "target_date", "updated_at"], name="rec_attention_idx"),
        ),
    ]
