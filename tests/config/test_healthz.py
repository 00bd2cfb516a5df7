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


@pytest.mark.django_db
def test_load_balancer_probe_by_address_over_http_is_answered(settings):
    """A probe by the host's address over plain HTTP gets the health, not a 400 for the host or a 301 to HTTPS."""
    settings.ALLOWED_HOSTS = ["tracker.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/healthz", HTTP_HOST="10.0.0.12:8000")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    # Every other path still gets the host check and the redirect.
    assert Client().get("/recommendations/", HTTP_HOST="10.0.0.12:8000").status_code == 400
    assert Client().get("/recommendations/", HTTP_HOST="tracker.example.org").status_code == 301


@pytest.mark.django_db
def test_health_check_only_answers_get():
    assert Client().post("/healthz").status_code == 405
