"""Delivering the change feed to an endpoint: which events it wants, the payload, the signature, and the loop that
POSTs them in ``seq`` order and moves the cursor only after a 2xx (docs/webhooks.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework.utils.encoders import JSONEncoder

from core.choices import ChangeAction
from core.models import ChangeEvent
from core.translation import localize
from recommendations.models import Recommendation

from . import services
from .models import WebhookDelivery, WebhookEndpoint
from .targets import post

logger = logging.getLogger(__name__)

USER_AGENT = "RecommendationTracker-Webhooks/1"
#: Events read from the feed at a time, and the most one job run sends to one endpoint before it lets others go.
PAGE = 100
MAX_PER_RUN = 500


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Tracker-Signature`` header: ``t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def absolute(value: Any, base: str) -> Any:
    """``value`` with every site-relative "url" member prefixed with ``base``, at any depth (as the feed does)."""
    if not base:
        return value
    if isinstance(value, dict):
        return {
            key: base + item
            if key == "url" and isinstance(item, str) and item.startswith("/")
            else absolute(item, base)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [absolute(item, base) for item in value]
    return value


def event_name(event: ChangeEvent) -> str:
    """``object_type.action``, as in ``X-Tracker-Event``."""
    return f"{event.object_type}.{event.action}"


def payload(
    event: ChangeEvent, *, endpoint: WebhookEndpoint, delivery_id: uuid.UUID, attempt: int, redelivery: bool
) -> bytes:
    """The JSON body: the change feed's item for the event, and the delivery's ``webhook`` metadata."""
    with translation.override(settings.LANGUAGE_CODE):
        data = localize(absolute(event.data, settings.WEBHOOKS_SITE_URL))
    item = {
        "seq": event.seq,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "time": event.created_at,
        "actor": event.actor_name or None,
        "request_id": event.request_id or None,
        "data": data,
        "changes": event.changes,
        "webhook": {
            "endpoint": endpoint.uuid,
            "delivery": delivery_id,
            "attempt": attempt,
            "redelivery": redelivery,
        },
    }
    return json.dumps(item, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def wanted(endpoint: WebhookEndpoint, event: ChangeEvent) -> bool:
    """Whether the endpoint's filters let the event through (a saved view: see ``WebhookEndpoint.saved_view``).

    ValidationError if the endpoint's saved view no longer holds a valid filter.
    """
    if endpoint.object_types and event.object_type not in endpoint.object_types:
        return False
    if endpoint.actions and event.action not in endpoint.actions:
        return False
    if endpoint.saved_view is None:
        return True
    if event.object_type != services.RECOMMENDATION:
        return False
    if event.action == ChangeAction.DELETED:
        return True
    filterset = services.saved_view_filterset(endpoint.saved_view)
    matching = filterset.filter_queryset(Recommendation.objects.filter(uuid=event.object_id))
    return bool(matching.exists())


def send(endpoint: WebhookEndpoint, event: ChangeEvent, *, attempt: int, redelivery: bool = False) -> WebhookDelivery:
    """POST one event to the endpoint (its target checked again) and log the delivery; never raises for the network."""
    delivery_id = uuid.uuid4()
    body = payload(event, endpoint=endpoint, delivery_id=delivery_id, attempt=attempt, redelivery=redelivery)
    requested_at = timezone.now()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Tracker-Event": event_name(event),
        "X-Tracker-Delivery": str(delivery_id),
        "X-Tracker-Seq": str(event.seq),
        "X-Tracker-Signature": sign(endpoint.secret, int(time.time()), body),
    }
    answer = post(endpoint.url, body=body, headers=headers)
    return services.webhook_delivery_record(
        endpoint=endpoint,
        seq=event.seq,
        event=event_name(event),
        delivery_id=delivery_id,
        requested_at=requested_at,
        attempt=attempt,
        answer=answer,
        redelivery=redelivery,
    )


def failure_reason(delivery: WebhookDelivery) -> str:
    """What went wrong, in a few words."""
    if delivery.error:
        return delivery.error
    return f"HTTP {delivery.status_code}"


def deliver_endpoint(*, endpoint_id: int, now: datetime | None = None) -> int:
    """Send an endpoint the events after its cursor, in order, until one fails or none is left; return how many
    were delivered. Does nothing unless this worker claims the endpoint (one worker per endpoint at a time)."""
    lease = services.webhook_endpoint_claim(endpoint_id=endpoint_id, now=now)
    if lease is None:
        return 0
    delivered = handled = 0
    try:
        endpoint = WebhookEndpoint.objects.select_related("saved_view").get(pk=endpoint_id)
        cursor = endpoint.cursor
        while handled < MAX_PER_RUN:
            events = list(ChangeEvent.objects.filter(seq__gt=cursor).order_by("seq")[:PAGE])
            if not events:
                break
            skipped_to = None
            for event in events:
                handled += 1
                try:
                    if not wanted(endpoint, event):
                        skipped_to = event.seq
                        continue
                except ValidationError as error:
                    services.webhook_endpoint_pause_for(endpoint_id=endpoint_id, reason=" ".join(error.messages))
                    return delivered
                if skipped_to is not None:
                    if not services.webhook_endpoint_advance(endpoint_id=endpoint_id, lease=lease, cursor=skipped_to):
                        return delivered
                    skipped_to = None
                renewed = services.webhook_endpoint_renew(endpoint_id=endpoint_id, lease=lease)
                if renewed is None:
                    return delivered
                lease = renewed
                attempt = WebhookDelivery.objects.filter(endpoint=endpoint, seq=event.seq).count() + 1
                delivery = send(endpoint, event, attempt=attempt)
                if not delivery.succeeded:
                    services.webhook_endpoint_failed(
                        endpoint_id=endpoint_id, lease=lease, reason=failure_reason(delivery)
                    )
                    logger.warning(
                        "webhook %s: seq %s not delivered: %s", endpoint.name, event.seq, failure_reason(delivery)
                    )
                    return delivered
                if not services.webhook_endpoint_advance(endpoint_id=endpoint_id, lease=lease, cursor=event.seq):
                    return delivered
                delivered += 1
            cursor = events[-1].seq
            if skipped_to is not None and not services.webhook_endpoint_advance(
                endpoint_id=endpoint_id, lease=lease, cursor=skipped_to
            ):
                return delivered
        return delivered
    finally:
        services.webhook_endpoint_release(endpoint_id=endpoint_id, lease=lease)


def redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivered event again now (a new delivery id, marked as a redelivery); the cursor does not move.

    ValidationError if the event is no longer in the change feed.
    """
    event = ChangeEvent.objects.filter(seq=delivery.seq).first()
    if event is None:
        raise ValidationError(_("Event %(seq)s is no longer in the change feed.") % {"seq": delivery.seq})
    attempt = WebhookDelivery.objects.filter(endpoint=delivery.endpoint, seq=delivery.seq).count() + 1
    return send(delivery.endpoint, event, attempt=attempt, redelivery=True)
