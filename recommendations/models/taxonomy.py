"""The documents recommendations come from, and the themes they are grouped by."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from core.translation import TranslatedManager
from partners.models import ALIASES_MAX, split_aliases

from ..choices import SourceKind

#: Longest description accepted.
DESCRIPTION_MAX = 10_000


class Source(VersionedModel):
    """A document recommendations come from: a commentary, report, strategy or review."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Used in URLs, filters and the API."))
    title = models.CharField(_("title"), max_length=300)
    short_title = models.CharField(_("short title"), max_length=80, blank=True, help_text=_("Used in tables."))
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices, default=SourceKind.REPORT)
    author = models.CharField(_("author"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    description = models.TextField(
        _("description"), blank=True, max_length=DESCRIPTION_MAX, validators=[MaxLengthValidator(DESCRIPTION_MAX)]
    )

    objects: TranslatedManager["Source"] = TranslatedManager()
    # The language columns django-modeltranslation adds (translation.py), declared for type checkers.
    title_ja: str | None
    title_en: str | None
    short_title_ja: str | None
    short_title_en: str | None
    description_ja: str | None
    description_en: str | None
    author_ja: str | None
    author_en: str | None
    publisher_ja: str | None
    publisher_en: str | None

    class Meta(VersionedModel.Meta):
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published_on", "title"]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(condition=~models.Q(slug=""), name="source_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.short_title or self.title


class Theme(VersionedModel):
    """A policy area recommendations are grouped by (alliance framework, cyber, maritime security, ...)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Used in URLs, filters and the API."))
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(
        _("description"), blank=True, max_length=DESCRIPTION_MAX, validators=[MaxLengthValidator(DESCRIPTION_MAX)]
    )
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        max_length=ALIASES_MAX,
        validators=[MaxLengthValidator(ALIASES_MAX)],
        help_text=_(
            "Words that mark a passage as being about the theme, in either language, one a line or separated by "
            "“;” (e.g. “cyber; cyberattack”). The proposer suggests the theme for passages that use them."
        ),
    )

    objects: TranslatedManager["Theme"] = TranslatedManager()
    # The language columns django-modeltranslation adds (translation.py), declared for type checkers.
    name_ja: str | None
    name_en: str | None
    description_ja: str | None
    description_en: str | None

    class Meta(VersionedModel.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(condition=~models.Q(slug=""), name="theme_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        """The keywords, one each (lines and “;” both separate them)."""
        return split_aliases(self.keywords)
