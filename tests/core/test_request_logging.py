"""One structured log line per request, carrying the request id that the response returns."""

import logging

import pytest


@pytest.mark.django_db
def test_each_request_is_logged_with_its_id(client, caplog, policy_user):
    client.force_login(policy_user)
    with caplog.at_level(logging.INFO, logger="tracker.request"):
        response = client.get("/admin/", HTTP_X_REQUEST_ID="trace-0001")
    records = [r for r in caplog.records if r.name == "tracker.request"]
    assert len(records) == 1
    record = records[0]
    assert (record.method, record.path, record.status) == ("GET", "/admin/", 200)
    assert record.request_id == "trace-0001" == response["X-Request-ID"]
    assert record.user_id == policy_user.pk
    assert record.duration_ms >= 0


def test_json_formatter_writes_one_object_per_line():
    import json

    from pythonjsonlogger.json import JsonFormatter

    from core.request_id import RequestIdLogFilter

    formatter = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
    record = logging.LogRecord("tracker.request", logging.INFO, __file__, 1, "GET / 200", None, None)
    record.status = 200
    RequestIdLogFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert line["message"] == "GET / 200" and line["status"] == 200 and line["request_id"] == "-"


@pytest.mark.django_db
def test_change_history_entries_carry_the_request_id(policy_client):
    from core.models import ChangeEvent

    response = policy_client.post(
        "/admin/recommendations/theme/add/",
        {"name_en": "Space", "slug": "space", "description_en": ""},
        HTTP_X_REQUEST_ID="trace-0002-write",
    )
    assert response.status_code == 302
    assert ChangeEvent.objects.get(object_repr="Space").request_id == "trace-0002-write"


@pytest.mark.django_db
def test_api_changes_carry_the_id_the_response_returns(token_client, policy_user, recommendation):
    """Without an incoming id the middleware makes one: the change feed stores the one the client got back."""
    from core.models import ChangeEvent

    client = token_client(policy_user, can_write=True)
    after = ChangeEvent.objects.latest("seq").seq
    response = client.patch(
        f"/api/v1/recommendations/{recommendation.uuid}/",
        {"status": "in_progress", "status_note": "Working group set up"},
        format="json",
        HTTP_IF_MATCH=f'"{recommendation.version}"',
    )
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    events = ChangeEvent.objects.filter(seq__gt=after).order_by("seq")
    assert [(e.object_type, e.action, e.request_id) for e in events] == [
        ("recommendation", "updated", request_id),
        ("status_update", "created", request_id),
    ]
    feed = client.get("/api/v1/changes/", {"after": after}).json()["results"]
    assert {item["request_id"] for item in feed} == {request_id}


@pytest.mark.django_db
def test_web_status_change_carries_the_request_id_and_the_admin_history_shows_it(
    policy_client, superuser_client, recommendation
):
    from core.models import ChangeEvent

    after = ChangeEvent.objects.latest("seq").seq
    response = policy_client.post(
        f"/recommendations/{recommendation.uuid}/status/",
        {"status": "under_review", "note": "", "evidence_url": "", "version": recommendation.version},
    )
    assert response.status_code == 302
    request_id = response["X-Request-ID"]
    assert set(ChangeEvent.objects.filter(seq__gt=after).values_list("request_id", flat=True)) == {request_id}
    history = superuser_client.get(f"/admin/recommendations/recommendation/{recommendation.pk}/history/")
    assert history.status_code == 200
    assert f"<code>{request_id}</code>" in history.content.decode()
