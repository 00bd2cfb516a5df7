"""Evidence: a document or a link that shows a recommendation's progress, attached to the entry it supports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from core.translation import TranslatedManager

from .recommendation import Assessment, PartnerStatusUpdate, Recommendation, ResponseUpdate, StatusUpdate

#: The entries evidence may be attached to (at most one), by field name.
ATTACHMENT_FIELDS = ("status_update", "response_update", "partner_status_update", "assessment")
#: What evidence's representation and page show of other rows (for select_related).
EVIDENCE_RELATED = ("recommendation", "added_by", "verified_by", *ATTACHMENT_FIELDS)


def evidence_file_name(instance: Evidence, filename: str) -> str:
    """Where a file is stored: under the evidence's own id, with a name the service chose (never the client's)."""
    return f"evidence/{instance.recommendation.uuid}/{instance.uuid}/{filename}"


class Evidence(VersionedModel):
    """A document (an uploaded file) or a link that shows progress, with its date, who added and who verified it.

    It belongs to a recommendation and is attached to at most one of its entries: a status change, a response, a
    per-partner update or an assessment. Files are kept through Django's storage API and served only to those who may
    read the recommendation (``recommendations.views.evidence_download``), never from a public address.
    """

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("recommendation")
    )
    status_update = models.ForeignKey(
        StatusUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("status change"),
    )
    response_update = models.ForeignKey(
        ResponseUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("response entry"),
    )
    partner_status_update = models.ForeignKey(
        PartnerStatusUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("partner status update"),
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("assessment"),
    )
    title = models.CharField(_("title"), max_length=255, help_text=_("What the document or page is."))
    url = models.URLField(_("URL"), max_length=500, blank=True, help_text=_("A link, where the evidence is online."))
    file = models.FileField(_("file"), upload_to=evidence_file_name, max_length=300, blank=True)
    file_name = models.CharField(
        _("file name"), max_length=255, blank=True, help_text=_("The uploaded file's name, as it is downloaded.")
    )
    content_type = models.CharField(
        _("content type"), max_length=100, blank=True, help_text=_("Found from the file's content, not its name.")
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    evidence_date = models.DateField(_("date of the evidence"), null=True, blank=True)
    publishable = models.BooleanField(
        _("publishable"), default=False, help_text=_("May be shown outside the ministry; otherwise internal.")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence_added",
        verbose_name=_("added by"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence_verified",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    objects: TranslatedManager[Evidence] = TranslatedManager()
    # The language columns django-modeltranslation adds (translation.py), declared for type checkers.
    title_ja: str | None
    title_en: str | None

    class Meta(VersionedModel.Meta):
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["recommendation", "-evidence_date", "-created_at", "-id"]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=(models.Q(url="") & ~models.Q(file="")) | (~models.Q(url="") & models.Q(file="")),
                name="evidence_url_or_file",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status_update__isnull=True, response_update__isnull=True, partner_status_update__isnull=True
                    )
                    | models.Q(
                        response_update__isnull=True, partner_status_update__isnull=True, assessment__isnull=True
                    )
                    | models.Q(status_update__isnull=True, partner_status_update__isnull=True, assessment__isnull=True)
                    | models.Q(status_update__isnull=True, response_update__isnull=True, assessment__isnull=True)
                ),
                name="evidence_attached_to_one_entry_at_most",
            ),
        ]
        indexes = [models.Index(fields=["recommendation", "created_at"], name="evidence_rec_time_idx")]

    def __str__(self) -> str:
        return f"{self.recommendation.reference}: {self.title}"

    @property
    def is_file(self) -> bool:
        """Whether the evidence is an uploaded file (else a link)."""
        return bool(self.file)

    @property
    def attached_to(self) -> models.Model | None:
        """The entry the evidence supports, if any."""
        for name in ATTACHMENT_FIELDS:
            entry: models.Model | None = getattr(self, name)
            if entry is not None:
                return entry
        return None
