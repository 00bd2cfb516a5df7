"""Login lockout after repeated failures, the content security policy, and the production security headers."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password, "next": "/"})


def test_repeated_failures_lock_the_account_out(settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="victim", policy=True)
    client = Client()
    for _ in range(3):
        response = attempt(client, "victim", "wrong password")
    assert response.status_code in (403, 429)
    assert b"Too many failed sign-ins" in response.content
    # Now even the right password is refused, from this address, until the cool-off ends.
    response = attempt(client, "victim", PASSWORD)
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_success_before_the_limit_resets_the_count(settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="careful", policy=True)
    client = Client()
    attempt(client, "careful", "typo 1")
    attempt(client, "careful", "typo 2")
    assert attempt(client, "careful", PASSWORD).status_code == 302
    client.logout()
    attempt(client, "careful", "typo 3")
    assert attempt(client, "careful", PASSWORD).status_code == 302


def test_admin_login_is_protected_too(settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="staffer", admin=True)
    client = Client()
    for _ in range(2):
        response = client.post("/admin/login/", {"username": "staffer", "password": "nope", "next": "/admin/"})
    assert response.status_code in (403, 429)


def test_pages_send_a_strict_content_security_policy(policy_client):
    policy = policy_client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "http" not in policy  # nothing allowed from another site


def test_pages_have_no_inline_scripts(policy_client, recommendation):
    """With script-src 'self', an inline script or event handler would silently not run."""
    for url in ["/recommendations/", f"/recommendations/{recommendation.uuid}/", "/reports/progress/", "/partners/"]:
        html = policy_client.get(url).content.decode()
        assert " onclick=" not in html and " onload=" not in html, url
        assert "<script>" not in html and '<script type="text/javascript">' not in html, url


def test_password_validators_refuse_weak_passwords(policy_client):
    response = policy_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert "too short" in errors and "too common" in errors


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
