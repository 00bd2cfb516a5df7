"""The partner fields people read in either language (django-modeltranslation; see core.translation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Partner


@register(Partner)
class PartnerTranslationOptions(TranslationOptions):
    """A partner's name, short name and description, in Japanese and English."""

    fields = ("name", "short_name", "description")
    # Names are unique in each language: a missing one is NULL, so that any number of partners may lack it.
    empty_values = {"name": None, "short_name": "", "description": ""}
