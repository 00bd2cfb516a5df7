"""Jobs of notifications: the fan-out of the change feed, immediate e-mails, daily digests and reminders.

Each is safe with any number of workers: the fan-out claims a range of the feed by a conditional update of the one
``FeedCursor`` row; an e-mail claims its notifications by setting ``emailed_at`` where it is still empty, in the
transaction that sends; a reminder is decided by inserting its ``ReminderSent`` row (unique) before it is sent.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from core.choices import ChangeAction
from core.jobs import job
from core.models import ChangeEvent
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation, SavedView

from .emails import send_notifications_email
from .models import (
    EmailChoice,
    FeedCursor,
    Notification,
    NotificationKind,
    NotificationSettings,
    ReminderKind,
    ReminderSent,
    Watch,
)

logger = logging.getLogger(__name__)

#: Change-feed entries read per fan-out claim.
FAN_OUT_BATCH = 500
#: Object types of the feed whose entries notify, besides the recommendation's own and its status entries.
CHILD_KINDS = {
    "evidence": NotificationKind.EVIDENCE,
    "assessment": NotificationKind.ASSESSMENT,
    "milestone": NotificationKind.MILESTONE,
    "partner_status_update": NotificationKind.PARTNER_STATUS,
}


def _cursor() -> FeedCursor:
    cursor, _created = FeedCursor.objects.get_or_create(pk=1)
    return cursor


def has_new_events() -> bool:
    """Whether the feed has entries the fan-out has not read."""
    seq = FeedCursor.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    return ChangeEvent.objects.filter(seq__gt=seq).exists()


def _describe(event: ChangeEvent) -> tuple[str, str, dict[str, Any]] | None:
    """(recommendation uuid, kind, params) of an entry that notifies, or None.

    A status change is told by its timeline entry, not by the recommendation's entry of the same change; an update
    whose changed fields the feed does not know (the object's first entry) reads "changed" without fields.
    """
    params: dict[str, Any] = {"actor": event.actor_name}
    data = event.data if isinstance(event.data, dict) else {}
    if event.object_type == "recommendation":
        params["reference"] = str(data.get("reference") or event.object_repr)
        if event.action == ChangeAction.CREATED:
            return str(event.object_id), NotificationKind.CREATED, params
        if event.action == ChangeAction.DELETED:
            return str(event.object_id), NotificationKind.DELETED, params
        changes = event.changes or {}
        if "status" in changes or "response" in changes:
            return None  # told by the status or response entry of the same change
        fields = sorted(name for name in changes if not name.endswith(("_label", "_at")) and name != "version")
        return str(event.object_id), NotificationKind.CHANGED, {**params, "fields": fields}
    recommendation = data.get("recommendation")
    if not recommendation:
        return None
    if event.object_type == "status_update" and event.action == ChangeAction.CREATED:
        return str(recommendation), NotificationKind.STATUS, {**params, "status": str(data.get("to_status", ""))}
    kind = CHILD_KINDS.get(event.object_type)
    if kind is None or (kind != NotificationKind.MILESTONE and event.action != ChangeAction.CREATED):
        return None
    if kind == NotificationKind.PARTNER_STATUS:
        params["partner"] = str(data.get("partner", ""))
    return str(recommendation), kind, params


def _saved_view_matches(view: SavedView, pks: list[int]) -> set[int]:
    """Which of the recommendations ``pks`` a saved view's filter shows."""
    filterset = RecommendationFilterSet(QueryDict(view.query), queryset=Recommendation.objects.filter(pk__in=pks))
    if not filterset.is_valid():
        return set()
    return set(filterset.qs.values_list("pk", flat=True))


def _watchers(recommendations: list[Recommendation]) -> dict[int, set[int]]:
    """Recommendation pk → the users watching it, one of its partners, its source, or a saved view showing it."""
    pks = [rec.pk for rec in recommendations]
    partners: dict[int, set[int]] = defaultdict(set)
    for rec in recommendations:
        partners[rec.pk] = {link.partner_id for link in rec.partner_links.all()} | (
            {rec.agency_id} if rec.agency_id else set()
        )
    all_partners = set().union(*partners.values()) if partners else set()
    sources = {rec.source_id for rec in recommendations if rec.source_id}
    watches = Watch.objects.filter(
        Q(recommendation_id__in=pks)
        | Q(partner_id__in=all_partners)
        | Q(source_id__in=sources)
        | Q(saved_view__isnull=False)
    ).select_related("saved_view")
    result: dict[int, set[int]] = defaultdict(set)
    view_matches: dict[int, set[int]] = {}
    for watch in watches:
        if watch.saved_view is not None:
            if watch.saved_view_id not in view_matches:
                view_matches[watch.saved_view.pk] = _saved_view_matches(watch.saved_view, pks)
            for pk in view_matches[watch.saved_view.pk]:
                result[pk].add(watch.user_id)
            continue
        for rec in recommendations:
            if (
                watch.recommendation_id == rec.pk
                or (watch.partner_id is not None and watch.partner_id in partners[rec.pk])
                or (watch.source_id is not None and watch.source_id == rec.source_id)
            ):
                result[rec.pk].add(watch.user_id)
    return result


def _email_immediately(user_ids: set[int]) -> None:
    """Enqueue the e-mail of every user among ``user_ids`` who wants to hear immediately."""
    later = set(
        NotificationSettings.objects.filter(user_id__in=user_ids)
        .exclude(email=EmailChoice.IMMEDIATELY)
        .values_list("user_id", flat=True)
    )
    for user_id in sorted(user_ids - later):
        send_notification_emails.enqueue(user_id)


@job()
def fan_out() -> int:
    """Turn the change feed's new entries into notifications for their watchers; return how many were made."""
    made = 0
    while True:
        with transaction.atomic():
            start = _cursor().seq
            events = list(ChangeEvent.objects.filter(seq__gt=start).order_by("seq")[:FAN_OUT_BATCH])
            if not events:
                return made
            end = events[-1].seq
            if not FeedCursor.objects.filter(pk=1, seq=start).update(seq=end, updated_at=timezone.now()):
                return made  # another worker claimed this range
            made += _notify(events)


def _notify(events: list[ChangeEvent]) -> int:
    """Create the notifications of ``events`` (one per watcher, never the actor) and enqueue immediate e-mails."""
    described = [(event, found) for event in events if (found := _describe(event)) is not None]
    uuids = {uuid.UUID(rec_uuid) for _event, (rec_uuid, _kind, _params) in described}
    recommendations = list(Recommendation.objects.filter(uuid__in=uuids).prefetch_related("partner_links"))
    by_uuid = {str(rec.uuid): rec for rec in recommendations}
    watchers = _watchers(recommendations)
    rows = []
    for event, (rec_uuid, kind, params) in described:
        rec = by_uuid.get(rec_uuid)
        if rec is None:
            continue  # deleted since: its watches went with it
        for user_id in sorted(watchers.get(rec.pk, set()) - {event.actor_id}):
            rows.append(
                Notification(
                    user_id=user_id,
                    event=event,
                    recommendation=rec,
                    kind=kind,
                    params={**params, "reference": rec.reference},
                    created_at=event.created_at,
                )
            )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    _email_immediately({row.user_id for row in rows})
    return len(rows)


def _claim_and_send(user_id: int, unsent: Q, *, digest: bool) -> int:
    """E-mail the user's notifications matching ``unsent`` that no one e-mailed yet; return how many."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(unsent, user_id=user_id, emailed_at__isnull=True).values_list("pk", flat=True)
        )
        now = timezone.now()
        claimed = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=now)
        if not claimed:
            return 0
        notifications = list(
            Notification.objects.filter(pk__in=ids, emailed_at=now)
            .select_related("recommendation")
            .order_by("created_at", "id")
        )
        send_notifications_email(user, notifications, digest=digest)
        return len(notifications)


@job()
def send_notification_emails(user_id: int) -> int:
    """E-mail a user what they were notified of and not yet e-mailed (one message for the batch)."""
    return _claim_and_send(user_id, Q(), digest=False)


def digest_cutoff(now: datetime | None = None) -> datetime | None:
    """Today's digest moment (``NOTIFICATIONS_DIGEST_HOUR`` local time) if it has come, else None."""
    local = timezone.localtime(now)
    cutoff = timezone.make_aware(datetime.combine(local.date(), time(settings.NOTIFICATIONS_DIGEST_HOUR)))
    return cutoff if local >= cutoff else None


@job()
def send_digests() -> int:
    """Once the digest hour has come, e-mail each daily-digest user what was notified before it; return how many."""
    cutoff = digest_cutoff()
    if cutoff is None:
        return 0
    users = NotificationSettings.objects.filter(email=EmailChoice.DAILY).values_list("user_id", flat=True)
    waiting = set(
        Notification.objects.filter(user_id__in=users, emailed_at__isnull=True, created_at__lt=cutoff).values_list(
            "user_id", flat=True
        )
    )
    return sum(_claim_and_send(user_id, Q(created_at__lt=cutoff), digest=True) for user_id in sorted(waiting))


def _reminders_due(today: Any) -> list[tuple[Recommendation, str, Any]]:
    """(recommendation, kind, date) of every reminder due today, for open recommendations."""
    soon = today + timedelta(days=settings.REMINDER_DAYS_BEFORE)
    passed = today - timedelta(days=1)
    due = []
    queryset = Recommendation.objects.open().filter(
        Q(target_date__in=[soon, passed]) | Q(review_date__in=[soon, passed])
    )
    for rec in queryset.order_by("pk"):
        for field, soon_kind, passed_kind in (
            ("target_date", ReminderKind.TARGET_SOON, ReminderKind.TARGET_PASSED),
            ("review_date", ReminderKind.REVIEW_SOON, ReminderKind.REVIEW_PASSED),
        ):
            value = getattr(rec, field)
            if value == soon:
                due.append((rec, soon_kind.value, value))
            elif value == passed:
                due.append((rec, passed_kind.value, value))
    return due


@job()
def send_reminders() -> int:
    """Remind each open recommendation's lead and watchers of its target and review dates; return how many."""
    due = _reminders_due(timezone.localdate())
    if not due:
        return 0
    watchers: dict[int, set[int]] = defaultdict(set)
    for rec_id, user_id in Watch.objects.filter(recommendation_id__in=[rec.pk for rec, _k, _d in due]).values_list(
        "recommendation_id", "user_id"
    ):
        watchers[rec_id].add(user_id)
    sent: set[int] = set()
    for rec, kind, day in due:
        for user_id in sorted(watchers[rec.pk] | ({rec.lead_id} if rec.lead_id else set())):
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        reminder = ReminderSent.objects.create(recommendation=rec, user_id=user_id, kind=kind, date=day)
                except IntegrityError:
                    continue  # reminded already (by this worker earlier, or another one now)
                Notification.objects.create(
                    user_id=user_id,
                    reminder=reminder,
                    recommendation=rec,
                    kind=kind,
                    params={"reference": rec.reference, "date": day.isoformat()},
                )
                sent.add(user_id)
    _email_immediately(sent)
    return len(sent)
