"""The shared versioned-model base: partners take its help texts (no database change)."""

import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='partner',
            name='uuid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, help_text='Stable id used by external tools.', unique=True, verbose_name='UUID'),
        ),
        migrations.AlterField(
            model_name='partner',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False, help_text='Increases by one on every change.', verbose_name='version'),
        ),
    ]
