"""Each recommendation's status spans (from which day to which it stood at which status), kept with the tallies so
that a comparison of two dates reads index ranges; laid out for the recommendations that exist already (the write
path keeps them from now on)."""

import django.db.models.deletion
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def lay_out(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from recommendations.tallies import rebuild

    rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0026_tally_status_standing_by_day"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatusSpan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(max_length=30, verbose_name="status")),
                (
                    "start",
                    models.DateField(help_text="The first day that ended at this status.", verbose_name="first day"),
                ),
                (
                    "until",
                    models.DateField(
                        blank=True,
                        help_text="The first day that ended at another status; blank: none yet.",
                        null=True,
                        verbose_name="until",
                    ),
                ),
                (
                    "recommendation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_spans",
                        to="recommendations.recommendation",
                        verbose_name="recommendation",
                    ),
                ),
            ],
            options={
                "verbose_name": "status span",
                "verbose_name_plural": "status spans",
                "indexes": [
                    models.Index(fields=["start", "until", "status", "recommendation"], name="statusspan_start_idx"),
                    models.Index(fields=["recommendation", "start", "until", "status"], name="statusspan_rec_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("recommendation", "start"), name="statusspan_recommendation_start_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("until__isnull", True), ("until__gt", models.F("start")), _connector="OR"),
                        name="statusspan_until_after_start",
                    ),
                ],
            },
        ),
        migrations.RunPython(lay_out, migrations.RunPython.noop),
    ]
