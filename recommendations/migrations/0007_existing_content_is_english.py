"""The recommendations, sources and themes written before content was bilingual are English: their values become
the English columns, and the Japanese ones start empty."""

from django.db import migrations
from django.db.models import F

#: model: {field: the empty value of its Japanese column}
FIELDS = {
    "Recommendation": {"title": "", "description": ""},
    "Source": {"title": "", "short_title": "", "description": "", "author": "", "publisher": ""},
    "Theme": {"name": None, "description": ""},
}


def to_english(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("recommendations", model_name)
        model.objects.update(**{f"{field}_en": F(field) for field in fields})
        model.objects.update(**{f"{field}_ja": empty for field, empty in fields.items() if empty is not None})
    # A theme's name is unique in each language: a blank English value is no name (NULL), as the Japanese is.
    apps.get_model("recommendations", "Theme").objects.filter(name_en="").update(name_en=None)


def back(apps, schema_editor):
    """Undone by dropping the columns (the previous migration): nothing to do here."""


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0006_bilingual_fields")]

    operations = [migrations.RunPython(to_english, back)]
