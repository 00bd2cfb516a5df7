"""Existing data under the response rule: a "not adopted" recommendation was rejected; and who may record responses.

Every recommendation whose status is "not adopted" gets the response "rejected", dated when it became not adopted,
with a response entry saying so (its author, time and note are those of the status change that made it not adopted:
no history is lost, and none is invented). The policy team may record responses; managers read them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

POLICY_TEAM = "Policy team"
MANAGERS = "Managers"
NOTE = "Recorded when responses were introduced: the status was “Not adopted”."


def rejected_responses(apps, schema_editor):
    """Give each not-adopted recommendation the response "rejected", with its entry."""
    Recommendation = apps.get_model("recommendations", "Recommendation")
    StatusUpdate = apps.get_model("recommendations", "StatusUpdate")
    ResponseUpdate = apps.get_model("recommendations", "ResponseUpdate")
    for recommendation in Recommendation.objects.filter(status="not_adopted").iterator():
        change = (
            StatusUpdate.objects.filter(recommendation=recommendation, to_status="not_adopted")
            .order_by("-created_at", "-id")
            .first()
        )
        when = change.created_at if change else recommendation.status_changed_at
        ResponseUpdate.objects.create(
            recommendation=recommendation,
            from_response="no_response",
            to_response="rejected",
            responded_on=when.date(),
            note=(change.note if change and change.note else NOTE),
            evidence_url=change.evidence_url if change else "",
            author_id=change.author_id if change else None,
            created_at=when,
        )
        Recommendation.objects.filter(pk=recommendation.pk).update(response="rejected", response_date=when.date())


def forget_responses(apps, schema_editor):
    """Going back: the response fields and entries go with the previous migration; nothing to undo here."""


def response_permissions(apps, schema_editor):
    """The policy team records responses (it never deletes them); managers read them."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in [(POLICY_TEAM, ["view", "add"]), (MANAGERS, ["view"])]:
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        codenames = [f"{action}_responseupdate" for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="recommendations", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0008_recommendation_response"),
    ]

    operations = [
        migrations.RunPython(rejected_responses, forget_responses),
        migrations.RunPython(response_permissions, migrations.RunPython.noop),
    ]
