"""The partners written before content was bilingual are English: their values become the English columns."""

from django.db import migrations
from django.db.models import F

FIELDS = {"name": None, "short_name": "", "description": ""}  # field: the empty value of its Japanese column


def to_english(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    Partner.objects.update(**{f"{field}_en": F(field) for field in FIELDS})
    Partner.objects.update(**{f"{field}_ja": empty for field, empty in FIELDS.items() if empty is not None})
    # A name is unique in each language: a blank English value is no name (NULL), as the Japanese is.
    Partner.objects.filter(name_en="").update(name_en=None)


def back(apps, schema_editor):
    """Undone by dropping the columns (the previous migration): nothing to do here."""


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_bilingual_fields")]

    operations = [migrations.RunPython(to_english, back)]
