"""The webhooks' admin: a refused URL is a form error, the secret is shown once, the actions, Redeliver."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.webhooks.conftest import make_partners
from webhooks.delivery import deliver_endpoint
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

ADD = "/admin/webhooks/webhookendpoint/add/"
LIST = "/admin/webhooks/webhookendpoint/"


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="hooks-root", admin=True))
    return client


def test_a_private_url_is_a_clear_form_error(admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = admin_client.post(ADD, {"name": "Inside", "url": "http://169.254.169.254/", "is_active": "on"})
    assert response.status_code == 200
    assert "public addresses only" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_adding_an_endpoint_shows_its_secret_once_and_not_cached(admin_client, receiver):
    response = admin_client.post(
        ADD, {"name": "Receiver", "url": receiver.url, "is_active": "on", "object_types": ["partner"]}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert endpoint.object_types == ["partner"]
    assert endpoint.secret not in admin_client.get(f"{LIST}{endpoint.pk}/change/").content.decode()


def test_the_actions_pause_resume_and_rotate(admin_client, receiver):
    endpoint = webhook_endpoint_create(name="Receiver", url=receiver.url)
    old = endpoint.secret
    admin_client.post(LIST, {"action": "pause", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.paused_at is not None and "hooks-root" in endpoint.pause_reason
    admin_client.post(LIST, {"action": "resume", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.paused_at is None
    response = admin_client.post(LIST, {"action": "rotate_secret", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()


def test_the_list_and_the_page_show_state_cursor_and_deliveries(admin_client, receiver):
    endpoint = webhook_endpoint_create(name="Receiver", url=receiver.url)
    make_partners(1)
    deliver_endpoint(endpoint_id=endpoint.pk)
    assert admin_client.get(LIST).status_code == 200
    page = admin_client.get(f"{LIST}{endpoint.pk}/change/").content.decode()
    assert "partner.created" in page and "200" in page


def test_redeliver_asks_then_sends_without_moving_the_cursor(admin_client, receiver):
    endpoint = webhook_endpoint_create(name="Receiver", url=receiver.url)
    make_partners(1)
    deliver_endpoint(endpoint_id=endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    url = f"/admin/webhooks/webhookdelivery/{delivery.pk}/redeliver/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {}).status_code == 200  # no confirmation: nothing sent
    assert WebhookDelivery.objects.count() == 1
    response = admin_client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    again = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert again.redelivery and again.status_code == 200
    assert len(receiver.received) == 2
    endpoint.refresh_from_db()
    assert endpoint.cursor == delivery.seq


def test_staff_without_superuser_cannot_see_webhooks(receiver):
    client = Client()
    client.force_login(UserFactory(username="hooks-policy", policy=True))
    assert client.get(LIST).status_code == 403
