"""Partners: the countries, frameworks, organisations, regions and agencies that recommendations concern."""

import re

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from core.translation import TranslatedManager

from .choices import PartnerKind

#: Longest description accepted.
DESCRIPTION_MAX = 10_000
#: Longest list of aliases (or of a theme's keywords) accepted.
ALIASES_MAX = 2_000


def split_aliases(text: str) -> list[str]:
    """Aliases or keywords written one a line or separated by “;” (or “；”), trimmed, without empty ones."""
    return [item.strip() for item in re.split(r"[;；\n]", text or "") if item.strip()]


class Partner(VersionedModel):
    """A country, framework, international organisation, region or agency that recommendations concern."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(
        _("short name"), max_length=60, blank=True, help_text=_("Used in tables and charts, e.g. “ROK”.")
    )
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("Stable identifier used in URLs, filters and the API.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices, db_index=True)
    added_by_tracker = models.BooleanField(
        _("added by the tracker"),
        default=False,
        help_text=_("Not named by the source: added where its recommendations imply it (a responsible agency)."),
    )
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="memberships",
        blank=True,
        verbose_name=_("members"),
        help_text=_("For a framework or organisation: the partners that belong to it (the Quad's members)."),
    )
    description = models.TextField(
        _("description"), blank=True, max_length=DESCRIPTION_MAX, validators=[MaxLengthValidator(DESCRIPTION_MAX)]
    )
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        max_length=ALIASES_MAX,
        validators=[MaxLengthValidator(ALIASES_MAX)],
        help_text=_(
            "Other names a text may use for the partner, in either language, one a line or separated by “;” "
            "(e.g. “ROK; Seoul”). The proposer and the list's search find the partner by them."
        ),
    )

    objects: TranslatedManager["Partner"] = TranslatedManager()
    # The language columns django-modeltranslation adds (translation.py), declared for type checkers.
    name_ja: str | None
    name_en: str | None
    short_name_ja: str | None
    short_name_en: str | None
    description_ja: str | None
    description_en: str | None

    class Meta(VersionedModel.Meta):
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(condition=~models.Q(slug=""), name="partner_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        """The aliases, one each (lines and “;” both separate them)."""
        return split_aliases(self.aliases)

    @property
    def label(self) -> str:
        """The short name where there is one, else the name."""
        return self.short_name or self.name
