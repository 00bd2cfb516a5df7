"""Recommendations, the partners they concern, their status timeline and the links between them."""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from core.translation import TranslatedManager, TranslatedQuerySet

from ..choices import (
    ATTENTION_STALE_DAYS,
    CLOSED_STATUSES,
    LinkType,
    PartnerRole,
    Priority,
    Rating,
    Response,
    Status,
    label,
)

#: Longest description or excerpt accepted (a long recommendation is a few thousand characters).
LONG_TEXT_MAX = 20_000
#: Longest note on a status change.
NOTE_MAX = 5_000


class RecommendationQuerySet(TranslatedQuerySet["Recommendation"]):
    """Queries over recommendations."""

    def with_related(self) -> "RecommendationQuerySet":
        """Load the source, partners (with roles) and themes that pages and exports show, in three queries."""
        return self.select_related("source", "lead", "agency").prefetch_related(
            models.Prefetch("partner_links", queryset=RecommendationPartner.objects.select_related("partner")),
            "themes",
        )

    def for_representation(self) -> "RecommendationQuerySet":
        """Everything the API representation shows: with_related() plus both directions of links (5 queries)."""
        return self.with_related().prefetch_related(
            models.Prefetch("links_out", queryset=RecommendationLink.objects.select_related("to_recommendation")),
            models.Prefetch("links_in", queryset=RecommendationLink.objects.select_related("from_recommendation")),
        )

    def open(self) -> "RecommendationQuerySet":
        """Recommendations whose work has not ended."""
        return self.exclude(status__in=CLOSED_STATUSES)

    def overdue(self, today: date | None = None) -> "RecommendationQuerySet":
        """Open recommendations whose target date has passed."""
        return self.open().filter(target_date__lt=today or timezone.localdate())

    def needs_attention(self, today: date | None = None) -> "RecommendationQuerySet":
        """Open recommendations that are overdue, stalled, or not updated for ``ATTENTION_STALE_DAYS`` days."""
        return self.alias(needs_attention=attention_expression(today)).filter(needs_attention=True)


def attention_expression(today: date | None = None) -> models.Case:
    """Whether a recommendation needs attention (open, and overdue, stalled or not updated for
    ``ATTENTION_STALE_DAYS`` days), as one expression over the row's own columns.

    A plain OR of the three made the database merge three index ranges (most of the rows, at 100,000: 150 ms for a
    count); one expression is checked along ``rec_attention_idx``, which holds all of its columns (7 ms).
    """
    today = today or timezone.localdate()
    stale_since = timezone.now() - timedelta(days=ATTENTION_STALE_DAYS)
    reasons = models.Q(target_date__lt=today) | models.Q(status=Status.STALLED) | models.Q(updated_at__lte=stale_since)
    return models.Case(
        models.When(status__in=CLOSED_STATUSES, then=models.Value(False)),
        models.When(reasons, then=models.Value(True)),
        default=models.Value(False),
        output_field=models.BooleanField(),
    )


class RecommendationManager(TranslatedManager.from_queryset(RecommendationQuerySet)):  # type: ignore[misc]
    """Recommendations, with the queries of RecommendationQuerySet (and translated fields' lookups)."""


#: The one default order of recommendations, stated once: the model's (so the API's and exports'), the web list's
#: (``recommendations.listing.DEFAULT_ORDERING``) and the admin's (``RecommendationAdmin.ordering``).
RECOMMENDATION_ORDERING = ("reference",)


class Recommendation(VersionedModel):
    """One concrete recommendation made by a source, with its partners, themes and implementation status."""

    reference = models.CharField(
        _("reference"), max_length=40, unique=True, help_text=_("Short human reference code, e.g. TOK23-07.")
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(
        _("description"),
        max_length=LONG_TEXT_MAX,
        validators=[MaxLengthValidator(LONG_TEXT_MAX)],
        help_text=_("The recommendation in full."),
    )
    source_excerpt = models.TextField(
        _("source excerpt"),
        blank=True,
        max_length=LONG_TEXT_MAX,
        validators=[MaxLengthValidator(LONG_TEXT_MAX)],
        help_text=_("The source's own words, verbatim, that the recommendation is from."),
    )
    source = models.ForeignKey(
        "recommendations.Source", on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("source")
    )
    section = models.CharField(_("section"), max_length=255, blank=True, help_text=_("Section heading in the source."))
    partners = models.ManyToManyField(
        "partners.Partner",
        through="recommendations.RecommendationPartner",
        related_name="recommendations",
        verbose_name=_("partners"),
    )
    themes = models.ManyToManyField(
        "recommendations.Theme", related_name="recommendations", blank=True, verbose_name=_("themes")
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=Status.choices,
        default=Status.PROPOSED,
        help_text=_("Changed only by recording a status change, which adds a timeline entry."),
    )
    response = models.CharField(
        _("response"),
        max_length=30,
        choices=Response.choices,
        default=Response.NO_RESPONSE,
        help_text=_("The addressee's response. Changed only by recording a response, which adds a response entry."),
    )
    response_date = models.DateField(
        _("response date"), null=True, blank=True, help_text=_("When the response was made.")
    )
    assessment = models.CharField(
        _("assessment"),
        max_length=20,
        choices=Rating.choices,
        blank=True,
        help_text=_("The latest independent assessment's rating; blank until one is recorded."),
    )
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    team = models.CharField(_("responsible team"), max_length=120, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_recommendations",
        verbose_name=_("responsible lead"),
        help_text=_("The person who answers for the recommendation's progress."),
    )
    agency = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_for",
        limit_choices_to={"kind": "agency"},
        verbose_name=_("responsible agency"),
        help_text=_("The ministry or agency responsible (a partner of kind domestic agency)."),
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    review_date = models.DateField(
        _("next review date"), null=True, blank=True, help_text=_("When progress is next to be reviewed.")
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now, editable=False)

    objects = RecommendationManager()
    # The language columns django-modeltranslation adds (translation.py), declared for type checkers.
    title_ja: str | None
    title_en: str | None
    description_ja: str | None
    description_en: str | None

    class Meta(VersionedModel.Meta):
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = list(RECOMMENDATION_ORDERING)
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(condition=~models.Q(reference=""), name="recommendation_reference_not_empty"),
            models.CheckConstraint(condition=~models.Q(title=""), name="recommendation_title_not_empty"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="recommendation_status_valid"),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="recommendation_priority_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="rec_status_idx"),
            models.Index(fields=["updated_at", "id"], name="rec_updated_idx"),
            models.Index(fields=["target_date"], name="rec_target_idx"),
            models.Index(fields=["source", "status"], name="rec_source_status_idx"),
            # Reports join partners, themes and timeline entries to their recommendation only for its status: this
            # index answers that lookup without reading the (wide) row.
            models.Index(fields=["id", "status"], name="rec_id_status_idx"),
            # The first recommendation's day (the date pickers' earliest), those added since a date (comparisons) and
            # the counts by response of those that existed at a date (the report as of a day), without the rows.
            models.Index(fields=["created_at", "id", "response"], name="rec_created_idx"),
            # What needs attention, checked without reading the (wide) row (``attention_expression``).
            models.Index(fields=["status", "target_date", "updated_at"], name="rec_attention_idx"),
        ]

    def get_absolute_url(self) -> str:
        """The recommendation's page (the admin's "View on site" button leads there)."""
        return reverse("recommendations:detail", args=[self.uuid])

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_closed(self) -> bool:
        """Whether the work on it has ended (implemented or not adopted)."""
        return self.status in CLOSED_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Whether its target date has passed while it is still open."""
        return bool(self.target_date and not self.is_closed and self.target_date < timezone.localdate())


class RecommendationPartner(VersionedModel):
    """The link between a recommendation and a partner it concerns: the partner's role and its own status there.

    A partner's status is blank until the policy team records progress with that partner (``PartnerStatusUpdate``);
    the recommendation's overall status is recorded apart, and the page shows what the partners' statuses add up to
    (``choices.partners_overall_status``) beside it.
    """

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="partner_links", verbose_name=_("recommendation")
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="recommendation_links", verbose_name=_("partner")
    )
    role = models.CharField(_("role"), max_length=20, choices=PartnerRole.choices, blank=True)
    status = models.CharField(
        _("status with this partner"),
        max_length=30,
        choices=Status.choices,
        blank=True,
        default="",
        help_text=_("Blank until progress with this partner is recorded; changed only by recording it."),
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True, editable=False)

    class Meta(VersionedModel.Meta):
        verbose_name = _("recommendation partner")
        verbose_name_plural = _("recommendation partners")
        ordering = ["recommendation", "partner__name"]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.UniqueConstraint(fields=["recommendation", "partner"], name="recpartner_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(status="") | models.Q(status__in=Status.values), name="recpartner_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["partner", "recommendation"], name="recpartner_partner_idx")]

    def __str__(self) -> str:
        role = label(PartnerRole, self.role) or gettext("involved")
        return gettext("%(name)s (%(role)s)") % {"name": self.partner, "role": role}


class Assessment(models.Model):
    """An independent assessment of a recommendation's progress, by someone other than those who report it."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("recommendation")
    )
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    rationale = models.TextField(
        _("rationale"), max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)], help_text=_("Why this rating.")
    )
    assessed_on = models.DateField(_("assessed on"))
    evidence_url = models.URLField(_("evidence URL"), max_length=500, blank=True)
    reported_status = models.CharField(
        _("reported status"),
        max_length=30,
        choices=Status.choices,
        help_text=_("The self-reported status when the assessment was recorded."),
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("assessor"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["recommendation", "created_at", "id"]
        get_latest_by = ["created_at", "id"]
        indexes = [models.Index(fields=["recommendation", "created_at"], name="assessment_rec_time_idx")]

    def __str__(self) -> str:
        return f"{self.recommendation.reference}: {self.get_rating_display()}"


class PartnerStatusUpdate(models.Model):
    """A timeline entry of progress with one partner: its status there changed, with a note and evidence."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="partner_status_updates",
        verbose_name=_("recommendation"),
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="status_updates", verbose_name=_("partner")
    )
    from_status = models.CharField(
        _("from status"), max_length=30, choices=Status.choices, blank=True, help_text=_("Blank for the first entry.")
    )
    to_status = models.CharField(_("to status"), max_length=30, choices=Status.choices)
    note = models.TextField(_("note"), blank=True, max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)])
    evidence_url = models.URLField(_("evidence URL"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_status_updates",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("partner status update")
        verbose_name_plural = _("partner status updates")
        ordering = ["recommendation", "created_at", "id"]
        get_latest_by = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_status=models.F("to_status")), name="partnerstatusupdate_changes"
            ),
        ]
        indexes = [
            models.Index(fields=["recommendation", "partner", "created_at"], name="partnerstatus_rec_time_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.recommendation.reference} · {self.partner}: "
            f"{label(Status, self.from_status) or '—'} → {label(Status, self.to_status)}"
        )


class ResponseUpdate(models.Model):
    """A response entry: the addressee's response to a recommendation as recorded, with its date, note and evidence."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="response_updates", verbose_name=_("recommendation")
    )
    from_response = models.CharField(_("from response"), max_length=30, choices=Response.choices)
    to_response = models.CharField(_("to response"), max_length=30, choices=Response.choices)
    responded_on = models.DateField(
        _("response date"), null=True, blank=True, help_text=_("When the response was made.")
    )
    note = models.TextField(_("note"), blank=True, max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)])
    evidence_url = models.URLField(_("evidence URL"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response_updates",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("response update")
        verbose_name_plural = _("response updates")
        ordering = ["recommendation", "created_at", "id"]
        get_latest_by = ["created_at", "id"]
        indexes = [models.Index(fields=["recommendation", "created_at"], name="responseupdate_rec_time_idx")]

    def __str__(self) -> str:
        before, after = label(Response, self.from_response), label(Response, self.to_response)
        return f"{self.recommendation.reference}: {before} → {after}"


class StatusUpdate(models.Model):
    """A timeline entry: one status change of a recommendation, with its note and evidence."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="status_updates", verbose_name=_("recommendation")
    )
    from_status = models.CharField(
        _("from status"), max_length=30, choices=Status.choices, blank=True, help_text=_("Blank for the first entry.")
    )
    to_status = models.CharField(_("to status"), max_length=30, choices=Status.choices)
    note = models.TextField(_("note"), blank=True, max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)])
    evidence_url = models.URLField(_("evidence URL"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="status_updates",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["recommendation", "created_at", "id"]
        get_latest_by = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_status=models.F("to_status")), name="statusupdate_changes"),
        ]
        indexes = [
            models.Index(fields=["recommendation", "created_at"], name="statusupdate_rec_time_idx"),
            # Progress over time counts entries by month and status from this index alone (it replaces one on
            # created_at only, of which it is an extension).
            models.Index(
                fields=["created_at", "to_status", "from_status", "recommendation"], name="statusupdate_history_idx"
            ),
        ]

    def __str__(self) -> str:
        before, after = label(Status, self.from_status) or "—", label(Status, self.to_status)
        return f"{self.recommendation.reference}: {before} → {after}"


class RecommendationLink(models.Model):
    """A typed, directed link between two recommendations (A supersedes B, A depends on B, ...)."""

    from_recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("from")
    )
    to_recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="links_in", verbose_name=_("to")
    )
    link_type = models.CharField(_("link type"), max_length=20, choices=LinkType.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendation_links",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("recommendation link")
        verbose_name_plural = _("recommendation links")
        ordering = ["from_recommendation", "link_type", "to_recommendation"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_recommendation", "to_recommendation", "link_type"], name="reclink_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_recommendation=models.F("to_recommendation")), name="reclink_not_self"
            ),
        ]

    def __str__(self) -> str:
        return pgettext("recommendation link", "%(from)s %(link)s %(to)s") % {
            "from": self.from_recommendation.reference,
            "link": self.get_link_type_display(),
            "to": self.to_recommendation.reference,
        }
