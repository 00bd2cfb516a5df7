"""Status per partner: each recommendation-partner link becomes a versioned object with its own status, and
progress with one partner has timeline entries of its own."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


def give_links_uuids(apps, schema_editor):
    """Give every existing recommendation-partner link its own UUID."""
    RecommendationPartner = apps.get_model("recommendations", "RecommendationPartner")
    links = list(RecommendationPartner.objects.filter(uuid__isnull=True).only("pk"))
    for link in links:
        link.uuid = uuid.uuid4()
    RecommendationPartner.objects.bulk_update(links, ["uuid"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0005_partner_added_by_tracker'),
        ('recommendations', '0014_assessors_role'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PartnerStatusUpdate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='UUID')),
                ('from_status', models.CharField(blank=True, choices=[('proposed', 'Proposed'), ('under_review', 'Under review'), ('in_progress', 'In progress'), ('partially_implemented', 'Partially implemented'), ('implemented', 'Implemented'), ('stalled', 'Stalled'), ('not_adopted', 'Not adopted')], help_text='Blank for the first entry.', max_length=30, verbose_name='from status')),
                ('to_status', models.CharField(choices=[('proposed', 'Proposed'), ('under_review', 'Under review'), ('in_progress', 'In progress'), ('partially_implemented', 'Partially implemented'), ('implemented', 'Implemented'), ('stalled', 'Stalled'), ('not_adopted', 'Not adopted')], max_length=30, verbose_name='to status')),
                ('note', models.TextField(blank=True, max_length=5000, validators=[django.core.validators.MaxLengthValidator(5000)], verbose_name='note')),
                ('evidence_url', models.URLField(blank=True, max_length=500, verbose_name='evidence URL')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='recorded at')),
            ],
            options={
                'verbose_name': 'partner status update',
                'verbose_name_plural': 'partner status updates',
                'ordering': ['recommendation', 'created_at', 'id'],
                'get_latest_by': ['created_at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='recommendationpartner',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at'),
        ),
        migrations.AddField(
            model_name='recommendationpartner',
            name='status',
            field=models.CharField(blank=True, choices=[('proposed', 'Proposed'), ('under_review', 'Under review'), ('in_progress', 'In progress'), ('partially_implemented', 'Partially implemented'), ('implemented', 'Implemented'), ('stalled', 'Stalled'), ('not_adopted', 'Not adopted')], default='', help_text='Blank until progress with this partner is recorded; changed only by recording it.', max_length=30, verbose_name='status with this partner'),
        ),
        migrations.AddField(
            model_name='recommendationpartner',
            name='status_changed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='status changed at'),
        ),
        migrations.AddField(
            model_name='recommendationpartner',
            name='updated_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='updated at'),
        ),
        # Existing links get a UUID each before the column becomes unique (one default would be shared by all rows).
        migrations.AddField(
            model_name='recommendationpartner',
            name='uuid',
            field=models.UUIDField(editable=False, null=True, verbose_name='UUID'),
        ),
        migrations.RunPython(give_links_uuids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='recommendationpartner',
            name='uuid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, help_text='Stable id used by external tools.', unique=True, verbose_name='UUID'),
        ),
        migrations.AddField(
            model_name='recommendationpartner',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False, help_text='Increases by one on every change.', verbose_name='version'),
        ),
        migrations.AddConstraint(
            model_name='recommendationpartner',
            constraint=models.CheckConstraint(condition=models.Q(('version__gte', 1)), name='recommendationpartner_version_positive'),
        ),
        migrations.AddConstraint(
            model_name='recommendationpartner',
            constraint=models.CheckConstraint(condition=models.Q(('status', ''), ('status__in', ['proposed', 'under_review', 'in_progress', 'partially_implemented', 'implemented', 'stalled', 'not_adopted']), _connector='OR'), name='recpartner_status_valid'),
        ),
        migrations.AddField(
            model_name='partnerstatusupdate',
            name='author',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='partner_status_updates', to=settings.AUTH_USER_MODEL, verbose_name='author'),
        ),
        migrations.AddField(
            model_name='partnerstatusupdate',
            name='partner',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='status_updates', to='partners.partner', verbose_name='partner'),
        ),
        migrations.AddField(
            model_name='partnerstatusupdate',
            name='recommendation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='partner_status_updates', to='recommendations.recommendation', verbose_name='recommendation'),
        ),
        migrations.AddIndex(
            model_name='partnerstatusupdate',
            index=models.Index(fields=['recommendation', 'partner', 'created_at'], name='partnerstatus_rec_time_idx'),
        ),
        migrations.AddConstraint(
            model_name='partnerstatusupdate',
            constraint=models.CheckConstraint(condition=models.Q(('from_status', models.F('to_status')), _negated=True), name='partnerstatusupdate_changes'),
        ),
    ]
