"""What a client expects of the plumbing: gzip for larger JSON, rate-limit headers counted in the shared cache, and
/api/v1/me/ saying who it is."""

import gzip
import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from core.services import api_token_create
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_larger_json_is_gzipped_for_clients_that_accept_it(policy_api):
    for number in range(20):
        RecommendationFactory(reference=f"G-{number:02d}")
    plain = policy_api.get("/api/v1/recommendations/")
    assert "Content-Encoding" not in plain
    zipped = policy_api.get("/api/v1/recommendations/", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == plain.json()
    assert len(zipped.content) < len(plain.content) / 3


def test_a_gzipped_answer_keeps_its_etag_strong_so_a_client_can_write_with_it(policy_api, recommendation):
    """Regression: Django's gzip weakened the ETag (W/"1"), and the If-Match a client sent back was always a 412."""
    recommendation.description = "A long description. " * 100
    recommendation.save()
    url = f"/api/v1/recommendations/{recommendation.uuid}/"
    read = policy_api.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert read["Content-Encoding"] == "gzip" and "Accept-Encoding" in read["Vary"]
    assert read["ETag"] == f'"{recommendation.version}"'
    write = policy_api.patch(url, {"team": "Maritime"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert write.status_code == 200
    assert policy_api.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=write["ETag"]).status_code == 304


def test_small_json_and_html_pages_are_not_gzipped(policy_api, policy_client):
    small = policy_api.get("/api/v1/themes/", HTTP_ACCEPT_ENCODING="gzip")
    assert small.status_code == 200 and "Content-Encoding" not in small
    page = policy_client.get("/recommendations/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in page  # pages carry CSRF tokens: no compression next to reflected input


@override_settings(
    REST_FRAMEWORK={
        **__import__("django.conf", fromlist=["settings"]).settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "5/minute", "token": "3/minute"},
    }
)
def test_rate_limit_headers_count_down_and_a_429_says_when(policy_user):
    _, raw = api_token_create(user=policy_user, name="counted")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    answers = [client.get("/api/v1/themes/") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]
    assert {answer["X-RateLimit-Limit"] for answer in answers} == {"3"}  # the token's, tighter than the user's
    reset = int(answers[0]["X-RateLimit-Reset"])
    assert 0 < reset - timezone.now().timestamp() <= 60
    assert 1 <= int(answers[3]["Retry-After"]) <= 60


def test_me_says_who_a_token_client_is(policy_user):
    _, raw = api_token_create(
        user=policy_user, name="ministry tool", can_write=False, expires_at=timezone.now() + timedelta(days=30)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "policy" and me["role"] == "policy_team" and me["authentication"] == "token"
    assert me["token"]["scope"] == "read" and me["token"]["name"] == "ministry tool"
    assert me["token"]["expires_at"] is not None and raw.startswith(me["token"]["prefix"])
    assert "recommendations.view_recommendation" in me["permissions"]
    assert all(".view_" in name for name in me["permissions"])  # a read token only reads


def test_me_for_a_session_and_for_nobody(manager_user):
    client = APIClient()
    assert client.get("/api/v1/me/").status_code == 401
    client.force_login(manager_user)
    me = client.get("/api/v1/me/").json()
    assert me["role"] == "manager" and me["token"] is None and me["authentication"] == "session"
