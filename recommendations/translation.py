"""The recommendation, source and theme fields people read in either language (django-modeltranslation; see
core.translation). The source's verbatim excerpt and section heading stay in the source's own language."""

from modeltranslation.translator import TranslationOptions, register

from .models import Evidence, Milestone, Recommendation, SavedView, Source, Theme


@register(Recommendation)
class RecommendationTranslationOptions(TranslationOptions):
    """A recommendation's title and description, in Japanese and English."""

    fields = ("title", "description")
    empty_values = ""


@register(Milestone)
class MilestoneTranslationOptions(TranslationOptions):
    """A milestone's title, in Japanese and English."""

    fields = ("title",)
    empty_values = ""


@register(Evidence)
class EvidenceTranslationOptions(TranslationOptions):
    """An evidence's title, in Japanese and English."""

    fields = ("title",)
    empty_values = ""


@register(Source)
class SourceTranslationOptions(TranslationOptions):
    """A source's title, short title, description, author and publisher, in Japanese and English."""

    fields = ("title", "short_title", "description", "author", "publisher")
    empty_values = ""


@register(Theme)
class ThemeTranslationOptions(TranslationOptions):
    """A theme's name and description, in Japanese and English."""

    fields = ("name", "description")
    # Names are unique in each language: a missing one is NULL, so that any number of themes may lack it.
    empty_values = {"name": None, "description": ""}


@register(SavedView)
class SavedViewTranslationOptions(TranslationOptions):
    """A saved view's name, in Japanese and English."""

    fields = ("name",)
    empty_values = ""
