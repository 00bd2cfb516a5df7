"""Request bodies are refused by their declared length on every URL, with 413, before anything reads them."""

import pytest
from django.test import Client

from core.spreadsheets import MAX_FILE_BYTES
from tests.test_authorisation import ROUTES, world  # noqa: F401 (world is a fixture)

pytestmark = pytest.mark.django_db

HUNDRED_MB = 100 * 1024 * 1024


class Untouchable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args, **kwargs):
        raise AssertionError("the body was read")

    readline = read


def post(client: Client, url: str, length: int, content_type: str = "multipart/form-data; boundary=x"):
    return client.generic(
        "POST", url, b"", content_type=content_type, CONTENT_LENGTH=str(length), **{"wsgi.input": Untouchable()}
    )


@pytest.mark.parametrize("pattern", sorted(ROUTES))
def test_every_url_refuses_a_huge_body_unread(world, pattern):  # noqa: F811
    url = ROUTES[pattern].url(world)
    response = post(Client(), url, HUNDRED_MB)
    assert response.status_code == 413, url
    assert response["Connection"] == "close"


def test_the_sign_in_page_says_so_in_a_page_and_the_api_in_json():
    page = post(Client(), "/accounts/login/", HUNDRED_MB)
    assert "too large" in page.content.decode() and page["Content-Type"].startswith("text/html")
    api = post(Client(), "/api/v1/recommendations/", 3 * 1024 * 1024, "application/json")
    assert api.json()["code"] == "request_too_large"


def test_ordinary_bodies_pass_and_the_import_takes_its_file_size(policy_client):
    assert post(policy_client, "/accounts/login/", 10_000, "application/x-www-form-urlencoded").status_code != 413
    url = "/admin/recommendations/recommendation/import/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    near_limit = policy_client.post(
        url, {"file": SimpleUploadedFile("a.csv", b"reference\n" + b"x" * (4 * 1024 * 1024))}
    )
    assert near_limit.status_code == 200  # read, and answered with its (row) errors
    assert post(policy_client, url, MAX_FILE_BYTES + 1024 * 1024).status_code == 413


def test_a_length_that_is_no_number_is_a_bad_request():
    response = Client().generic("POST", "/accounts/login/", b"", CONTENT_LENGTH="lots")
    assert response.status_code == 400
