"""Target checks (SSRF): every non-public address class is refused at save and at delivery; http(s) only; no
credentials; the POST goes to the checked address."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from tests.webhooks.conftest import make_partners
from webhooks import targets
from webhooks.delivery import deliver_endpoint
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create

FORBIDDEN = {
    "loopback v4": "http://127.0.0.1/",
    "loopback v6": "http://[::1]/",
    "private 10/8": "http://10.1.2.3/",
    "private 172.16/12": "http://172.16.0.1/",
    "private 192.168/16": "https://192.168.1.1/",
    "link-local v4 (cloud metadata)": "http://169.254.169.254/latest/meta-data/",
    "link-local v6": "http://[fe80::1]/",
    "unique-local v6": "http://[fd12:3456::1]/",
    "multicast v4": "http://224.0.0.1/",
    "multicast v6": "http://[ff02::1]/",
    "reserved v4": "http://240.0.0.1/",
    "unspecified v4": "http://0.0.0.0/",
    "unspecified v6": "http://[::]/",
    "IPv4-mapped loopback": "http://[::ffff:127.0.0.1]/",
    "IPv4-mapped private": "http://[::ffff:10.0.0.1]/",
    "shared address space": "http://100.64.0.1/",
    "6to4 of a private address": "http://[2002:0a00:0001::1]/",
}


@pytest.mark.parametrize("url", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_a_non_public_address_is_refused_at_save(db, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(ValidationError) as raised:
        webhook_endpoint_create(name="Inside", url=url)
    assert "url" in raised.value.message_dict
    assert "public addresses only" in " ".join(raised.value.message_dict["url"])
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_a_non_public_address_is_refused_at_delivery(db, settings, url, monkeypatch):
    """Saved while allowed (or while DNS said otherwise), refused when sending: nothing is connected to."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    endpoint = webhook_endpoint_create(name="Inside", url=url)
    make_partners(1)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    def no_connection(*args, **kwargs):
        raise AssertionError("connected to a refused target")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    assert deliver_endpoint(endpoint_id=endpoint.pk) == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code is None and delivery.error.startswith("Refused")
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1 and endpoint.cursor < delivery.seq


def test_a_host_name_that_resolves_to_a_private_address_is_refused(db, settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))]
    )
    with pytest.raises(ValidationError, match="10.0.0.7"):
        webhook_endpoint_create(name="Rebound", url="https://hooks.example.com/in")


def test_one_private_address_among_public_ones_is_enough_to_refuse(monkeypatch, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", 443, 0, 0)),
        ],
    )
    with pytest.raises(targets.TargetRefused):
        targets.check_target("https://hooks.example.com/in")


def test_a_public_address_is_accepted_and_pinned(monkeypatch, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 8443))]
    )
    target = targets.check_target("https://hooks.example.com:8443/in?x=1")
    assert target == targets.Target(
        scheme="https", host="hooks.example.com", port=8443, path="/in?x=1", address="93.184.216.34"
    )
    assert targets.host_header(target) == "hooks.example.com:8443"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "http://user:pw@hooks.example.com/",
        "http:///x",
    ],
)
def test_only_http_and_https_without_credentials(db, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    with pytest.raises(ValidationError) as raised:
        webhook_endpoint_create(name="Odd", url=url)
    assert "url" in raised.value.message_dict


def test_an_unresolvable_host_is_a_clear_error(db, monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(ValidationError, match="cannot be resolved"):
        webhook_endpoint_create(name="Nowhere", url="https://nowhere.invalid/")


def test_the_post_connects_to_the_checked_address_not_a_second_lookup(receiver, monkeypatch, settings):
    """DNS rebinding: the name is resolved once, checked, and the connection goes to that address."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    answers = iter(["127.0.0.1", "10.9.9.9"])
    real = socket.getaddrinfo
    looked_up: list[str] = []

    def rebinding(host, *args, **kwargs):
        looked_up.append(host)
        if host == "hooks.test":  # the first answer passes the check; a second lookup would get another address
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    answer = targets.post(f"http://hooks.test:{port}/hook/", body=b"{}", headers={})
    assert answer.status == 200
    assert receiver.received[0].headers["Host"] == f"hooks.test:{port}"
    assert looked_up.count("hooks.test") == 1
