"""The progress report's counts, kept up to date by the write path (``recommendations.tallies``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import TallyKind


class Tally(models.Model):
    """One kept count: how many recommendations have one combination (kind, key, status), e.g. partner 12 at
    "in progress"; for the ``day`` kind the net change of a status's count on one day."""

    kind = models.CharField(_("kind"), max_length=10, choices=TallyKind.choices)
    key = models.CharField(
        _("key"), max_length=80, blank=True, help_text=_("The partner's or theme's id, a date, or response|rating.")
    )
    status = models.CharField(_("status"), max_length=30, blank=True)
    n = models.IntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("report tally")
        verbose_name_plural = _("report tallies")
        constraints = [models.UniqueConstraint(fields=["kind", "key", "status"], name="tally_kind_key_status_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.status}: {self.n}"


class TallyMarks(models.Model):
    """What one recommendation adds to the tallies, as last counted: subtracted when it changes or goes.

    Keyed by the recommendation's UUID, not a foreign key, so that the marks outlive a deletion until subtracted.
    """

    recommendation_uuid = models.UUIDField(_("recommendation"), unique=True)
    marks = models.JSONField(_("marks"), default=list, help_text=_("[kind, key, status, n] rows."))

    class Meta:
        verbose_name = _("recommendation's tally marks")
        verbose_name_plural = _("recommendations' tally marks")

    def __str__(self) -> str:
        return str(self.recommendation_uuid)
