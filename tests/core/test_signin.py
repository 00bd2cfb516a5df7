"""Sign-in protection: the client's address behind trusted proxies, a backoff per username that a trusted browser
escapes, and failed old-password checks on the password-change forms (the site's and the admin's)."""

import itertools
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.auth import client_ip
from core.models import SignInThrottle
from core.signin import DEVICE_COOKIE, backoff
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

#: Documentation addresses (RFC 5737): the proxy, and addresses an attacker makes up.
PROXY = "192.0.2.10"
made_up = (f"203.0.113.{n}" for n in itertools.count(1))


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "1.2.3.4", "198.51.100.7"),  # no proxies: the header is the client's say-so
        (1, PROXY, "198.51.100.7", "198.51.100.7"),  # nginx appended the client
        (1, PROXY, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a forged entry on the left is ignored
        (1, PROXY, "6.6.6.6 , 7.7.7.7,198.51.100.7", "198.51.100.7"),
        (2, PROXY, "6.6.6.6, 198.51.100.7, 10.0.0.5", "198.51.100.7"),  # load balancer, then nginx
        (1, PROXY, None, PROXY),  # no header: the connection's address, never none
        (2, PROXY, "198.51.100.7", PROXY),  # fewer entries than proxies: not through them
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
        (1, PROXY, "[2001:db8::2]", "2001:db8::2"),
    ],
)
def test_the_client_is_the_nth_entry_from_the_right(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request_from(remote, forwarded)) == expected


def attempt(client: Client, username: str, password: str, *, forwarded: str | None = None, url: str | None = None):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(url or reverse("login"), {"username": username, "password": password, "next": "/"}, **extra)


def test_a_new_forged_header_per_guess_does_not_escape_the_lockout(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="victim", policy=True)
    attacker = Client()
    for _ in range(3):
        attempt(attacker, "victim", "guess", forwarded=f"{next(made_up)}, 198.51.100.66")
    locked = attempt(attacker, "victim", PASSWORD, forwarded=f"{next(made_up)}, 198.51.100.66")
    assert locked.status_code in (403, 429)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}
    # The real user, at another address, is not locked out by the attacker's failures.
    assert attempt(Client(), "victim", PASSWORD, forwarded="198.51.100.7").status_code == 302


def test_requests_without_the_header_are_recorded_with_the_connections_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="someone", policy=True)
    attempt(Client(), "someone", "wrong")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


def test_backoff_doubles_from_the_limit_and_stops_at_the_maximum(settings):
    settings.SIGNIN_USERNAME_FAILURE_LIMIT = 4
    settings.SIGNIN_BACKOFF_BASE_SECONDS = 60
    settings.SIGNIN_BACKOFF_MAX_SECONDS = 600
    assert [backoff(n).total_seconds() for n in range(1, 10)] == [0, 0, 0, 60, 120, 240, 480, 600, 600]


def many_addresses_fail(settings, username: str, times: int) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 1000  # this test is about the per-username backoff, not the per-address lockout
    for _ in range(times):
        response = attempt(Client(), username, "guess", forwarded=next(made_up))
        assert response.status_code == 200  # the form again, with its error


def test_many_addresses_make_a_username_wait_but_not_in_a_trusted_browser(settings):
    settings.SIGNIN_USERNAME_FAILURE_LIMIT = 5
    UserFactory(username="kenji", policy=True)
    usual = Client()
    assert attempt(usual, "kenji", PASSWORD, forwarded="198.51.100.7").status_code == 302  # trusts this browser
    assert DEVICE_COOKIE in usual.cookies
    usual.post(reverse("logout"))

    many_addresses_fail(settings, "kenji", 5)
    refused = attempt(Client(), "kenji", PASSWORD, forwarded=next(made_up))
    assert refused.status_code == 200
    assert "Too many failed attempts for this username" in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session

    # The owner's usual browser is not affected, however long the attack goes on.
    many_addresses_fail(settings, "kenji", 3)
    assert attempt(usual, "kenji", PASSWORD, forwarded="198.51.100.7").status_code == 302
    assert not SignInThrottle.objects.filter(username="kenji", scope="sign_in").exists()  # success forgets


def test_attempts_while_waiting_do_not_count_and_a_forged_device_cookie_is_no_trust(settings):
    settings.SIGNIN_USERNAME_FAILURE_LIMIT = 2
    UserFactory(username="mariko", manager=True)
    many_addresses_fail(settings, "mariko", 2)
    failures = SignInThrottle.objects.get(username="mariko").failures
    forged = Client()
    forged.cookies[DEVICE_COOKIE] = '["mariko"]'
    response = attempt(forged, "mariko", "guess", forwarded=next(made_up))
    assert "Too many failed attempts" in response.content.decode()
    assert SignInThrottle.objects.get(username="mariko").failures == failures


def test_failures_are_forgotten_after_a_day(settings):
    settings.SIGNIN_USERNAME_FAILURE_LIMIT = 3
    UserFactory(username="aiko", policy=True)
    many_addresses_fail(settings, "aiko", 2)
    SignInThrottle.objects.update(updated_at=timezone.now() - timedelta(days=2))
    many_addresses_fail(settings, "aiko", 1)
    assert SignInThrottle.objects.get(username="aiko").failures == 1
    assert attempt(Client(), "aiko", PASSWORD, forwarded=next(made_up)).status_code == 302


def test_the_admin_sign_in_waits_too(settings):
    settings.SIGNIN_USERNAME_FAILURE_LIMIT = 2
    UserFactory(username="root2", admin=True)
    many_addresses_fail(settings, "root2", 2)
    response = attempt(Client(), "root2", PASSWORD, forwarded=next(made_up), url="/admin/login/")
    assert response.status_code == 200
    assert "Too many failed attempts for this username" in response.content.decode()


@pytest.mark.parametrize("url", ["/accounts/password/", "/admin/password_change/"])
def test_failed_old_password_checks_count_on_the_password_change_forms(settings, url):
    settings.SIGNIN_USERNAME_FAILURE_LIMIT = 3
    user = UserFactory(username="stolen-session", admin=True)
    client = Client()
    client.force_login(user)
    new = {"new_password1": "a much longer passphrase 7", "new_password2": "a much longer passphrase 7"}
    for _ in range(3):
        response = client.post(url, {"old_password": "guess", **new})
        assert response.status_code == 200
    refused = client.post(url, {"old_password": PASSWORD, **new})
    assert refused.status_code == 200
    assert "Too many failed attempts for this username" in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    SignInThrottle.objects.update(blocked_until=None)
    assert client.post(url, {"old_password": PASSWORD, **new}).status_code == 302
    assert not SignInThrottle.objects.filter(username="stolen-session").exists()
