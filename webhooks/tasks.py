"""The webhooks' background jobs: a periodic sweep that finds the endpoints with events to send, and one delivery
job per endpoint (ADR 0007)."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from core.changes import latest_seq
from core.jobs import job

from .delivery import deliver_endpoint
from .models import WebhookEndpoint


def due_endpoint_ids() -> list[int]:
    """The endpoints that are due now and have an event after their cursor."""
    newest = latest_seq()
    return list(
        WebhookEndpoint.objects.due(timezone.now())
        .filter(cursor__lt=newest)
        .order_by(F("next_attempt_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )


def has_work() -> bool:
    """Whether some endpoint is due with events to send (the scheduler's cheap check)."""
    return bool(due_endpoint_ids())


@job(attempts=1)
def deliver_webhooks() -> int:
    """Enqueue a delivery job for every endpoint that is due; return how many."""
    ids = due_endpoint_ids()
    for endpoint_id in ids:
        deliver_to_endpoint.enqueue(endpoint_id)
    return len(ids)


@job(attempts=1)
def deliver_to_endpoint(endpoint_id: int) -> int:
    """Send one endpoint its waiting events (nothing if another worker has it); the sweep tries again later."""
    return deliver_endpoint(endpoint_id=endpoint_id)
