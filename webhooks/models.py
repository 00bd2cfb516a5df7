"""Webhook endpoints (where the change feed is POSTed, and how far it got) and the log of their deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recommendations.models import SavedView


class WebhookEndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    """Endpoints selected by what the delivery job needs."""

    def due(self, now: datetime) -> WebhookEndpointQuerySet:
        """Active, not paused, past their backoff and not being worked on (whether events wait is not checked)."""
        return self.filter(
            models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now),
            models.Q(leased_until__isnull=True) | models.Q(leased_until__lt=now),
            is_active=True,
            paused_at__isnull=True,
        )


class WebhookEndpoint(models.Model):
    """A URL that receives the change feed's events as signed POSTs, in ``seq`` order, from ``cursor`` on.

    Written by ``webhooks.services`` only; the delivery job claims one endpoint at a time through ``leased_until``.
    """

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, help_text=_("What the endpoint is, for administrators."))
    url = models.URLField(
        _("URL"), max_length=1000, help_text=_("http or https, on a public address; no user name or password in it.")
    )
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    object_types = models.JSONField(
        _("object types"), default=list, blank=True, help_text=_("Only events about these object types; none: all.")
    )
    actions = models.JSONField(_("actions"), default=list, blank=True, help_text=_("Only these actions; none: all."))
    saved_view = models.ForeignKey(
        SavedView,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("saved view"),
        help_text=_(
            "Only events about recommendations that match this view's filters when the event is delivered "
            "(deletions of recommendations are always sent); events about other object types are not sent."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Off: nothing is sent."))
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    pause_reason = models.CharField(_("pause reason"), max_length=300, blank=True)
    cursor = models.BigIntegerField(
        _("cursor"), default=0, help_text=_("The last change-feed seq delivered or skipped; the next event follows it.")
    )
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    leased_until = models.DateTimeField(_("worked on until"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(cursor__gte=0), name="webhookendpoint_cursor_not_negative"),
            models.CheckConstraint(
                condition=models.Q(paused_at__isnull=True) | ~models.Q(pause_reason=""),
                name="webhookendpoint_paused_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def state(self) -> str:
        """Active, paused or off, for administrators."""
        if not self.is_active:
            return str(_("off"))
        if self.paused_at is not None:
            return str(_("paused"))
        return str(_("active"))


class WebhookDelivery(models.Model):
    """One POST of one event to one endpoint: when, what came back, how long it took."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    seq = models.BigIntegerField(_("event seq"))
    event = models.CharField(_("event"), max_length=50, help_text=_("object_type.action"))
    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    attempt = models.PositiveIntegerField(_("attempt"), default=1)
    requested_at = models.DateTimeField(_("requested at"))
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    redelivery = models.BooleanField(_("redelivery"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["endpoint", "seq"], name="webhookdelivery_endpoint_seq")]
        constraints = [
            models.CheckConstraint(condition=models.Q(attempt__gte=1), name="webhookdelivery_attempt_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} #{self.seq} ({self.status_code or self.error[:30] or '-'})"

    @property
    def succeeded(self) -> bool:
        """Whether the receiver answered 2xx."""
        return self.status_code is not None and 200 <= self.status_code < 300
