"""Every evidence URL recorded so far becomes an evidence record attached to its entry (the entries keep their URL),
and the roles get their evidence permissions: the policy team and assessors add and verify evidence, managers read it.
"""

import uuid

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Policy team": ["view_evidence", "add_evidence", "change_evidence"],
    "Assessors": ["view_evidence", "add_evidence", "change_evidence"],
    "Managers": ["view_evidence"],
}
#: (model, the evidence's field naming it, the entry's author field).
ENTRIES = [
    ("StatusUpdate", "status_update", "author_id"),
    ("ResponseUpdate", "response_update", "author_id"),
    ("PartnerStatusUpdate", "partner_status_update", "author_id"),
    ("Assessment", "assessment", "assessor_id"),
]


def evidence_from_urls(apps, schema_editor):
    """One link evidence per entry with an evidence URL, dated and added as the entry was."""
    Evidence = apps.get_model("recommendations", "Evidence")
    records = []
    for model_name, field, author in ENTRIES:
        model = apps.get_model("recommendations", model_name)
        for entry in model.objects.exclude(evidence_url="").iterator():
            records.append(
                Evidence(
                    uuid=uuid.uuid4(),
                    recommendation_id=entry.recommendation_id,
                    **{f"{field}_id": entry.pk},
                    title=entry.evidence_url[:255],
                    title_en=entry.evidence_url[:255],
                    url=entry.evidence_url,
                    evidence_date=entry.created_at.date(),
                    added_by_id=getattr(entry, author),
                    created_at=entry.created_at,
                    updated_at=entry.created_at,
                )
            )
    Evidence.objects.bulk_create(records, batch_size=500)


def evidence_permissions(apps, schema_editor):
    """Grant the role groups their evidence permissions (creating the permissions on a fresh database)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="recommendations", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0017_evidence_documents")]

    operations = [
        migrations.RunPython(evidence_from_urls, migrations.RunPython.noop),
        migrations.RunPython(evidence_permissions, migrations.RunPython.noop),
    ]
