"""The OpenAPI contract: served, valid, with error responses, conditional headers and typed filter parameters."""

import re

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(policy_api):
    response = policy_api.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_validates(api_client):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    validate_schema(SchemaGenerator().get_schema(request=None, public=True))


def test_every_operation_documents_its_errors(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "429"} <= codes, (method, path)
            for code in codes - {"200", "201", "204", "304"}:
                ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                expected = "Error"
                if code == "412":
                    expected = "PreconditionFailedError"
                elif code == "409" and method == "post":
                    expected = "AlreadyExistsError"
                assert ref == f"#/components/schemas/{expected}", (method, path, code)
            if method in {"put", "patch", "delete"}:
                assert {"412", "428", "404"} <= codes, (method, path)
                assert any(p["name"] == "If-Match" and p["required"] for p in operation["parameters"])
            if method == "get" and path.endswith("{uuid}/"):
                assert "ETag" in operation["responses"]["200"]["headers"] and "304" in codes
            if method == "post" and path in {"/api/v1/recommendations/", "/api/v1/status-updates/"}:
                assert "409" in codes


def test_filter_and_cursor_parameters_are_typed(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/recommendations/"]["get"]["parameters"]}
    assert parameters["status"]["type"] == "array" and "in_progress" in parameters["status"]["items"]["enum"]
    assert parameters["partner"]["type"] == "array"
    assert parameters["overdue"]["type"] == "boolean"
    assert parameters["target_before"] == {"type": "string", "format": "date"}
    assert parameters["updated_after"]["format"] == "date-time"
    assert parameters["page_size"]["maximum"] == 500
    assert parameters["cursor"]["type"] == "string"
    assert "-target_date" in parameters["ordering"]["items"]["enum"]
    report = {p["name"] for p in schema["paths"]["/api/v1/reports/progress/"]["get"]["parameters"]}
    assert {"status", "partner", "theme", "overdue", "q"} <= report
    feed = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/changes/"]["get"]["parameters"]}
    assert feed["after"]["type"] == "integer" and feed["limit"]["maximum"] == 500


def test_docs_are_served_without_a_cdn_and_without_an_inline_script(policy_api):
    response = policy_api.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page and "cdn." not in page and "unpkg" not in page
    assert "/static/drf_spectacular_sidecar/" in page
    # Every script is a file of this site: the content security policy (script-src 'self') runs them all.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", page)
    script = policy_api.get("/api/v1/docs/?script")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_schema_and_docs_need_an_account(api_client, token_client, policy_user):
    assert api_client.get("/api/v1/schema/").status_code == 401
    docs = api_client.get("/api/v1/docs/")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
    assert token_client(policy_user).get("/api/v1/schema/").status_code == 200


def test_the_api_root_is_an_index_of_what_it_offers(policy_api):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/").status_code == 401
    index = policy_api.get("/api/v1/").json()
    assert set(index["resources"]) == {
        "recommendations",
        "status-updates",
        "response-updates",
        "milestones",
        "assessments",
        "partner-statuses",
        "partner-status-updates",
        "evidence",
        "themes",
        "sources",
        "partners",
    }
    assert {"changes", "schema", "docs", "reports/progress"} <= set(index["endpoints"])
    for url in [*index["resources"].values(), *index["endpoints"].values()]:
        assert url.startswith("http://testserver/api/v1/")
        assert policy_api.get(url).status_code == 200, url


def test_swagger_ui_assets_are_served_locally(api_client):
    response = api_client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert response.status_code == 200


def test_typed_errors_name_what_a_client_reads(schema):
    """A generated client reads current_version from a 412 and the existing id and url from a 409 as typed fields."""
    components = schema["components"]["schemas"]
    stale = components["PreconditionFailedError"]
    assert {"message", "code", "current_version"} <= set(stale["required"])
    assert stale["properties"]["current_version"]["type"] == "integer"
    exists = components["AlreadyExistsError"]
    assert {"id", "url"} <= set(exists["required"])
    assert "current_version" not in components["Error"]["properties"]
    patch = schema["paths"]["/api/v1/recommendations/{uuid}/"]["patch"]
    example = patch["responses"]["412"]["content"]["application/json"]["examples"]["StaleVersion"]["value"]
    assert example["code"] == "precondition_failed" and isinstance(example["current_version"], int)


def test_every_operation_has_a_summary(schema):
    summaries = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            summaries[(method, path)] = operation["summary"]
    assert summaries[("post", "/api/v1/recommendations/")] == "Create a recommendation"
    assert summaries[("get", "/api/v1/partners/")] == "List partners"
    assert summaries[("delete", "/api/v1/themes/{uuid}/")] == "Delete a theme"


def test_write_operations_carry_examples_that_the_api_accepts(schema, policy_api, commentary):
    """The request examples are not decoration: sent as they stand to the shipped data, they do what they say."""

    def example(path: str, method: str) -> dict:
        content = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
        return next(iter(content["examples"].values()))["value"]

    body = example("/api/v1/recommendations/", "post")
    response = policy_api.post("/api/v1/recommendations/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == body["id"]
    again = policy_api.post("/api/v1/recommendations/", body, format="json")
    assert again.status_code == 409 and again.json()["id"] == body["id"]
    url = response.json()["url"]
    patch = policy_api.patch(
        url, example("/api/v1/recommendations/{uuid}/", "patch"), format="json", HTTP_IF_MATCH='"1"'
    )
    assert patch.status_code == 200 and patch.json()["status"] == "in_progress"
    change = example("/api/v1/status-updates/", "post")
    created = policy_api.post("/api/v1/status-updates/", change, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["id"] == change["id"]


def test_descending_orderings_have_readable_names(schema):
    ordering = next(
        p for p in schema["paths"]["/api/v1/recommendations/"]["get"]["parameters"] if p["name"] == "ordering"
    )["schema"]["items"]
    names = dict(zip(ordering["enum"], ordering["x-enum-varnames"], strict=True))
    assert names["-target_date"] == "TARGET_DATE_DESC" and names["target_date"] == "TARGET_DATE"


def test_the_feed_page_discriminates_data_by_object_type(schema):
    components = schema["components"]["schemas"]
    answer = schema["paths"]["/api/v1/changes/"]["get"]["responses"]["200"]["content"]["application/json"]
    page = components[answer["schema"]["$ref"].rsplit("/", 1)[1]]
    assert page["properties"]["next_after"]["type"] == "integer" and page["properties"]["next_after"]["nullable"]
    results = page["properties"]["results"]["items"]
    change = components[results["$ref"].rsplit("/", 1)[1]] if "$ref" in results else results
    discriminator = change.get("discriminator") or {}
    assert discriminator.get("propertyName") == "object_type", change
    assert {"recommendation", "partner", "theme", "source", "status_update"} <= set(discriminator["mapping"])


def test_lists_give_the_next_cursor_as_a_field_and_a_link_header(policy_api, make_recommendations):
    make_recommendations(3)
    first = policy_api.get("/api/v1/recommendations/?page_size=2")
    body = first.json()
    assert body["next_cursor"] and body["previous_cursor"] is None
    assert first["Link"] == f'<{body["next"]}>; rel="next"'
    second = policy_api.get(f"/api/v1/recommendations/?page_size=2&cursor={body['next_cursor']}")
    assert second.json()["next_cursor"] is None and second.json()["previous_cursor"]
    assert 'rel="prev"' in second["Link"] and 'rel="next"' not in second["Link"]
