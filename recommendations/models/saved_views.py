"""Saved views: named filters of the recommendation list or the progress report, personal or shared with a role."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.translation import TranslatedManager

from ..choices import SavedViewPage, SharedWith


class SavedView(models.Model):
    """A named filter (the list's or the report's URL parameters) that its owner, or a role, opens in one click.

    A view without an owner is the tracker's own (shipped, like "Needs attention") and must be shared. Written by the
    services in ``recommendations.services.saved_views``; what a filter means is the ``RecommendationFilterSet``'s.
    """

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(
        _("key"), max_length=60, unique=True, null=True, blank=True, help_text=_("Set for the tracker's own views.")
    )
    name = models.CharField(_("name"), max_length=120)
    page = models.CharField(_("page"), max_length=10, choices=SavedViewPage.choices, default=SavedViewPage.LIST)
    query = models.CharField(
        _("filters"), max_length=2000, blank=True, help_text=_("The page's URL parameters, e.g. status=stalled.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    shared_with = models.CharField(
        _("shared with"), max_length=20, choices=SharedWith.choices, default=SharedWith.NOBODY, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects: TranslatedManager[SavedView] = TranslatedManager()
    # The language columns django-modeltranslation adds (translation.py), declared for type checkers.
    name_ja: str | None
    name_en: str | None

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(shared_with=""),
                name="savedview_owned_or_shared",
            ),
        ]

    def __str__(self) -> str:
        return self.name
