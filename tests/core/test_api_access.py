"""Who may do what through the API: the role matrix over every endpoint and method, tokens, and throttling."""

import io
import itertools
import re
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ApiToken
from core.services import api_token_create, api_token_revoke
from tests.factories import PartnerFactory, SourceFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "manager", "policy", "read_token", "write_token", "admin"]


@pytest.fixture
def world(recommendation, partner, theme, source):
    """Objects to act on: a recommendation with its entry, and a partner, theme and source nobody uses."""
    return {
        "recommendation": recommendation,
        "entry": recommendation.status_updates.get(),
        "partner": PartnerFactory(slug="spare-partner", name="Spare partner"),
        "theme": ThemeFactory(slug="spare-theme", name="Spare theme"),
        "source": SourceFactory(slug="spare-source", title="Spare source"),
        "used": {"partner": partner, "theme": theme, "source": source},
    }


def client_for(role, request) -> APIClient:
    if role == "anonymous":
        return APIClient()
    if role in {"read_token", "write_token"}:
        user = request.getfixturevalue("policy_user")
        _, raw = api_token_create(user=user, name="tool", can_write=role == "write_token")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client
    user = request.getfixturevalue({"manager": "manager_user", "policy": "policy_user", "admin": "superuser"}[role])
    client = APIClient()
    client.force_login(user)  # session authentication, as the browsable API uses
    return client


def _new_slug():
    return f"n-{uuid.uuid4().hex[:8]}"


# operation -> (method, path(world), body(world) or None, needs If-Match, expected on success)
OPERATIONS = {
    "recommendations.list": ("get", lambda w: "/api/v1/recommendations/", None, False, 200),
    "recommendations.retrieve": (
        "get",
        lambda w: f"/api/v1/recommendations/{w['recommendation'].uuid}/",
        None,
        False,
        200,
    ),
    "recommendations.create": (
        "post",
        lambda w: "/api/v1/recommendations/",
        lambda w: {"reference": _new_slug(), "title": "T", "description": "D", "source": w["used"]["source"].slug},
        False,
        201,
    ),
    "recommendations.partial_update": (
        "patch",
        lambda w: f"/api/v1/recommendations/{w['recommendation'].uuid}/",
        lambda w: {"title": "Changed"},
        True,
        200,
    ),
    "recommendations.update": (
        "put",
        lambda w: f"/api/v1/recommendations/{w['recommendation'].uuid}/",
        lambda w: {"reference": "TST-01", "title": "Put", "description": "D", "source": w["used"]["source"].slug},
        True,
        200,
    ),
    "recommendations.destroy": (
        "delete",
        lambda w: f"/api/v1/recommendations/{w['recommendation'].uuid}/",
        None,
        True,
        204,
    ),
    "status-updates.list": ("get", lambda w: "/api/v1/status-updates/", None, False, 200),
    "status-updates.retrieve": ("get", lambda w: f"/api/v1/status-updates/{w['entry'].uuid}/", None, False, 200),
    "status-updates.create": (
        "post",
        lambda w: "/api/v1/status-updates/",
        lambda w: {"recommendation": str(w["recommendation"].uuid), "to_status": "in_progress"},
        False,
        201,
    ),
    "changes.list": ("get", lambda w: "/api/v1/changes/", None, False, 200),
    "reports.progress": ("get", lambda w: "/api/v1/reports/progress/", None, False, 200),
}
_PUT_BODIES = {
    "partners": {"slug": "spare-partner", "name": "Spare partner", "kind": "region"},
    "themes": {"slug": "spare-theme", "name": "Spare theme", "description": "Put."},
    "sources": {"slug": "spare-source", "title": "Spare source", "kind": "review"},
}
for _kind, _body in {
    "partners": lambda: {"slug": _new_slug(), "name": _new_slug(), "kind": "country"},
    "themes": lambda: {"slug": _new_slug(), "name": _new_slug()},
    "sources": lambda: {"slug": _new_slug(), "title": "A report"},
}.items():
    _key = _kind[:-1]
    OPERATIONS.update(
        {
            f"{_kind}.list": ("get", lambda w, k=_kind: f"/api/v1/{k}/", None, False, 200),
            f"{_kind}.retrieve": ("get", lambda w, k=_kind, o=_key: f"/api/v1/{k}/{w[o].uuid}/", None, False, 200),
            f"{_kind}.create": ("post", lambda w, k=_kind: f"/api/v1/{k}/", lambda w, b=_body: b(), False, 201),
            f"{_kind}.partial_update": (
                "patch",
                lambda w, k=_kind, o=_key: f"/api/v1/{k}/{w[o].uuid}/",
                lambda w: {"description": "Changed."},
                True,
                200,
            ),
            f"{_kind}.update": (
                "put",
                lambda w, k=_kind, o=_key: f"/api/v1/{k}/{w[o].uuid}/",
                lambda w, k=_kind: _PUT_BODIES[k],
                True,
                200,
            ),
            f"{_kind}.destroy": ("delete", lambda w, k=_kind, o=_key: f"/api/v1/{k}/{w[o].uuid}/", None, True, 204),
        }
    )


def expected_status(role: str, operation: str) -> int:
    method, _, _, _, success = OPERATIONS[operation]
    if role == "anonymous":
        return 401
    if method == "get":
        return success
    if role in {"manager", "read_token"}:
        return 403
    if method == "delete" and role != "admin":
        return 403
    return success


@pytest.mark.parametrize(("role", "operation"), list(itertools.product(ROLES, OPERATIONS)))
def test_role_matrix(role, operation, world, request):
    client = client_for(role, request)
    method, path, body, conditional, _ = OPERATIONS[operation]
    kwargs = {"format": "json"}
    if body is not None:
        kwargs["data"] = body(world)
    if conditional:
        kwargs["HTTP_IF_MATCH"] = "*"
    response = getattr(client, method)(path(world), **kwargs)
    assert response.status_code == expected_status(role, operation), (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert set(response.json()) >= {"message", "code"}


def test_deleting_a_partner_in_use_is_409(superuser, api_client, world):
    api_client.force_authenticate(superuser)
    used = world["used"]["partner"]
    response = api_client.delete(f"/api/v1/partners/{used.uuid}/", HTTP_IF_MATCH='"1"')
    assert response.status_code == 409 and response.json()["code"] == "in_use"


# --- Tokens ----------------------------------------------------------------------------------------------------------


def test_token_schemes_bearer_and_token(policy_user):
    _, raw = api_token_create(user=policy_user, name="tool")
    for scheme in ["Bearer", "Token", "bearer"]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {raw}")
        assert client.get("/api/v1/themes/").status_code == 200, scheme


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer abc.def", "Bearer ", "Bearer a b", "Token {prefix}.wrong-secret"],
)
def test_unknown_or_malformed_tokens_are_401(policy_user, header):
    token, _ = api_token_create(user=policy_user, name="tool")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(prefix=token.prefix))
    response = client.get("/api/v1/themes/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_and_revoked_tokens_are_401(policy_user):
    expired, expired_raw = api_token_create(
        user=policy_user, name="old", expires_at=timezone.now() - timedelta(seconds=1)
    )
    revoked, revoked_raw = api_token_create(user=policy_user, name="gone")
    api_token_revoke(token=revoked)
    for raw, word in [(expired_raw, "expired"), (revoked_raw, "revoked")]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = client.get("/api/v1/themes/")
        assert response.status_code == 401 and word in response.json()["message"]


def test_token_of_inactive_user_is_401(policy_user):
    _, raw = api_token_create(user=policy_user, name="tool")
    policy_user.is_active = False
    policy_user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/themes/").status_code == 401


def test_write_token_is_limited_by_its_users_permissions(manager_user, token_client):
    client = token_client(manager_user, can_write=True)
    assert client.get("/api/v1/themes/").status_code == 200
    assert client.post("/api/v1/themes/", {"slug": "x", "name": "X"}, format="json").status_code == 403


def test_read_only_token_of_an_admin_cannot_write(superuser, token_client):
    client = token_client(superuser)
    response = client.post("/api/v1/themes/", {"slug": "x", "name": "X"}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["message"]


def test_last_used_is_written_at_most_once_a_minute(policy_user, token_client, django_assert_num_queries):
    client = token_client(policy_user)
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    client.get("/api/v1/themes/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/themes/")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/themes/")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_create_api_token_command_prints_the_token_last(policy_user):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token", "policy", "--write", "--expires-days", "30", "--name", "sync", stdout=out, stderr=err
    )
    raw = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert raw.startswith(f"{token.prefix}.") and token.can_write and token.name == "sync"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.post("/api/v1/themes/", {"slug": "new", "name": "New"}, format="json").status_code == 201


def test_create_api_token_command_defaults_to_read_only_and_refuses_unknown_users(policy_user):
    out = io.StringIO()
    call_command("create_api_token", "policy", stdout=out, stderr=io.StringIO())
    assert not ApiToken.objects.get().can_write and ApiToken.objects.get().expires_at is None
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_token_admin_shows_the_token_once_and_never_the_hash(superuser_client, policy_user):
    response = superuser_client.post(
        "/admin/core/apitoken/add/", {"user": policy_user.pk, "name": "ministry tracker", "can_write": "on"}
    )
    assert response.status_code == 200  # the token's page itself, no redirect
    token = ApiToken.objects.get()
    raw = re.search(r'id="issued-token" type="text" value="([^"]+)"', response.content.decode()).group(1)
    assert raw.startswith(token.prefix + ".")
    assert "no-store" in response["Cache-Control"]
    # Never in a message: the messages cookie is signed, not encrypted, and travels with every request after.
    assert raw not in "".join(str(morsel) for morsel in response.cookies.values())
    assert not list(response.wsgi_request._messages)
    assert raw not in superuser_client.get("/admin/core/apitoken/").content.decode()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/themes/").status_code == 200
    page = superuser_client.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash not in page and raw not in page


def test_token_admin_revokes(superuser_client, policy_user):
    token, raw = api_token_create(user=policy_user, name="tool")
    superuser_client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_admin_is_for_superusers_only(policy_client):
    assert policy_client.get("/admin/core/apitoken/").status_code == 403


# --- Throttling ------------------------------------------------------------------------------------------------------


def _rates(user: str, token: str) -> dict:
    from django.conf import settings

    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": user, "token": token}}


def test_user_throttle_answers_429_with_retry_after(policy_user):
    with override_settings(REST_FRAMEWORK=_rates("3/minute", "100/minute")):
        client = APIClient()
        client.force_login(policy_user)
        codes = [client.get("/api/v1/themes/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = client.get("/api/v1/themes/")
        assert response.json()["code"] == "throttled" and int(response["Retry-After"]) > 0
        other = APIClient()
        other.force_login(UserFactory(manager=True))
        assert other.get("/api/v1/themes/").status_code == 200  # per user


def test_token_throttle_is_per_token(policy_user, token_client):
    with override_settings(REST_FRAMEWORK=_rates("100/minute", "2/minute")):
        first, second = token_client(policy_user), token_client(policy_user)
        assert [first.get("/api/v1/themes/").status_code for _ in range(3)] == [200, 200, 429]
        assert second.get("/api/v1/themes/").status_code == 200
