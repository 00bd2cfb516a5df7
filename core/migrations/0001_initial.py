"""The change feed and API tokens move here from the recommendations app, with their tables as they are.

State only: the tables ``recommendations_changeevent`` and ``recommendations_apitoken`` keep their names (the models
say so with ``db_table``) and their rows. The content types move too, so the groups' permissions (``view_changeevent``
and the others) and the admin's log entries follow the models to their new app.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import core.feed

MOVED = ["changeevent", "apitoken"]


def move_content_types(apps, schema_editor, *, source="recommendations", target="core"):
    """Re-label the moved models' content types; if the target exists already (a database that ran post_migrate
    between the two), its permissions take over the old ones' grants and the old content type goes."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.filter(content_type=old):
            replacement, _ = Permission.objects.get_or_create(
                content_type=new, codename=permission.codename, defaults={"name": permission.name}
            )
            for group in permission.group_set.all():
                group.permissions.add(replacement)
            for user in permission.user_set.all():
                user.user_permissions.add(replacement)
        old.delete()


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="core", target="recommendations")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("recommendations", "0003_indexes_for_reports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ChangeEvent",
                    fields=[
                        ("seq", models.BigAutoField(primary_key=True, serialize=False, verbose_name="sequence number")),
                        (
                            "action",
                            models.CharField(
                                choices=[("created", "Created"), ("updated", "Updated"), ("deleted", "Deleted")],
                                max_length=10,
                                verbose_name="action",
                            ),
                        ),
                        (
                            "object_type",
                            models.CharField(
                                choices=core.feed.object_type_choices, max_length=30, verbose_name="object type"
                            ),
                        ),
                        ("object_id", models.UUIDField(verbose_name="object id")),
                        (
                            "object_repr",
                            models.CharField(
                                help_text="How the object read at the time.", max_length=300, verbose_name="object"
                            ),
                        ),
                        (
                            "data",
                            models.JSONField(
                                help_text="The object's API representation after the change (before, for a deletion).",
                                verbose_name="representation",
                            ),
                        ),
                        (
                            "changes",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text="For updates: {field: [old, new]}.",
                                verbose_name="changed fields",
                            ),
                        ),
                        (
                            "actor_name",
                            models.CharField(
                                blank=True, help_text="Kept if the user goes.", max_length=150, verbose_name="actor name"
                            ),
                        ),
                        ("request_id", models.CharField(blank=True, max_length=64, verbose_name="request id")),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, editable=False, verbose_name="time"
                            ),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="change_events",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="actor",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "change event",
                        "verbose_name_plural": "change events",
                        "db_table": "recommendations_changeevent",
                        "ordering": ["seq"],
                        "indexes": [
                            models.Index(fields=["object_type", "object_id", "seq"], name="changeevent_object_idx"),
                            models.Index(fields=["created_at"], name="changeevent_time_idx"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "name",
                            models.CharField(
                                help_text="What the token is for, e.g. “ministry tracker”.",
                                max_length=100,
                                verbose_name="name",
                            ),
                        ),
                        (
                            "prefix",
                            models.CharField(
                                editable=False,
                                help_text="Public part that identifies the token.",
                                max_length=16,
                                unique=True,
                                verbose_name="prefix",
                            ),
                        ),
                        ("key_hash", models.CharField(editable=False, max_length=128, verbose_name="key hash")),
                        (
                            "can_write",
                            models.BooleanField(
                                default=False, help_text="Off: the token can only read.", verbose_name="can write"
                            ),
                        ),
                        (
                            "expires_at",
                            models.DateTimeField(
                                blank=True, help_text="Empty: never expires.", null=True, verbose_name="expires at"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, editable=False, verbose_name="created at"
                            ),
                        ),
                        (
                            "last_used_at",
                            models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last used at"),
                        ),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked at")),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_tokens",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API token",
                        "verbose_name_plural": "API tokens",
                        "db_table": "recommendations_apitoken",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
