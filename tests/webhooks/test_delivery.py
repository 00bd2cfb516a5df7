"""Delivery: signature, headers and payload; order and filters; the cursor, backoff, pausing, resuming, redelivery."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ChangeEvent
from recommendations.models import SavedView
from recommendations.services import recommendation_update
from tests.factories import RecommendationFactory, UserFactory
from tests.webhooks.conftest import make_partners, verify
from webhooks import services
from webhooks.delivery import USER_AGENT, deliver_endpoint, redeliver
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create, webhook_endpoint_resume

pytestmark = pytest.mark.django_db


def endpoint_for(receiver, **kwargs) -> WebhookEndpoint:
    return webhook_endpoint_create(name="Receiver", url=receiver.url, **kwargs)


def seqs(receiver) -> list[int]:
    return [int(item.headers["X-Tracker-Seq"]) for item in receiver.received]


def test_a_delivery_is_signed_with_the_documented_headers_and_the_feeds_event_shape(receiver, settings):
    settings.WEBHOOKS_SITE_URL = "http://testserver"
    endpoint = endpoint_for(receiver)
    make_partners(1)
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 1
    [got] = receiver.received
    event = ChangeEvent.objects.get()
    assert verify(endpoint.secret, got.headers["X-Tracker-Signature"], got.body)
    assert not verify("another secret", got.headers["X-Tracker-Signature"], got.body)
    assert not verify(endpoint.secret, got.headers["X-Tracker-Signature"], got.body + b" ")
    assert got.headers["X-Tracker-Event"] == "partner.created"
    assert got.headers["X-Tracker-Seq"] == str(event.seq)
    assert got.headers["User-Agent"] == USER_AGENT
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(got.body)
    delivery = WebhookDelivery.objects.get()
    assert body.pop("webhook") == {
        "endpoint": str(endpoint.uuid),
        "delivery": str(delivery.delivery_id),
        "attempt": 1,
        "redelivery": False,
    }
    assert got.headers["X-Tracker-Delivery"] == str(delivery.delivery_id)
    # The same item the change feed's API gives.
    client = APIClient()
    client.force_authenticate(UserFactory(username="feed-root", admin=True))
    [item] = client.get("/api/v1/changes/").json()["results"]
    assert body == item
    assert delivery.status_code == 200 and delivery.response_excerpt == "ok" and delivery.attempt == 1


def test_a_new_endpoint_starts_at_the_newest_event_unless_told(receiver):
    make_partners(2)
    newest = ChangeEvent.objects.order_by("-seq").first().seq
    assert endpoint_for(receiver).cursor == newest
    assert endpoint_for(receiver, start_seq=0).cursor == 0
    with pytest.raises(ValidationError) as raised:
        endpoint_for(receiver, start_seq=newest + 1)
    assert "start_seq" in raised.value.message_dict


def test_events_go_in_seq_order_and_the_cursor_follows(receiver):
    endpoint = endpoint_for(receiver)
    make_partners(5)
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 5
    expected = list(ChangeEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs(receiver) == expected
    endpoint.refresh_from_db()
    assert endpoint.cursor == expected[-1]
    assert endpoint.leased_until is None


def test_filters_by_object_type_and_action_skip_events_and_move_the_cursor(receiver):
    by_type = endpoint_for(receiver, object_types=["recommendation"])
    by_action = endpoint_for(receiver, actions=["updated"])
    make_partners(3)
    assert deliver_endpoint(endpoint_id=by_type.pk) == 0
    assert deliver_endpoint(endpoint_id=by_action.pk) == 0
    assert receiver.received == []
    newest = ChangeEvent.objects.order_by("-seq").first().seq
    by_type.refresh_from_db()
    by_action.refresh_from_db()
    assert by_type.cursor == by_action.cursor == newest


def test_a_saved_view_sends_only_matching_recommendations_and_no_other_object_type(receiver):
    high, low = RecommendationFactory(), RecommendationFactory()
    view = SavedView.objects.create(name="High", query="priority=high", shared_with="managers")
    endpoint = endpoint_for(receiver, saved_view=view)
    recommendation_update(recommendation=high, actor=None, data={"priority": "high"})
    recommendation_update(recommendation=low, actor=None, data={"title_en": "Still medium"})
    make_partners(1)
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 1
    [got] = receiver.received
    assert json.loads(got.body)["object_id"] == str(high.uuid)
    endpoint.refresh_from_db()
    assert endpoint.cursor == ChangeEvent.objects.order_by("-seq").first().seq


def test_a_saved_view_needs_recommendations_among_the_object_types(receiver):
    view = SavedView.objects.create(name="High", query="priority=high", shared_with="managers")
    with pytest.raises(ValidationError) as raised:
        endpoint_for(receiver, saved_view=view, object_types=["partner"])
    assert "saved_view" in raised.value.message_dict
    bad = SavedView.objects.create(name="Bad", query="priority=urgent", shared_with="managers")
    with pytest.raises(ValidationError) as raised:
        endpoint_for(receiver, saved_view=bad)
    assert "saved_view" in raised.value.message_dict


def test_a_failure_stops_the_batch_keeps_the_cursor_and_backs_off(receiver):
    endpoint = endpoint_for(receiver)
    start = endpoint.cursor
    make_partners(3)
    receiver.statuses = [500]
    before = timezone.now()
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 0
    endpoint.refresh_from_db()
    assert endpoint.cursor == start
    assert endpoint.consecutive_failures == 1
    assert before + timedelta(seconds=9) < endpoint.next_attempt_at < timezone.now() + timedelta(seconds=11)
    assert len(receiver.received) == 1
    # Not due during the backoff.
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 0
    assert len(receiver.received) == 1
    # Once due, the same event comes first, as attempt 2.
    assert deliver_endpoint(endpoint_id=endpoint.pk, now=timezone.now() + timedelta(seconds=11)) == 3
    assert seqs(receiver)[0] == seqs(receiver)[1]
    assert json.loads(receiver.received[1].body)["webhook"]["attempt"] == 2
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.next_attempt_at is None


def test_backoff_doubles_up_to_an_hour():
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert services.backoff(30) == timedelta(hours=1)


def test_an_endpoint_is_paused_after_n_failures_and_resumed_from_its_cursor(receiver, settings):
    settings.WEBHOOKS_MAX_FAILURES = 3
    endpoint = endpoint_for(receiver)
    start = endpoint.cursor
    make_partners(2)
    receiver.default = 503
    for _ in range(3):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(next_attempt_at=None)
        deliver_endpoint(endpoint_id=endpoint.pk)
    endpoint.refresh_from_db()
    assert endpoint.paused_at is not None
    assert "3" in endpoint.pause_reason and "503" in endpoint.pause_reason
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(next_attempt_at=None)
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 0  # paused: nothing sent
    assert len(receiver.received) == 3
    receiver.default = 200
    webhook_endpoint_resume(endpoint=endpoint)
    assert endpoint.cursor == start and endpoint.consecutive_failures == 0 and endpoint.paused_at is None
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 2


def test_a_redirect_is_a_failure_and_not_followed(receiver):
    endpoint = endpoint_for(receiver)
    make_partners(1)
    receiver.statuses = [302]
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 0
    assert [item.path for item in receiver.received] == ["/hook/"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code == 302 and "Redirects are not followed" in delivery.error


def test_an_unreachable_receiver_is_a_recorded_failure(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    endpoint = webhook_endpoint_create(name="Down", url="http://127.0.0.1:9/")
    make_partners(1)
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code is None and delivery.error


def test_redeliver_sends_again_with_a_new_id_and_leaves_the_cursor(receiver):
    endpoint = endpoint_for(receiver)
    make_partners(2)
    deliver_endpoint(endpoint_id=endpoint.pk)
    endpoint.refresh_from_db()
    cursor = endpoint.cursor
    first = WebhookDelivery.objects.order_by("id").first()
    again = redeliver(delivery=first)
    assert again.redelivery and again.delivery_id != first.delivery_id and again.seq == first.seq
    assert again.attempt == 2
    body = json.loads(receiver.received[-1].body)
    assert body["seq"] == first.seq and body["webhook"]["redelivery"] is True
    endpoint.refresh_from_db()
    assert endpoint.cursor == cursor


def test_a_leased_endpoint_is_left_to_its_worker(receiver):
    endpoint = endpoint_for(receiver)
    make_partners(1)
    lease = services.webhook_endpoint_claim(endpoint_id=endpoint.pk)
    assert lease is not None
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 0
    assert receiver.received == []
    services.webhook_endpoint_release(endpoint_id=endpoint.pk, lease=lease)
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 1


def test_the_periodic_job_delivers_through_the_worker(receiver):
    from django.core.management import call_command

    from webhooks.tasks import deliver_webhooks, has_work

    endpoint = endpoint_for(receiver)
    assert not has_work()
    make_partners(2)
    assert has_work()
    deliver_webhooks.enqueue()
    call_command("worker", "--batch", "--no-scheduler", verbosity=0)
    assert len(receiver.received) == 2
    endpoint.refresh_from_db()
    assert not has_work()
