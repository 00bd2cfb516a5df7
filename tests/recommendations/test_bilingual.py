"""Bilingual content: the API's shape and language negotiation, writes in either language, search across both
languages (SQLite and PostgreSQL alike: the suite runs on both), and pages that mark a value shown in the other
language."""

import pytest
from django.test import Client

from core.models import ChangeEvent
from recommendations.models import Recommendation
from recommendations.services import recommendation_change_status, recommendation_update

pytestmark = pytest.mark.django_db

LIST = "/api/v1/recommendations/"


def detail(recommendation: Recommendation) -> str:
    return f"{LIST}{recommendation.uuid}/"


@pytest.fixture
def bilingual(recommendation, policy_user):
    """The test recommendation with a Japanese title and description beside its English ones."""
    recommendation_update(
        recommendation=recommendation,
        actor=policy_user,
        data={"title_ja": "海洋安全保障協力を強化する", "description_ja": "日豪は海洋安全保障協力を強化すべきである。"},
    )
    recommendation.refresh_from_db()
    return recommendation


# --- Reading ------------------------------------------------------------------------------------------------------


def test_the_representation_has_both_languages_and_the_plain_field_in_the_one_asked_for(policy_api, bilingual):
    japanese = policy_api.get(detail(bilingual), HTTP_ACCEPT_LANGUAGE="ja")
    assert japanese["Content-Language"] == "ja" and "Accept-Language" in japanese["Vary"]
    body = japanese.json()
    assert body["title"] == body["title_ja"] == "海洋安全保障協力を強化する"
    assert body["title_en"] == "Strengthen maritime cooperation"
    assert body["partners"][0]["name_en"] == "Australia" and body["partners"][0]["name_ja"] == ""
    assert body["partners"][0]["name"] == "Australia"  # no Japanese name yet: the English one

    english = policy_api.get(detail(bilingual), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert english["Content-Language"] == "en"
    assert english.json()["title"] == "Strengthen maritime cooperation"
    assert {key: english.json()[key] for key in ("title_ja", "title_en")} == {
        key: body[key] for key in ("title_ja", "title_en")
    }


def test_the_list_and_the_detail_agree_in_japanese(policy_api, bilingual):
    listed = policy_api.get(LIST, HTTP_ACCEPT_LANGUAGE="ja").json()["results"][0]
    assert listed == policy_api.get(detail(bilingual), HTTP_ACCEPT_LANGUAGE="ja").json()


def test_api_errors_follow_accept_language_and_codes_stay_english(policy_api, source):
    response = policy_api.post(
        LIST, {"reference": "", "title": "x", "source": source.slug}, format="json", HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert response.status_code == 400 and response["Content-Language"] == "ja"
    body = response.json()
    assert "この項目は空にできません。" in str(body["errors"]["reference"])
    assert body["code"].isascii() and body["code"]


def test_the_feed_stores_both_languages_and_answers_in_the_one_asked_for(policy_api, bilingual):
    event = ChangeEvent.objects.filter(object_id=bilingual.uuid, object_type="recommendation").latest("seq")
    assert event.data["title_ja"] == "海洋安全保障協力を強化する" and event.data["title"] == bilingual.title_en
    assert set(event.changes) == {"title_ja", "description_ja"}
    feed = policy_api.get("/api/v1/changes/", {"object_type": "recommendation"}, HTTP_ACCEPT_LANGUAGE="ja").json()
    assert feed["results"][-1]["data"]["title"] == "海洋安全保障協力を強化する"


def test_the_schema_documents_both_languages():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    read = components["Recommendation"]["properties"]
    assert {"title", "title_ja", "title_en"} <= set(read)
    write = next(c for name, c in components.items() if name.startswith("RecommendationWrite"))["properties"]
    assert {"title", "title_ja", "title_en", "description_ja", "description_en"} <= set(write)


# --- Writing ------------------------------------------------------------------------------------------------------


def test_a_plain_field_is_written_in_the_request_language(policy_api, source, partner):
    body = {"reference": "JA-1", "title": "日本語だけの提言", "description": "説明", "source": source.slug}
    response = policy_api.post(LIST, body, format="json", HTTP_CONTENT_LANGUAGE="ja")
    assert response.status_code == 201, response.json()
    created = Recommendation.objects.get(reference="JA-1")
    assert (created.title_ja, created.title_en) == ("日本語だけの提言", "")
    assert created.title == "日本語だけの提言"  # the own column: the canonical value, here the only one


def test_explicit_language_columns_win_and_a_patch_leaves_the_other_language(policy_api, bilingual):
    response = policy_api.patch(
        detail(bilingual),
        {"title": "ignored, a fallback copy", "title_en": "Deepen maritime cooperation"},
        format="json",
        HTTP_IF_MATCH=f'"{bilingual.version}"',
        HTTP_CONTENT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.json()
    bilingual.refresh_from_db()
    assert bilingual.title_en == "Deepen maritime cooperation"
    assert bilingual.title_ja == "海洋安全保障協力を強化する"


def test_a_title_in_no_language_is_refused(policy_api, bilingual):
    response = policy_api.patch(
        detail(bilingual),
        {"title_ja": "", "title_en": ""},
        format="json",
        HTTP_IF_MATCH=f'"{bilingual.version}"',
    )
    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    bilingual.refresh_from_db()
    assert bilingual.title_ja and bilingual.title_en


def test_a_too_long_value_is_reported_once_on_its_language(policy_api, bilingual):
    response = policy_api.patch(
        detail(bilingual), {"title_ja": "長" * 300}, format="json", HTTP_IF_MATCH=f'"{bilingual.version}"'
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["title_ja"]


# --- Search -------------------------------------------------------------------------------------------------------


@pytest.fixture
def guidelines_and_coast_guards(commentary):
    """The commentary's recommendations (bilingual), as `make run` loads them."""
    return Recommendation.objects.all()


JAPANESE_SEARCHES = {
    # A substring of a Japanese title: Japanese has no spaces between words.
    "指針": {"TOK23-07", "TOK23-08", "TOK23-09", "TOK23-10", "TOK23-12"},
    "海上保安": {"TOK23-11"},
}


@pytest.mark.parametrize("word", JAPANESE_SEARCHES)
def test_a_japanese_substring_finds_the_recommendations_in_the_list_the_report_and_the_api(
    guidelines_and_coast_guards, manager_client, manager_user, word
):
    wanted = JAPANESE_SEARCHES[word]
    api = Client()
    api.force_login(manager_user)
    found = {item["reference"] for item in api.get(LIST, {"q": word}).json()["results"]}
    assert wanted <= found
    for other in Recommendation.objects.filter(reference__in=found):  # and nothing that does not hold the word
        assert word in other.title_ja + other.description_ja, other.reference
    page = manager_client.get("/recommendations/", {"q": word}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    for reference in wanted:
        assert reference in page
    report = manager_client.get("/reports/progress/", {"q": word})
    assert report.status_code == 200 and report.context["summary"].overall.total == len(found)


@pytest.fixture
def manager_api(manager_user, api_client):
    api_client.force_login(manager_user)
    return api_client


def test_an_english_word_still_finds_them_and_the_words_combine(guidelines_and_coast_guards, manager_api):
    both = {item["reference"] for item in manager_api.get(LIST, {"q": "Guidelines 指針"}).json()["results"]}
    assert "TOK23-07" in both
    assert not {item["reference"] for item in manager_api.get(LIST, {"q": "指針 Taiwan"}).json()["results"]}


def test_full_width_letters_find_ascii_and_status_notes_are_searched(recommendation, policy_user, manager_api):
    recommendation_change_status(
        recommendation=recommendation, actor=policy_user, status="in_progress", note="外務省と協議を開始した。"
    )
    assert manager_api.get(LIST, {"q": "協議"}).json()["results"][0]["reference"] == "TST-01"
    assert manager_api.get(LIST, {"q": "ＭＡＲＩＴＩＭＥ"}).json()["results"][0]["reference"] == "TST-01"
    assert manager_api.get(LIST, {"q": "存在しない語"}).json()["results"] == []


# --- Pages --------------------------------------------------------------------------------------------------------


def test_a_value_shown_in_the_other_language_is_marked(recommendation, manager_client):
    manager_client.cookies["tracker_language"] = "ja"
    page = manager_client.get(f"/recommendations/{recommendation.uuid}/").content.decode()
    assert '<h1><span lang="en" class="fallback" title="未翻訳のため英語で表示しています。">' in page
    assert 'class="excerpt" lang="en"' in page and "原文・英語" in page


def test_a_translated_value_is_shown_without_a_mark(bilingual, manager_client):
    manager_client.cookies["tracker_language"] = "ja"
    page = manager_client.get(f"/recommendations/{bilingual.uuid}/").content.decode()
    assert "<h1>海洋安全保障協力を強化する</h1>" in page
    manager_client.cookies["tracker_language"] = "en"
    page = manager_client.get(f"/recommendations/{bilingual.uuid}/").content.decode()
    assert "<h1>Strengthen maritime cooperation</h1>" in page
    assert "Title (Japanese)" in page  # the timeline's change names the language it changed


def test_the_commentary_reads_in_japanese(commentary, manager_client):
    manager_client.cookies["tracker_language"] = "ja"
    page = manager_client.get("/recommendations/", {"q": "TOK23-11"}).content.decode()
    assert "海上保安庁" in page and 'class="fallback"' not in page
    partners = manager_client.get("/partners/").content.decode()
    assert "大韓民国" in partners and "日米豪印（クアッド）" in partners
