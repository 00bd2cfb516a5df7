"""The shared versioned-model base (help texts), and the description's and excerpt's length limit on the model.

The limit was the API's and the admin's; stated on the model it is everyone's. A text column's length is no
database matter, so that change is made to the state only (SQLite would otherwise rebuild the table).
"""

import django.core.validators
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('recommendations', '0004_move_changeevent_apitoken_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='recommendation',
                    name='description',
                    field=models.TextField(help_text='The recommendation in full.', max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='description'),
                ),
                migrations.AlterField(
                    model_name='recommendation',
                    name='source_excerpt',
                    field=models.TextField(blank=True, help_text="The source's own words, verbatim, that the recommendation is from.", max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='source excerpt'),
                ),
            ],
        ),
        migrations.AlterField(
            model_name='source',
            name='uuid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, help_text='Stable id used by external tools.', unique=True, verbose_name='UUID'),
        ),
        migrations.AlterField(
            model_name='source',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False, help_text='Increases by one on every change.', verbose_name='version'),
        ),
        migrations.AlterField(
            model_name='theme',
            name='uuid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, help_text='Stable id used by external tools.', unique=True, verbose_name='UUID'),
        ),
        migrations.AlterField(
            model_name='theme',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False, help_text='Increases by one on every change.', verbose_name='version'),
        ),
    ]
