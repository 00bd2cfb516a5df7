"""The health endpoint answers without login: 200 when the database answers, 503 when it does not."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.mark.django_db
def test_healthy_without_login():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_unavailable_database_is_503():
    with mock.patch("config.views.connection.cursor", side_effect=OperationalError("connection refused")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.django_db
def test_every_response_carries_a_request_id():
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")
    assert response["X-Request-ID"] == "lb-1234abcd"
    generated = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert generated["X-Request-ID"] != "bad id\nwith newline" and len(generated["X-Request-ID"]) == 32
