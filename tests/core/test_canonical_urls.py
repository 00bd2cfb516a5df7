"""A write to an address without its trailing slash fails loudly (a JSON 404 naming the right address); it is never
redirected, since an HTTP client follows a 301 as a GET and reports success while nothing was written."""

import pytest

from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_without_the_trailing_slash_is_a_404_that_names_the_address(policy_api, recommendation, method):
    before = Recommendation.objects.count()
    for path in ["/api/v1/recommendations", f"/api/v1/recommendations/{recommendation.uuid}", "/api/v1/themes"]:
        response = getattr(policy_api, method)(path, {"title": "x"}, format="json", HTTP_IF_MATCH="*")
        assert response.status_code == 404, (method, path)
        body = response.json()
        assert body["code"] == "not_found" and f"{path}/" in body["message"]
    assert Recommendation.objects.count() == before


def test_a_read_without_the_trailing_slash_is_still_redirected(policy_api):
    response = policy_api.get("/api/v1/recommendations")
    assert response.status_code == 301 and response["Location"].endswith("/api/v1/recommendations/")


def test_a_form_post_without_the_slash_is_not_redirected_either(client):
    response = client.post("/accounts/login", {"username": "x", "password": "y"})
    assert response.status_code == 404
