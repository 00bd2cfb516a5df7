"""An import confirmed in the admin and applied by a worker: what was uploaded, and how far it has come."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportRunStatus(models.TextChoices):
    """Where an import run stands."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


#: The statuses of a run that is not over yet.
ACTIVE_STATUSES = (ImportRunStatus.QUEUED, ImportRunStatus.RUNNING)


class ImportRun(models.Model):
    """One confirmed import: the uploaded bytes (so that a worker on any host can read them), the plan's signature the
    user confirmed, and its progress and outcome. Written only by ``transfer.services``."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_runs", verbose_name=_("user")
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file content"))
    signature = models.CharField(_("plan signature"), max_length=64)
    create_missing = models.BooleanField(_("create missing sources, partners and themes"), default=False)
    language = models.CharField(_("language"), max_length=10, help_text=_("The language its messages are written in."))
    status = models.CharField(
        _("status"), max_length=10, choices=ImportRunStatus.choices, default=ImportRunStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows to apply"), default=0)
    rows_applied = models.PositiveIntegerField(_("rows applied"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    summary = models.TextField(_("result"), blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportRunStatus.values), name="importrun_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(rows_applied__lte=models.F("total_rows")), name="importrun_applied_within_total"
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="importrun_user_recent_idx")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        """Whether the run is queued or running."""
        return self.status in ACTIVE_STATUSES
