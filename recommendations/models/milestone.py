"""Milestones: dated planned steps of a recommendation, done when they have a done date."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from core.translation import TranslatedManager

from .recommendation import Recommendation


class Milestone(VersionedModel):
    """A planned step of a recommendation's implementation: what, due when, done when, and the evidence."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("recommendation")
    )
    title = models.CharField(_("title"), max_length=255)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_on = models.DateField(
        _("done on"), null=True, blank=True, help_text=_("Empty while the step is not done; its date once it is.")
    )
    evidence_url = models.URLField(_("evidence URL"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Order among the milestones."))

    objects: TranslatedManager[Milestone] = TranslatedManager()
    # The language columns django-modeltranslation adds (translation.py), declared for type checkers.
    title_ja: str | None
    title_en: str | None

    class Meta(VersionedModel.Meta):
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["recommendation", "position", "due_date", "id"]
        constraints = [*VersionedModel.Meta.constraints]
        indexes = [models.Index(fields=["recommendation", "position"], name="milestone_rec_position_idx")]

    def __str__(self) -> str:
        return f"{self.recommendation.reference}: {self.title}"

    @property
    def is_done(self) -> bool:
        """Whether the step is done (it has a done date)."""
        return self.done_on is not None
