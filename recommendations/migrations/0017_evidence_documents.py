"""Evidence as documents: a record per document or link, attached to the entry it supports."""

import django.db.models.deletion
import django.utils.timezone
import recommendations.models.evidence
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('recommendations', '0016_partner_status_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Evidence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, help_text='Stable id used by external tools.', unique=True, verbose_name='UUID')),
                ('version', models.PositiveIntegerField(default=1, editable=False, help_text='Increases by one on every change.', verbose_name='version')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                ('title', models.CharField(help_text='What the document or page is.', max_length=255, verbose_name='title')),
                ('title_ja', models.CharField(help_text='What the document or page is.', max_length=255, null=True, verbose_name='title')),
                ('title_en', models.CharField(help_text='What the document or page is.', max_length=255, null=True, verbose_name='title')),
                ('url', models.URLField(blank=True, help_text='A link, where the evidence is online.', max_length=500, verbose_name='URL')),
                ('file', models.FileField(blank=True, max_length=300, upload_to=recommendations.models.evidence.evidence_file_name, verbose_name='file')),
                ('file_name', models.CharField(blank=True, help_text="The uploaded file's name, as it is downloaded.", max_length=255, verbose_name='file name')),
                ('content_type', models.CharField(blank=True, help_text="Found from the file's content, not its name.", max_length=100, verbose_name='content type')),
                ('size', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size in bytes')),
                ('evidence_date', models.DateField(blank=True, null=True, verbose_name='date of the evidence')),
                ('publishable', models.BooleanField(default=False, help_text='May be shown outside the ministry; otherwise internal.', verbose_name='publishable')),
                ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='verified at')),
                ('added_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='evidence_added', to=settings.AUTH_USER_MODEL, verbose_name='added by')),
                ('assessment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='recommendations.assessment', verbose_name='assessment')),
                ('partner_status_update', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='recommendations.partnerstatusupdate', verbose_name='partner status update')),
                ('recommendation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='recommendations.recommendation', verbose_name='recommendation')),
                ('response_update', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='recommendations.responseupdate', verbose_name='response entry')),
                ('status_update', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='recommendations.statusupdate', verbose_name='status change')),
                ('verified_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='evidence_verified', to=settings.AUTH_USER_MODEL, verbose_name='verified by')),
            ],
            options={
                'verbose_name': 'evidence',
                'verbose_name_plural': 'evidence',
                'ordering': ['recommendation', '-evidence_date', '-created_at', '-id'],
                'abstract': False,
                'indexes': [models.Index(fields=['recommendation', 'created_at'], name='evidence_rec_time_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('version__gte', 1)), name='evidence_version_positive'), models.CheckConstraint(condition=models.Q(models.Q(('url', ''), models.Q(('file', ''), _negated=True)), models.Q(models.Q(('url', ''), _negated=True), ('file', '')), _connector='OR'), name='evidence_url_or_file'), models.CheckConstraint(condition=models.Q(models.Q(('partner_status_update__isnull', True), ('response_update__isnull', True), ('status_update__isnull', True)), models.Q(('assessment__isnull', True), ('partner_status_update__isnull', True), ('response_update__isnull', True)), models.Q(('assessment__isnull', True), ('partner_status_update__isnull', True), ('status_update__isnull', True)), models.Q(('assessment__isnull', True), ('response_update__isnull', True), ('status_update__isnull', True)), _connector='OR'), name='evidence_attached_to_one_entry_at_most')],
            },
        ),
    ]
