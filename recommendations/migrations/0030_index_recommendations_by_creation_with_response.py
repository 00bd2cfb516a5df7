"""The index of recommendations by creation also holds their response, so that the report as of a past day counts
those that existed then by response without reading their (wide) rows."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0007_bundle_partner_aliases"),
        ("recommendations", "0029_index_recommendations_needing_attention"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="recommendation",
            name="rec_created_idx",
        ),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(fields=["created_at", "id", "response"], name="rec_created_idx"),
        ),
    ]
