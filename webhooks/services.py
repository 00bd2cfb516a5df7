"""Every write of the webhooks app: endpoints (created, changed, paused, resumed, their secret rotated, deleted), and
what a delivery changes (its log row, the endpoint's cursor, failures and backoff).

The delivery job holds an endpoint's lease (``leased_until``) while it works on it; the writes it makes are
conditional on that lease still being its own, so a worker that lost it (it took too long, another took over) changes
nothing.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changes import latest_seq
from core.choices import ChangeAction
from core.feed import object_type_choices
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import SavedView

from .models import WebhookDelivery, WebhookEndpoint
from .targets import Answer, TargetRefused, check_target

#: The fields ``webhook_endpoint_update`` changes.
EDITABLE = frozenset({"name", "url", "object_types", "actions", "saved_view", "is_active"})
#: The object type a saved view filters.
RECOMMENDATION = "recommendation"
#: The longest wait between two attempts after failures.
MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF = timedelta(seconds=10)


def new_secret() -> str:
    """A fresh signing secret."""
    return secrets.token_urlsafe(32)


def saved_view_filterset(view: SavedView) -> RecommendationFilterSet:
    """The filterset of a saved view's query; ValidationError if the query is not a valid filter."""
    filterset = RecommendationFilterSet(QueryDict(view.query))
    if not filterset.is_valid():
        raise ValidationError(
            _("The saved view “%(view)s” has filters that are not valid: %(errors)s")
            % {"view": view, "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())}
        )
    return filterset


def backoff(failures: int) -> timedelta:
    """How long to wait after the ``failures``-th failure in a row: 10 s × 2^(n-1), at most an hour."""
    exponent = min(max(failures - 1, 0), 20)
    wait: timedelta = FIRST_BACKOFF * int(2**exponent)
    return min(wait, MAX_BACKOFF)


def validate_endpoint(
    *,
    name: str,
    url: str,
    object_types: Iterable[str],
    actions: Iterable[str],
    saved_view: SavedView | None,
    start_seq: int | None = None,
) -> dict[str, Any]:
    """The cleaned fields of an endpoint; ValidationError by field for what is wrong (the target is checked)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("Give the endpoint a name."))
    elif len(name) > WebhookEndpoint._meta.get_field("name").max_length:  # type: ignore[operator]
        errors.setdefault("name", []).append(_("The name is too long."))
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
        if len(url) > 1000:
            raise ValidationError(_("The URL is too long."))
        check_target(url)
    except ValidationError as error:
        errors.setdefault("url", []).extend(error.messages)
    except TargetRefused as refused:
        errors.setdefault("url", []).append(str(refused))
    known_types = {value for value, _label in object_type_choices()}
    types = sorted({str(value) for value in object_types})
    if set(types) - known_types:
        errors.setdefault("object_types", []).append(
            _("Unknown object types: %(types)s.") % {"types": ", ".join(sorted(set(types) - known_types))}
        )
    chosen_actions = sorted({str(value) for value in actions})
    if set(chosen_actions) - set(ChangeAction.values):
        errors.setdefault("actions", []).append(
            _("Unknown actions: %(actions)s.")
            % {"actions": ", ".join(sorted(set(chosen_actions) - set(ChangeAction.values)))}
        )
    if saved_view is not None:
        if types and RECOMMENDATION not in types:
            errors.setdefault("saved_view", []).append(
                _("A saved view filters recommendations: include “recommendation” in the object types, or choose none.")
            )
        try:
            saved_view_filterset(saved_view)
        except ValidationError as error:
            errors.setdefault("saved_view", []).extend(error.messages)
    if start_seq is not None and not 0 <= start_seq <= latest_seq():
        errors.setdefault("start_seq", []).append(
            _("The starting seq must be between 0 and the newest, %(newest)s.") % {"newest": latest_seq()}
        )
    if errors:
        raise ValidationError(errors)
    return {"name": name, "url": url, "object_types": types, "actions": chosen_actions, "saved_view": saved_view}


@transaction.atomic
def webhook_endpoint_create(
    *,
    name: str,
    url: str,
    object_types: Iterable[str] = (),
    actions: Iterable[str] = (),
    saved_view: SavedView | None = None,
    is_active: bool = True,
    start_seq: int | None = None,
) -> WebhookEndpoint:
    """Create an endpoint with a new secret; it receives the events after ``start_seq`` (default: the newest now)."""
    fields = validate_endpoint(
        name=name, url=url, object_types=object_types, actions=actions, saved_view=saved_view, start_seq=start_seq
    )
    endpoint = WebhookEndpoint(
        **fields,
        is_active=is_active,
        secret=new_secret(),
        cursor=latest_seq() if start_seq is None else start_seq,
    )
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, data: Mapping[str, Any]) -> WebhookEndpoint:
    """Change an endpoint's name, URL, filters or whether it is active (the cursor and secret stay)."""
    unknown = set(data) - EDITABLE
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    current = {
        "name": endpoint.name,
        "url": endpoint.url,
        "object_types": endpoint.object_types,
        "actions": endpoint.actions,
        "saved_view": endpoint.saved_view,
    }
    fields = validate_endpoint(**{**current, **{key: value for key, value in data.items() if key in current}})
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        **fields, is_active=bool(data.get("is_active", endpoint.is_active)), updated_at=timezone.now()
    )
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def webhook_endpoint_pause(*, endpoint: WebhookEndpoint, reason: str, now: datetime | None = None) -> WebhookEndpoint:
    """Stop sending to an endpoint until it is resumed (its cursor stays where it is)."""
    reason = (reason or "").strip()[:300] or _("Paused by an administrator.")
    now = now or timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(paused_at=now, pause_reason=reason, updated_at=now)
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def webhook_endpoint_resume(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> WebhookEndpoint:
    """Send again from the cursor on, now: no pause, no failures counted, no backoff."""
    now = now or timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        paused_at=None, pause_reason="", consecutive_failures=0, next_attempt_at=None, updated_at=now
    )
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new signing secret (the old one no longer signs anything); return it."""
    secret = new_secret()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=secret, updated_at=timezone.now())
    endpoint.refresh_from_db()
    return secret


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its delivery log."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


# --- What the delivery job writes -------------------------------------------------------------------------------------


def lease_length() -> timedelta:
    """How long a claim on an endpoint lasts: two timeouts of one POST and a margin (renewed before each POST)."""
    return timedelta(seconds=float(settings.WEBHOOKS_TIMEOUT_SECONDS) * 2 + 5)


def webhook_endpoint_claim(*, endpoint_id: int, now: datetime | None = None) -> datetime | None:
    """Claim a due endpoint for this worker (one conditional UPDATE); return the lease, None if not had."""
    now = now or timezone.now()
    lease = now + lease_length()
    claimed = WebhookEndpoint.objects.due(now).filter(pk=endpoint_id).update(leased_until=lease)
    return lease if claimed else None


def webhook_endpoint_renew(*, endpoint_id: int, lease: datetime, now: datetime | None = None) -> datetime | None:
    """Extend this worker's lease; None if it is no longer this worker's."""
    renewed = max((now or timezone.now()) + lease_length(), lease)
    if renewed == lease:
        renewed = lease + timedelta(microseconds=1)
    changed = WebhookEndpoint.objects.filter(pk=endpoint_id, leased_until=lease).update(leased_until=renewed)
    return renewed if changed else None


def webhook_endpoint_release(*, endpoint_id: int, lease: datetime) -> None:
    """Give the endpoint back (if the lease is still this worker's)."""
    WebhookEndpoint.objects.filter(pk=endpoint_id, leased_until=lease).update(leased_until=None)


def webhook_endpoint_advance(*, endpoint_id: int, lease: datetime, cursor: int) -> bool:
    """Move the cursor forward to ``cursor`` (delivered or skipped) and clear the failures; False if the lease is
    lost."""
    changed = WebhookEndpoint.objects.filter(pk=endpoint_id, leased_until=lease, cursor__lt=cursor).update(
        cursor=cursor, consecutive_failures=0, next_attempt_at=None
    )
    return bool(changed) or WebhookEndpoint.objects.filter(pk=endpoint_id, leased_until=lease).exists()


def webhook_endpoint_failed(
    *, endpoint_id: int, lease: datetime, reason: str, now: datetime | None = None
) -> WebhookEndpoint | None:
    """Count a failure: wait with backoff before the next attempt, pause after ``WEBHOOKS_MAX_FAILURES`` in a row."""
    now = now or timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id, leased_until=lease).first()
        if endpoint is None:
            return None
        failures = endpoint.consecutive_failures + 1
        endpoint.consecutive_failures = failures
        endpoint.next_attempt_at = now + backoff(failures)
        if failures >= int(settings.WEBHOOKS_MAX_FAILURES):
            endpoint.paused_at = now
            endpoint.pause_reason = (
                _("Paused after %(count)d failed deliveries in a row; the last: %(reason)s")
                % {"count": failures, "reason": reason}
            )[:300]
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(
            consecutive_failures=failures,
            next_attempt_at=endpoint.next_attempt_at,
            paused_at=endpoint.paused_at,
            pause_reason=endpoint.pause_reason,
        )
        return endpoint


def webhook_endpoint_pause_for(*, endpoint_id: int, reason: str, now: datetime | None = None) -> None:
    """Pause an endpoint the job cannot serve (its saved view's filters went bad), with the reason."""
    now = now or timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(paused_at=now, pause_reason=reason[:300], updated_at=now)


def webhook_delivery_record(
    *,
    endpoint: WebhookEndpoint,
    seq: int,
    event: str,
    delivery_id: uuid.UUID,
    requested_at: datetime,
    attempt: int,
    answer: Answer,
    redelivery: bool = False,
) -> WebhookDelivery:
    """Log one POST and what it got."""
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        seq=seq,
        event=event[:50],
        delivery_id=delivery_id,
        attempt=attempt,
        requested_at=requested_at,
        status_code=answer.status if answer.status is not None and 0 <= answer.status < 32768 else None,
        response_excerpt=answer.body,
        error=answer.error,
        duration_ms=max(answer.duration_ms, 0),
        redelivery=redelivery,
    )
