"""One behaviour for every resource: a client-chosen id makes every create idempotent (409 with Location), unknown
fields in a body are a 400, and a single-valued query parameter given twice is a 400, on the API and the pages."""

import uuid

import pytest

pytestmark = pytest.mark.django_db

BODIES = {
    "recommendations": lambda source: {"reference": "ID-1", "title": "T", "description": "D", "source": source.slug},
    "themes": lambda source: {"slug": "id-theme", "name": "Id theme"},
    "sources": lambda source: {"slug": "id-source", "title": "Id source"},
    "partners": lambda source: {"slug": "id-partner", "name": "Id partner", "kind": "country"},
}


@pytest.mark.parametrize("collection", BODIES)
def test_a_retried_create_with_the_same_id_is_409_pointing_at_the_object(policy_api, source, collection):
    chosen = str(uuid.uuid4())
    body = {**BODIES[collection](source), "id": chosen}
    first = policy_api.post(f"/api/v1/{collection}/", body, format="json")
    assert first.status_code == 201 and first.json()["id"] == chosen
    retry = policy_api.post(f"/api/v1/{collection}/", body, format="json")
    assert retry.status_code == 409
    assert retry["Location"] == first["Location"] == retry.json()["url"]
    assert retry.json()["code"] == "already_exists" and retry.json()["id"] == chosen


def test_a_retried_status_update_with_the_same_id_is_409(policy_api, recommendation):
    body = {"id": str(uuid.uuid4()), "recommendation": str(recommendation.uuid), "to_status": "in_progress"}
    assert policy_api.post("/api/v1/status-updates/", body, format="json").status_code == 201
    retry = policy_api.post("/api/v1/status-updates/", body, format="json")
    assert retry.status_code == 409 and retry["Location"].endswith(f"/{body['id']}/")


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/recommendations/", "ordering=reference&ordering=-title"),
        ("/api/v1/recommendations/", "page_size=5&page_size=500"),
        ("/api/v1/recommendations/", "q=a&q=b"),
        ("/api/v1/recommendations/", "overdue=true&overdue=false"),
        ("/api/v1/recommendations/", "cursor=a&cursor=b"),
        ("/api/v1/status-updates/", "created_after=2026-01-01&created_after=2026-02-01"),
        ("/api/v1/changes/", "after=1&after=2"),
        ("/api/v1/changes/", "limit=5&limit=6"),
        ("/api/v1/reports/progress/", "stale=3&stale=4"),
        ("/api/v1/themes/", "page_size=5&page_size=6"),
        ("/api/v1/recommendations/", "format=json&format=json"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_a_400_naming_it(policy_api, path, query):
    response = policy_api.get(f"{path}?{query}")
    assert response.status_code == 400
    name = query.split("=", 1)[0]
    assert response.json()["errors"] == {name: ["Give this parameter once (it takes one value)."]}


def test_repeatable_filters_still_take_every_value(policy_api, catalogue):
    response = policy_api.get("/api/v1/recommendations/?status=proposed&status=in_progress&partner=quad&partner=x")
    assert response.status_code == 400  # x is no partner: every value is read, none dropped
    response = policy_api.get("/api/v1/recommendations/?status=proposed&status=in_progress&partner=quad&partner=india")
    assert response.status_code == 200
    assert {item["reference"] for item in response.json()["results"]} == {"A", "B"}


def test_the_pages_refuse_a_single_valued_parameter_given_twice_too(manager_client):
    response = manager_client.get("/recommendations/?ordering=title&ordering=-title")
    assert response.status_code == 400
    assert "Give this parameter once" in response.content.decode()
