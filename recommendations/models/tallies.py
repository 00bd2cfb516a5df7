"""The progress report's counts, kept up to date by the write path (``recommendations.tallies``)."""

from __future__ import annotations

from datetime import date

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


class StatusSpanQuerySet(models.QuerySet["StatusSpan"]):
    """Kept status spans."""

    def running_on(self, day: date) -> StatusSpanQuerySet:
        """The spans running at the end of ``day``: one per recommendation that existed then, at its status then."""
        return self.filter(models.Q(until__gt=day) | models.Q(until__isnull=True), start__lte=day)


class StatusSpan(models.Model):
    """A run of days at the end of each of which one recommendation stood at one status, as the as-of views rebuild it
    from its timeline: the ``standing`` tally marks laid end to end, kept with them (``recommendations.tallies``).

    A comparison of two dates reads these instead of rebuilding every status: the recommendations whose span at the
    second date began after the first are the only ones that can stand differently at the two.
    """

    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.CASCADE,
        related_name="status_spans",
        verbose_name=_("recommendation"),
    )
    status = models.CharField(_("status"), max_length=30)
    start = models.DateField(_("first day"), help_text=_("The first day that ended at this status."))
    until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("The first day that ended at another status; blank: none yet.")
    )

    objects = StatusSpanQuerySet.as_manager()

    class Meta:
        verbose_name = _("status span")
        verbose_name_plural = _("status spans")
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "start"], name="statusspan_recommendation_start_unique"),
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gt=models.F("start")),
                name="statusspan_until_after_start",
            ),
        ]
        indexes = [
            # The spans that began in a period (and the status each held), read by range without the table.
            models.Index(fields=["start", "until", "status", "recommendation"], name="statusspan_start_idx"),
            # One recommendation's span at a date: its spans by start, with what the comparison reads.
            models.Index(fields=["recommendation", "start", "until", "status"], name="statusspan_rec_idx"),
            # The spans that ended in a period (each recommendation's status before it changed), read by range.
            models.Index(fields=["until", "start", "status", "recommendation"], name="statusspan_until_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} {self.status} {self.start}–{self.until or ''}"
