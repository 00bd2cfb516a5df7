"""Reminders of target and review dates: to the lead and the watchers, once per event whatever the workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from notifications.models import Notification, ReminderSent
from notifications.services import watch_create
from notifications.tasks import send_reminders
from tests.factories import RecommendationFactory, UserFactory


def _setup(settings):
    settings.REMINDER_DAYS_BEFORE = 7
    today = timezone.localdate()
    lead, watcher = UserFactory(policy=True), UserFactory(manager=True)
    soon = RecommendationFactory(reference="SOON", lead=lead, target_date=today + timedelta(days=7))
    passed = RecommendationFactory(reference="LATE", lead=lead, review_date=today - timedelta(days=1))
    RecommendationFactory(reference="CLOSED", lead=lead, target_date=today + timedelta(days=7), status="implemented")
    RecommendationFactory(reference="LATER", lead=lead, target_date=today + timedelta(days=8))
    watch_create(user=watcher, target=soon)
    return lead, watcher, soon, passed


@pytest.mark.django_db
def test_reminders_go_to_the_lead_and_watchers_of_open_recommendations_once(settings):
    lead, watcher, soon, passed = _setup(settings)
    send_reminders.call()
    send_reminders.call()
    kinds = set(Notification.objects.values_list("user_id", "recommendation__reference", "kind"))
    assert kinds == {
        (lead.pk, "SOON", "target_soon"),
        (watcher.pk, "SOON", "target_soon"),
        (lead.pk, "LATE", "review_passed"),
    }
    assert ReminderSent.objects.count() == 3


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the roles migrations made
def test_two_workers_at_once_remind_once(settings):
    _setup(settings)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            send_reminders.call()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ReminderSent.objects.count() == 3
    assert Notification.objects.count() == 3
    assert mail.outbox == [] or len(mail.outbox) <= 2  # e-mails are queued as jobs, not sent here
