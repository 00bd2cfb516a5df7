"""A writer that cannot get the writers' lock in time is answered 503 with Retry-After (API, pages, admin), never a 500,
and nothing is written; reads go on. Another connection holds the lock, as a long import would: on PostgreSQL the
advisory lock, on SQLite the database's write lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from django.db import connection
from django.urls import reverse

from core.changes import WRITE_LOCK_KEY
from recommendations.models import Recommendation, StatusUpdate

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real locks between connections


@pytest.fixture
def held_lock(settings) -> Iterator[None]:
    """Another connection holds the writers' lock; writes here wait at most half a second."""
    settings.WRITE_LOCK_TIMEOUT_SECONDS = 0.5
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        other = psycopg.connect(**params, autocommit=True)
        other.execute("SELECT pg_advisory_lock(%s)", [WRITE_LOCK_KEY])
        try:
            yield
        finally:
            other.execute("SELECT pg_advisory_unlock(%s)", [WRITE_LOCK_KEY])
            other.close()
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (original,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 500")
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(original)}")


@pytest.fixture
def writer(token_client, policy_user):
    """An API client with a write token (made before the lock is taken: issuing a token writes too)."""
    return token_client(policy_user, can_write=True)


def test_an_api_write_is_a_503_with_retry_after_and_writes_nothing(recommendation, writer, held_lock):
    client = writer
    response = client.patch(
        f"/api/v1/recommendations/{recommendation.uuid}/", {"title": "Changed"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response.json()["code"] == "write_busy"
    assert Recommendation.objects.get(pk=recommendation.pk).title != "Changed"
    # Reading goes on meanwhile, with the same token.
    assert client.get(f"/api/v1/recommendations/{recommendation.uuid}/").status_code == 200


def test_a_status_change_on_the_page_is_a_503_page(recommendation, policy_client, held_lock):
    url = reverse("recommendations:status", args=[recommendation.uuid])
    response = policy_client.post(url, {"status": "in_progress", "note": "", "version": recommendation.version})
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "Try again in a few seconds" in response.content.decode()
    assert StatusUpdate.objects.filter(recommendation=recommendation).count() == 1


def test_an_admin_save_is_a_503(recommendation, policy_client, held_lock):
    from tests.recommendations.admin_helpers import change_url, form_data

    response = policy_client.post(change_url(recommendation), form_data(recommendation, title_en="Changed"))
    assert response.status_code == 503
    assert Recommendation.objects.get(pk=recommendation.pk).title != "Changed"


def test_once_the_lock_is_free_the_write_goes_through(recommendation, token_client, policy_user, settings):
    settings.WRITE_LOCK_TIMEOUT_SECONDS = 0.5
    client = token_client(policy_user, can_write=True)
    response = client.patch(
        f"/api/v1/recommendations/{recommendation.uuid}/", {"title": "Changed"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200
