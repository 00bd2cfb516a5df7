"""The interface language: Accept-Language on a first visit, the switch, the cookie, and the user's stored choice."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from core.models import UserPreferences

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    page = response.content.decode()
    start = page.index("<html lang=") + len('<html lang="')
    return page[start : page.index('"', start)]


def test_a_first_visit_follows_accept_language(client):
    assert html_lang(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ja,en;q=0.8")) == "ja"
    assert html_lang(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")) == "en"
    answer = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang(answer) == settings.LANGUAGE_CODE
    assert answer["Content-Language"] == settings.LANGUAGE_CODE and "Accept-Language" in answer["Vary"]


def test_the_switch_sets_a_cookie_before_sign_in_and_goes_back(client):
    answer = client.post("/accounts/language/", {"language": "ja", "next": "/accounts/login/?next=/reports/"})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/?next=/reports/"
    assert answer.cookies[COOKIE].value == "ja" and answer.cookies[COOKIE]["httponly"]
    # The cookie wins over the browser's own preference from then on.
    assert html_lang(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")) == "ja"


@pytest.mark.parametrize("language", ["", "fr", "ja-JP", "x" * 300])
def test_the_switch_refuses_languages_it_does_not_offer(client, language):
    answer = client.post("/accounts/language/", {"language": language})
    assert answer.status_code == 400 and COOKIE not in answer.cookies


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_the_switch_never_sends_anyone_elsewhere(client, target):
    answer = client.post("/accounts/language/", {"language": "en", "next": target})
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_the_switch_answers_posts_only(client):
    assert client.get("/accounts/language/?language=ja").status_code == 405


def test_a_signed_in_users_choice_is_stored_and_follows_them_to_another_browser(client, policy_user):
    client.force_login(policy_user)
    client.post("/accounts/language/", {"language": "ja", "next": "/recommendations/"})
    assert UserPreferences.objects.get(user=policy_user).language == "ja"
    policy_user.set_password("a long enough password 1")
    policy_user.save()
    from django.test import Client

    elsewhere = Client()  # a browser that asks for English and never chose
    answer = elsewhere.post(
        "/accounts/login/",
        {"username": policy_user.username, "password": "a long enough password 1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 302 and answer.cookies[COOKIE].value == "ja"
    assert html_lang(elsewhere.get("/recommendations/", HTTP_ACCEPT_LANGUAGE="en")) == "ja"


def test_a_choice_made_before_signing_in_becomes_the_users(client):
    user = User.objects.create_user("newcomer", password="a long enough password 1")
    client.post("/accounts/language/", {"language": "ja"})
    client.post("/accounts/login/", {"username": "newcomer", "password": "a long enough password 1"})
    assert UserPreferences.objects.get(user=user).language == "ja"


def test_every_page_has_the_switch_and_its_lang(policy_client):
    page = policy_client.get("/recommendations/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'action="/accounts/language/"' in page
    assert 'lang="ja" aria-pressed="true"' in page and 'lang="en" aria-pressed="false"' in page


def test_the_admin_has_the_switch_too(superuser_client):
    page = superuser_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="ja"' in page and 'action="/accounts/language/"' in page
