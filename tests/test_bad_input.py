"""Hostile and exotic input: XSS payloads render escaped in the pages and the admin; bad values in every filter and
every writable field are a 400 naming it (API) or a form error (HTML), never a 500 and never half-written; valid but
exotic text (emoji, right-to-left, Japanese) round-trips exactly; oversized bodies are refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils.html import escape

from core.models import ChangeEvent
from core.services import api_token_create
from recommendations.choices import Status
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation, Source, StatusUpdate, Theme
from recommendations.services import recommendation_change_status
from tests.factories import (
    PartnerFactory,
    RecommendationFactory,
    RecommendationLinkFactory,
    SourceFactory,
    StatusUpdateFactory,
    ThemeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.bad_input]

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
#: Both payloads in one value: a page that escapes them shows neither tag.
XSS = f"{XSS_SCRIPT}{XSS_ATTR}"
#: What must never appear in a page: the payloads' tags, unescaped.
RAW_MARKERS = ("<script>alert(1)", "<img src=x")
#: What an escaped payload looks like in a page.
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

#: Values that must never be a 500, by kind.
BAD_VALUES: dict[str, str] = {
    "sql": "' OR 1=1 --",
    "xss": XSS,
    "javascript": "javascript:alert(1)",
    "nul": "a\x00b",
    "huge_text": "x" * 100_000,
    "emoji": "🙂🚢",
    "rtl": "\u202eevil\u202c שלום مرحبا",
    "bad_date": "2023-02-30",
    "far_date": "99999-01-01",
    "word_date": "yesterday",
    "bad_uuid": "not-a-uuid",
    "huge_int": "9" * 40,
    "negative": "-1",
}
#: The kinds that tell apart how a field or endpoint handles bad input, where every kind would take too long: markup,
#: a NUL byte, an oversized value, a malformed date, a number beyond any column.
CORE_KINDS = ["xss", "nul", "huge_text", "bad_date", "huge_int"]
#: Valid text that must be stored and given back exactly.
EXOTIC_TEXT = {
    "emoji": "Maritime 🚢 cooperation 🤝",
    "rtl": "\u202etxet desrever\u202c and שלום and مرحبا",
    "japanese": "日本とオーストラリアの海洋安全保障協力",
    "sql": "' OR 1=1 --",
    "xss": XSS,
}


def assert_escaped(html: str, where: str) -> None:
    """No payload tag appears unescaped in ``html``."""
    for marker in RAW_MARKERS:
        assert marker not in html, f"{where}: unescaped {marker!r}"


# --- XSS in stored text ---------------------------------------------------------------------------------------------


@pytest.fixture
def hostile(policy_user) -> dict[str, Any]:
    """A partner, theme, source, recommendation, timeline entry and link whose every text field carries XSS."""
    partner = PartnerFactory(slug="hostile", name=f"P {XSS}", short_name=XSS_SCRIPT, description=XSS)
    theme = ThemeFactory(slug="hostile-theme", name=f"T {XSS}", description=XSS)
    source = SourceFactory(
        slug="hostile-source",
        title=f"S {XSS}",
        short_title=XSS_SCRIPT,
        author=XSS,
        publisher=XSS,
        description=XSS,
        url="https://example.org/report",
    )
    rec = RecommendationFactory(
        reference=XSS_SCRIPT,
        title=f"R {XSS}",
        description=XSS,
        source_excerpt=XSS,
        section=XSS,
        team=XSS,
        source=source,
        partners=[partner],
        themes=[theme],
    )
    other = RecommendationFactory(reference="OTHER", title=f"O {XSS}", source=source)
    RecommendationLinkFactory(from_recommendation=rec, to_recommendation=other, note=XSS)
    StatusUpdateFactory(recommendation=rec, from_status="", to_status=Status.PROPOSED, note=XSS)
    recommendation_change_status(
        recommendation=rec,
        actor=policy_user,
        status=Status.IN_PROGRESS,
        note=XSS,
        evidence_url="https://example.org/evidence?q=%22%3E%3Cscript%3E",
    )
    return {"partner": partner, "theme": theme, "source": source, "recommendation": rec}


def _pages(h: dict[str, Any]) -> list[str]:
    rec, partner, source, theme = h["recommendation"], h["partner"], h["source"], h["theme"]
    pages = [
        "/recommendations/",
        f"/recommendations/?q={XSS_SCRIPT}&team={XSS_SCRIPT}",
        f"/recommendations/?partner={XSS_SCRIPT}",  # an invalid value echoed in the 400 page
        f"/recommendations/{rec.uuid}/",
        "/reports/progress/",
        f"/reports/progress/?partner={partner.slug}&theme={theme.slug}",
        f"/reports/progress/?q={XSS_SCRIPT}",
        "/partners/",
        f"/partners/{partner.slug}/",
        "/sources/",
        f"/sources/{source.slug}/",
    ]
    admin = {
        "recommendations_recommendation": rec.pk,
        "partners_partner": partner.pk,
        "recommendations_source": source.pk,
        "recommendations_theme": theme.pk,
        "recommendations_statusupdate": rec.status_updates.order_by("id").last().pk,
        "core_changeevent": ChangeEvent.objects.order_by("seq").last().pk,
    }
    for name, pk in admin.items():
        pages += [
            reverse(f"admin:{name}_changelist"),
            reverse(f"admin:{name}_changelist") + f"?q={XSS_SCRIPT}",
            reverse(f"admin:{name}_change", args=[pk]),
        ]
    pages.append(reverse("admin:recommendations_recommendation_history", args=[rec.pk]))
    return pages


def test_stored_xss_renders_escaped_in_every_page_and_the_admin(hostile, superuser_client):
    shown = 0
    for url in _pages(hostile):
        response = superuser_client.get(url)
        assert response.status_code in (200, 400), (url, response.status_code)
        html = response.content.decode()
        assert_escaped(html, url)
        shown += ESCAPED in html or "&lt;img src=x" in html
    assert shown >= len(_pages(hostile)) - 2  # nearly every page shows some of the hostile text, escaped


def test_stored_xss_is_escaped_for_the_policy_team_too(hostile, policy_client):
    """The policy team sees the status form and the admin's editable widgets (inputs, textareas)."""
    for url in _pages(hostile):
        response = policy_client.get(url)
        if response.status_code == 403:  # the change feed's admin is administrators'
            continue
        assert_escaped(response.content.decode(), url)


# --- javascript: URLs -----------------------------------------------------------------------------------------------

JAVASCRIPT_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<script>"]


@pytest.mark.parametrize("url", JAVASCRIPT_URLS)
def test_javascript_evidence_url_is_refused_by_the_status_form(policy_client, recommendation, url):
    response = policy_client.post(
        f"/recommendations/{recommendation.uuid}/status/",
        {"status": Status.IN_PROGRESS, "note": "", "evidence_url": url, "version": recommendation.version},
    )
    assert response.status_code == 400
    assert "evidence_url" in response.context["form"].errors
    recommendation.refresh_from_db()
    assert recommendation.status == Status.PROPOSED and recommendation.status_updates.count() == 1


@pytest.mark.parametrize("url", JAVASCRIPT_URLS)
def test_javascript_urls_are_refused_by_the_api(policy_user, token_client, recommendation, source, url):
    client = token_client(policy_user, can_write=True)
    entries = StatusUpdate.objects.count()
    response = client.post(
        "/api/v1/status-updates/",
        {"recommendation": str(recommendation.uuid), "to_status": Status.IN_PROGRESS, "evidence_url": url},
    )
    assert response.status_code == 400 and "evidence_url" in response.json()["errors"]
    response = client.patch(
        f"/api/v1/recommendations/{recommendation.uuid}/",
        {"status": Status.IN_PROGRESS, "evidence_url": url},
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400 and "evidence_url" in response.json()["errors"]
    response = client.patch(f"/api/v1/sources/{source.uuid}/", {"document_url": url}, HTTP_IF_MATCH="*")
    assert response.status_code == 400 and "document_url" in response.json()["errors"]
    assert StatusUpdate.objects.count() == entries
    source.refresh_from_db()
    assert source.url == "" and source.version == 1


@pytest.mark.parametrize("url", JAVASCRIPT_URLS)
def test_javascript_urls_are_refused_by_the_admin(policy_client, source, url):
    response = policy_client.post(
        reverse("admin:recommendations_source_change", args=[source.pk]),
        {"title": source.title, "slug": source.slug, "kind": source.kind, "url": url, "opened_version": 1},
    )
    assert response.status_code == 200 and "url" in response.context["adminform"].form.errors
    source.refresh_from_db()
    assert source.url == "" and source.version == 1


# --- Filters --------------------------------------------------------------------------------------------------------

#: Every parameter of RecommendationFilterSet.
FILTERS = [
    "q",
    "status",
    "partner",
    "theme",
    "priority",
    "source",
    "team",
    "overdue",
    "target_after",
    "target_before",
    "updated_after",
    "updated_before",
    "stale",
    "ordering",
    "response",
    "agency",
    "lead",
    "assessment",
    "disagreement",
    "has_evidence",
    "attention",
]


def test_the_filter_list_is_every_parameter_of_the_filterset():
    """A filter added to the filterset joins the hostile-value cases above, or this fails."""
    assert set(FILTERS) == set(RecommendationFilterSet.base_filters)


#: Pages and endpoints that read RecommendationFilterSet: (path, kind of answer). The first two get every kind of
#: bad value; the others share the filterset, so they get the core kinds (each answers invalid filters its own way).
FILTERED = [
    ("/recommendations/", "html"),
    ("/api/v1/recommendations/", "api"),
    ("/reports/progress/", "html"),
    ("/recommendations/export.csv", "text"),
    ("/recommendations/export.xlsx", "text"),
    ("/reports/progress/export.csv", "text"),
    ("/api/v1/reports/progress/", "api"),
    ("/reports/compare/", "html"),
    ("/reports/partners/side-by-side/", "html"),
]


def check_answer(response, kind: str, param: str, where: str) -> None:
    """A 200, or a 400 that names ``param``; never anything else."""
    assert response.status_code in (200, 400), f"{where}: {response.status_code}"
    if response.status_code == 400:
        if kind == "api":
            assert param in response.json()["errors"], f"{where}: {response.json()}"
        elif kind == "html":
            assert param in response.context["form"].errors, where
        else:
            assert f"{param}:" in response.content.decode(), where
    if kind == "html":
        assert_escaped(response.content.decode(), where)


@pytest.fixture
def filter_world(recommendation) -> None:
    """Something to filter: a recommendation with a partner, a theme and a source."""
    RecommendationFactory(reference="SECOND", team="Cyber policy")


@pytest.mark.parametrize("kind", list(BAD_VALUES))
@pytest.mark.parametrize("param", FILTERS)
def test_bad_filter_values_are_400_naming_the_filter_never_500(policy_client, filter_world, param, kind):
    value = BAD_VALUES[kind]
    for path, answer in FILTERED if kind in CORE_KINDS else FILTERED[:2]:
        where = f"{path}?{param}={kind}"
        response = policy_client.get(path, {param: value})
        check_answer(response, answer, param, where)
        if kind in {"nul", "huge_text"}:  # never a valid value of any filter
            assert response.status_code == 400, where


@pytest.mark.parametrize("kind", list(BAD_VALUES))
def test_bad_paging_values_are_400_or_ignored_never_500(policy_client, filter_world, kind):
    value = BAD_VALUES[kind]
    # The HTML list shows the first or last page for a page number it cannot use.
    response = policy_client.get("/recommendations/", {"page": value})
    assert response.status_code == 200
    for param in ("cursor", "page_size"):
        response = policy_client.get("/api/v1/recommendations/", {param: value})
        check_answer(response, "api", param, f"api {param}={kind}")
        assert response.status_code == 400, f"api {param}={kind}"
    for param in ("after", "limit", "object_type"):
        response = policy_client.get("/api/v1/changes/", {param: value})
        check_answer(response, "api", param, f"changes {param}={kind}")
        assert response.status_code == 400, f"changes {param}={kind}"
    for param in ("recommendation", "to_status", "created_after", "created_before"):
        response = policy_client.get("/api/v1/status-updates/", {param: value})
        check_answer(response, "api", param, f"status-updates {param}={kind}")


def test_unknown_parameters_with_nul_bytes_are_400(policy_client):
    response = policy_client.get("/api/v1/recommendations/", {"a\x00b": "1"})
    assert response.status_code == 400


@pytest.mark.parametrize("kind", ["emoji", "rtl", "japanese", "sql", "xss"])
def test_exotic_search_text_finds_exotic_titles(policy_client, kind):
    text = EXOTIC_TEXT[kind]
    RecommendationFactory(reference="EXOTIC", title=text)
    RecommendationFactory(reference="PLAIN", title="Plain")
    response = policy_client.get("/recommendations/", {"q": text})
    assert response.status_code == 200
    assert [r.reference for r in response.context["page"].object_list] == ["EXOTIC"]
    api = policy_client.get("/api/v1/recommendations/", {"q": text}).json()
    assert [r["title"] for r in api["results"]] == [text]


# --- API writes -----------------------------------------------------------------------------------------------------


def _db_state() -> tuple:
    """Counts that any write changes (rows and change-feed entries)."""
    return (
        Recommendation.objects.count(),
        StatusUpdate.objects.count(),
        Theme.objects.count(),
        Source.objects.count(),
        ChangeEvent.objects.count(),
    )


#: The writable fields of each API resource, with a valid value to start from.
def _recommendation_body(source, partner, theme) -> dict[str, Any]:
    return {
        "reference": "NEW-1",
        "title": "A title",
        "description": "A description.",
        "source_excerpt": "An excerpt.",
        "source": source.slug,
        "section": "A section",
        "partners": [{"slug": partner.slug, "role": "lead"}],
        "themes": [theme.slug],
        "status": Status.UNDER_REVIEW,
        "status_note": "A note.",
        "evidence_url": "https://example.org/evidence",
        "priority": "high",
        "team": "A team",
        "target_date": "2030-01-31",
    }


RECOMMENDATION_TEXT = ["reference", "title", "description", "source_excerpt", "section", "team", "status_note"]
RECOMMENDATION_OTHER = ["source", "status", "evidence_url", "priority", "target_date", "id"]


def _put_value(body: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    body = dict(body)
    if field == "partners":
        body["partners"] = [{"slug": value, "role": "lead"}]
    elif field == "partner_role":
        body["partners"] = [{"slug": body["partners"][0]["slug"], "role": value}]
    elif field == "themes":
        body["themes"] = [value]
    else:
        body[field] = value
    return body


def _error_field(field: str) -> str:
    return {"partner_role": "partners", "status_note": "status_note"}.get(field, field)


@pytest.mark.parametrize("kind", list(BAD_VALUES))
@pytest.mark.parametrize("field", [*RECOMMENDATION_TEXT, *RECOMMENDATION_OTHER, "partners", "partner_role", "themes"])
def test_recommendation_create_bad_field_is_400_or_stored_exactly(policy_api, source, partner, theme, field, kind):
    value = BAD_VALUES[kind]
    before = _db_state()
    body = _put_value(_recommendation_body(source, partner, theme), field, value)
    response = policy_api.post("/api/v1/recommendations/", body)
    assert response.status_code in (201, 400), response.content[:300]
    if response.status_code == 400:
        errors = response.json()["errors"]
        assert any(key.startswith(_error_field(field)) for key in errors), errors
        assert _db_state() == before
        return
    assert kind not in {"nul", "huge_text"}, f"{field} accepted {kind}"
    assert field in RECOMMENDATION_TEXT, f"{field} accepted {kind}: {response.json()}"
    created = Recommendation.objects.get(uuid=response.json()["id"])
    if field == "status_note":
        assert created.status_updates.get().note == value
    else:
        assert getattr(created, field) == value and response.json()[field] == value


@pytest.mark.parametrize("kind", CORE_KINDS)
@pytest.mark.parametrize("field", [*RECOMMENDATION_TEXT, *RECOMMENDATION_OTHER, "partners", "themes"])
def test_recommendation_patch_bad_field_is_400_and_changes_nothing(policy_api, recommendation, field, kind):
    value = BAD_VALUES[kind]
    before = _db_state()
    body = _put_value({"partners": [{"slug": "australia"}]}, field, value)
    if field not in {"partners", "partner_role"}:
        body.pop("partners")
    if field in {"status_note", "evidence_url"}:
        body["status"] = Status.IN_PROGRESS
    url = f"/api/v1/recommendations/{recommendation.uuid}/"
    response = policy_api.patch(url, body, HTTP_IF_MATCH="*")
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert any(key.startswith(field) for key in response.json()["errors"]), response.json()
        assert _db_state() == before
        recommendation.refresh_from_db()
        assert recommendation.version == 1
    else:
        assert kind not in {"nul", "huge_text"} and field in RECOMMENDATION_TEXT


@pytest.mark.parametrize("kind", list(EXOTIC_TEXT))
def test_exotic_text_round_trips_exactly_through_the_api(policy_api, source, partner, theme, kind):
    text = EXOTIC_TEXT[kind]
    body = _recommendation_body(source, partner, theme)
    body.update(dict.fromkeys(("reference", "title", "description", "source_excerpt", "section", "team"), text))
    body["reference"] = text[:40]
    body["status_note"] = text
    created = policy_api.post("/api/v1/recommendations/", body)
    assert created.status_code == 201, created.json()
    again = policy_api.get(created["Location"]).json()
    for name in ("title", "description", "source_excerpt", "section", "team"):
        assert again[name] == text
    assert again["reference"] == text[:40]
    rec = Recommendation.objects.get(uuid=again["id"])
    assert rec.title == text and rec.status_updates.get().note == text
    page = policy_api.get(f"/recommendations/{rec.uuid}/")
    assert escape(text) in page.content.decode()
    theme_response = policy_api.post("/api/v1/themes/", {"slug": f"exotic-{kind}", "name": text, "description": text})
    assert theme_response.status_code == 201 and theme_response.json()["name"] == text
    partner_response = policy_api.post(
        "/api/v1/partners/", {"slug": f"exotic-{kind}", "name": text, "kind": "country", "description": text}
    )
    assert partner_response.status_code == 201 and partner_response.json()["name"] == text


#: Writable fields of the other resources: (collection, a valid body, fields to spoil).
OTHER_WRITES = {
    "themes": ({"slug": "new-theme", "name": "New theme", "description": "D"}, ["slug", "name", "description"]),
    "sources": (
        {
            "slug": "new-source",
            "title": "New source",
            "short_title": "NS",
            "kind": "report",
            "author": "A",
            "publisher": "P",
            "published_on": "2024-05-01",
            "document_url": "https://example.org/r.pdf",
            "description": "D",
        },
        ["slug", "title", "short_title", "kind", "author", "publisher", "published_on", "document_url", "description"],
    ),
    "partners": (
        {"slug": "new-partner", "name": "New partner", "short_name": "NP", "kind": "country", "description": "D"},
        ["slug", "name", "short_name", "kind", "members", "description"],
    ),
}
OTHER_CASES = [(collection, field) for collection, (_, fields) in OTHER_WRITES.items() for field in fields]
FREE_TEXT = {"name", "description", "title", "short_title", "short_name", "author", "publisher"}
#: What a slug may be: some of the bad values ("-1", "2023-02-30") are valid slugs.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@pytest.mark.parametrize("kind", list(BAD_VALUES))
@pytest.mark.parametrize(("collection", "field"), OTHER_CASES)
def test_other_creates_bad_field_is_400_or_stored_exactly(superuser, api_client, collection, field, kind):
    api_client.force_login(superuser)
    value = BAD_VALUES[kind]
    body, _ = OTHER_WRITES[collection]
    body = {**body, field: [value] if field == "members" else value}
    before = _db_state()
    partners_before = PartnerFactory._meta.model.objects.count()
    response = api_client.post(f"/api/v1/{collection}/", body, format="json")
    assert response.status_code in (201, 400), response.content[:300]
    if response.status_code == 400:
        assert field in response.json()["errors"], response.json()
        assert _db_state() == before and PartnerFactory._meta.model.objects.count() == partners_before
    else:
        assert kind not in {"nul", "huge_text"}, f"{collection}.{field} accepted {kind}"
        assert field in FREE_TEXT or (field == "slug" and SLUG.fullmatch(value)), (
            f"{collection}.{field} accepted {kind}"
        )
        assert response.json()[field] == value


@pytest.mark.parametrize("kind", CORE_KINDS)
@pytest.mark.parametrize(("collection", "field"), OTHER_CASES)
def test_other_patches_bad_field_is_400_and_changes_nothing(superuser, api_client, collection, field, kind):
    api_client.force_login(superuser)
    made = {"themes": ThemeFactory, "sources": SourceFactory, "partners": PartnerFactory}[collection](slug="patched")
    value = BAD_VALUES[kind]
    before = (*_db_state(), PartnerFactory._meta.model.objects.count())
    body = {field: [value] if field == "members" else value}
    response = api_client.patch(f"/api/v1/{collection}/{made.uuid}/", body, format="json", HTTP_IF_MATCH="*")
    assert response.status_code in (200, 400), response.content[:300]
    made.refresh_from_db()
    if response.status_code == 400:
        assert field in response.json()["errors"], response.json()
        assert (*_db_state(), PartnerFactory._meta.model.objects.count()) == before and made.version == 1
    else:
        assert kind not in {"nul", "huge_text"}, f"{collection}.{field} accepted {kind}"
        assert field in FREE_TEXT or (field == "slug" and SLUG.fullmatch(value)), f"{collection}.{field}: {kind}"
        assert response.json()[field] == value and made.version == 2


STATUS_UPDATE_FIELDS = ["recommendation", "to_status", "note", "evidence_url", "expected_version", "id"]


@pytest.mark.parametrize("kind", list(BAD_VALUES))
@pytest.mark.parametrize("field", STATUS_UPDATE_FIELDS)
def test_status_update_create_bad_field_is_400_or_stored_exactly(policy_api, recommendation, field, kind):
    value = BAD_VALUES[kind]
    body = {"recommendation": str(recommendation.uuid), "to_status": Status.IN_PROGRESS, field: value}
    before = _db_state()
    response = policy_api.post("/api/v1/status-updates/", body)
    assert response.status_code in (201, 400), response.content[:300]
    if response.status_code == 400:
        assert field in response.json()["errors"], response.json()
        assert _db_state() == before
        recommendation.refresh_from_db()
        assert recommendation.status == Status.PROPOSED and recommendation.version == 1
    else:
        assert field == "note" and kind not in {"nul", "huge_text"}
        assert StatusUpdate.objects.get(uuid=response.json()["id"]).note == value


@pytest.mark.parametrize("value", [2**31, 2**63, -(2**63) - 1, 10**40, 1.5, True, None, [], {}])
def test_huge_and_odd_json_numbers_are_400(policy_api, recommendation, value):
    response = policy_api.post(
        "/api/v1/status-updates/",
        {"recommendation": str(recommendation.uuid), "to_status": Status.IN_PROGRESS, "expected_version": value},
    )
    assert response.status_code == 400 and "expected_version" in response.json()["errors"]
    assert recommendation.status_updates.count() == 1


@pytest.mark.parametrize("value", [None, 1, True, [], {}, ["a", "b"], {"slug": "x"}])
def test_wrong_json_types_in_text_fields_are_400(policy_api, source, partner, theme, value):
    for field in ("title", "description", "reference"):
        body = {**_recommendation_body(source, partner, theme), "reference": f"REF-{field}", field: value}
        response = policy_api.post("/api/v1/recommendations/", body)
        assert response.status_code in (201, 400), (field, value)
        if response.status_code == 400:
            assert field in response.json()["errors"]
    assert not Recommendation.objects.filter(title__in=["[]", "{}", "None"]).exists()


# --- Web forms ------------------------------------------------------------------------------------------------------

STATUS_FORM_FIELDS = ["status", "note", "evidence_url", "version"]


@pytest.mark.parametrize("kind", list(BAD_VALUES))
@pytest.mark.parametrize("field", STATUS_FORM_FIELDS)
def test_status_form_bad_field_is_a_form_error_never_500(policy_client, recommendation, field, kind):
    value = BAD_VALUES[kind]
    data = {"status": Status.IN_PROGRESS, "note": "", "evidence_url": "", "version": recommendation.version}
    data[field] = value
    before = _db_state()
    response = policy_client.post(f"/recommendations/{recommendation.uuid}/status/", data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert field in response.context["form"].errors, response.context["form"].errors
        assert _db_state() == before
        assert_escaped(response.content.decode(), f"status form {field}={kind}")
    else:
        assert field == "note" and kind not in {"nul", "huge_text"}
        assert recommendation.status_updates.order_by("id").last().note == value


def _admin_recommendation_data(source, partner, theme) -> dict[str, Any]:
    management = {
        f"{prefix}-{name}": value
        for prefix in ("partner_links", "status_updates", "links_out", "links_in")
        for name, value in [
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        ]
    }
    return {
        **management,
        "reference": "ADM-1",
        "title": "T",
        "description": "D",
        "source_excerpt": "",
        "source": source.pk,
        "section": "",
        "themes": [theme.pk],
        "priority": "high",
        "team": "",
        "target_date": "",
        "status": Status.PROPOSED,
        "status_note": "",
        "evidence_url": "",
        "partner_links-TOTAL_FORMS": "1",
        "partner_links-0-partner": partner.pk,
        "partner_links-0-role": "lead",
    }


ADMIN_FORMS = {
    "recommendations_recommendation": [
        "reference",
        "title",
        "description",
        "source_excerpt",
        "source",
        "section",
        "themes",
        "priority",
        "team",
        "target_date",
        "status",
        "status_note",
        "evidence_url",
        "partner_links-0-partner",
        "partner_links-0-role",
    ],
    "recommendations_theme": ["name", "slug", "description"],
    "recommendations_source": [
        "title",
        "short_title",
        "slug",
        "kind",
        "author",
        "publisher",
        "published_on",
        "url",
        "description",
    ],
    "partners_partner": ["name", "short_name", "slug", "kind", "members", "description"],
}
ADMIN_CASES = [(model, field) for model, fields in ADMIN_FORMS.items() for field in fields]
ADMIN_TEXT = {"reference", "title", "description", "source_excerpt", "section", "team", "status_note"}
ADMIN_TEXT |= {"name", "short_title", "author", "publisher", "short_name"}


def _admin_data(model: str, source, partner, theme) -> dict[str, Any]:
    if model == "recommendations_recommendation":
        return _admin_recommendation_data(source, partner, theme)
    if model == "recommendations_theme":
        return {"name": "Adm theme", "slug": "adm-theme", "description": ""}
    if model == "recommendations_source":
        return {"title": "Adm source", "slug": "adm-source", "kind": "report"}
    return {"name": "Adm partner", "slug": "adm-partner", "kind": "country"}


@pytest.mark.parametrize("kind", CORE_KINDS)
@pytest.mark.parametrize(("model", "field"), ADMIN_CASES)
def test_admin_add_bad_field_is_a_form_error_never_500(superuser_client, source, partner, theme, model, field, kind):
    value = BAD_VALUES[kind]
    data = _admin_data(model, source, partner, theme)
    data[field] = [value] if field in {"themes", "members"} else value
    before = (*_db_state(), PartnerFactory._meta.model.objects.count())
    response = superuser_client.post(reverse(f"admin:{model}_add"), data)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        form = response.context["adminform"].form
        inline_errors = [
            error for formset in response.context["inline_admin_formsets"] for error in formset.formset.errors
        ]
        assert form.errors or any(inline_errors), f"{model}.{field}={kind}: not saved, yet no error shown"
        assert (*_db_state(), PartnerFactory._meta.model.objects.count()) == before
        assert_escaped(response.content.decode(), f"admin {model}.{field}={kind}")
    else:
        assert kind not in {"nul", "huge_text"}, f"{model}.{field} accepted {kind}"
        assert field in ADMIN_TEXT or (field == "slug" and SLUG.fullmatch(value)), f"{model}.{field} accepted {kind}"


# --- Oversized bodies -----------------------------------------------------------------------------------------------


def test_oversized_form_posts_are_refused(policy_client, recommendation, settings):
    body = {"status": Status.IN_PROGRESS, "note": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "version": 1}
    response = policy_client.post(f"/recommendations/{recommendation.uuid}/status/", body)
    assert response.status_code in (400, 413)
    assert recommendation.status_updates.count() == 1


def test_oversized_api_bodies_are_413(policy_api, recommendation, settings):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    for method, url in [
        ("post", "/api/v1/recommendations/"),
        ("patch", f"/api/v1/recommendations/{recommendation.uuid}/"),
        ("post", "/api/v1/status-updates/"),
        ("post", "/api/v1/themes/"),
    ]:
        response = getattr(policy_api, method)(url, {"title": big}, HTTP_IF_MATCH="*")
        assert response.status_code == 413, (method, url, response.status_code)
        assert response.json()["code"] == "request_too_large"
    recommendation.refresh_from_db()
    assert recommendation.version == 1


# --- The admin's query strings and URLs -----------------------------------------------------------------------------

ADMIN_CHANGELISTS = [
    "recommendations_recommendation",
    "recommendations_source",
    "recommendations_theme",
    "recommendations_statusupdate",
    "core_changeevent",
    "partners_partner",
]
#: Changelist parameters: the search box and a filter of each kind (choice, related object, date, free text).
ADMIN_PARAMS = ["q", "status__exact", "source__id__exact", "target_date__gte", "team", "o", "p", "overdue"]


@pytest.mark.parametrize("kind", CORE_KINDS)
def test_admin_changelist_parameters_never_500(superuser_client, recommendation, kind):
    value = BAD_VALUES[kind]
    for name in ADMIN_CHANGELISTS:
        url = reverse(f"admin:{name}_changelist")
        for param in ADMIN_PARAMS if name == "recommendations_recommendation" else ["q", "o", "p"]:
            response = superuser_client.get(url, {param: value})
            where = f"{url}?{param}={kind}"
            assert response.status_code in (200, 302, 400), where
            if response.status_code == 302:  # Django's answer to parameters it cannot use: the list, flagged
                assert "e=1" in response["Location"], where
            assert_escaped(response.content.decode(), where)


@pytest.mark.parametrize("kind", CORE_KINDS)
def test_admin_autocomplete_never_500(policy_client, recommendation, kind):
    params = {"app_label": "recommendations", "model_name": "recommendation", "field_name": "source"}
    response = policy_client.get("/admin/autocomplete/", {**params, "term": BAD_VALUES[kind]})
    assert response.status_code == 200 and response.json()["results"] == []
    for name in params:
        response = policy_client.get("/admin/autocomplete/", {**params, name: BAD_VALUES[kind]})
        assert response.status_code == 403  # Django's answer to an unknown model or field


@pytest.mark.parametrize("object_id", ["9" * 40, "-1", "not-a-number", "a\x00b", "1%00", "%2e%2e"])
def test_admin_object_urls_with_bad_ids_never_500(superuser_client, recommendation, object_id):
    for name in ADMIN_CHANGELISTS:
        for view in ("change", "delete", "history"):
            url = reverse(f"admin:{name}_changelist") + f"{object_id}/{view}/"
            response = superuser_client.get(url)
            # Not found (or, for the read-only timeline's deletion, refused before the lookup).
            assert response.status_code in (302, 403, 404), (url, response.status_code)


@pytest.mark.parametrize("field", ["status", "note", "evidence_url", ACTION_CHECKBOX_NAME])
@pytest.mark.parametrize("kind", CORE_KINDS)
def test_admin_bulk_status_action_bad_field_is_a_form_error_never_500(policy_client, field, kind):
    rec = RecommendationFactory()
    data = {
        "action": "record_status_change",
        ACTION_CHECKBOX_NAME: [rec.pk],
        "apply": "1",
        "status": Status.IN_PROGRESS,
        "note": "Budget approved.",
        "evidence_url": "",
        field: BAD_VALUES[kind],
    }
    before = _db_state()
    response = policy_client.post(reverse("admin:recommendations_recommendation_changelist"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200 or field == ACTION_CHECKBOX_NAME:
        assert _db_state() == before
        assert_escaped(response.content.decode(), f"bulk {field}={kind}")
    else:
        assert field == "note" and kind in {"xss", "bad_date", "huge_int"}
        assert rec.status_updates.get().note == BAD_VALUES[kind]


@pytest.mark.parametrize("kind", list(BAD_VALUES))
def test_report_options_fall_back_to_the_default(policy_client, filter_world, kind):
    response = policy_client.get("/reports/progress/", {"stale_days": BAD_VALUES[kind]})
    assert response.status_code == 200 and response.context["stale_days"] == 90


# --- The spreadsheet import -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("column", ["reference", "title", "description", "section", "team", "source", "partners"])
def test_import_with_a_nul_byte_in_a_cell_is_a_row_error_never_500(
    policy_client, recommendation, settings, tmp_path, column
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.transfer.helpers import file_bytes

    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")
    row = {"reference": "NUL-1", "title": "T", "description": "D", "source": "a-commentary", "partners": "australia"}
    row[column] = f"bad\x00{row.get(column, 'value')}"
    before = _db_state()
    response = policy_client.post(
        reverse("admin:recommendations_recommendation_import"),
        {"file": SimpleUploadedFile("import.csv", file_bytes([row]))},
    )
    assert response.status_code in (200, 400)
    assert _db_state() == before
    plan = response.context.get("plan")
    assert plan is None or any(r.errors for r in plan.rows), "a NUL byte went through the preview unremarked"


# --- Signing in -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CORE_KINDS + ["rtl", "emoji"])
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
@pytest.mark.parametrize("field", ["username", "password"])
def test_sign_in_with_hostile_credentials_is_refused_never_500(client, policy_user, url, field, kind):
    data = {"username": "policy", "password": "wrong", "next": "/"}
    data[field] = BAD_VALUES[kind]
    response = client.post(url, data)
    assert response.status_code in (200, 400, 403, 429), response.status_code
    assert "_auth_user_id" not in client.session
    assert_escaped(response.content.decode(), f"{url} {field}={kind}")


def test_failed_sign_in_with_a_huge_user_agent_is_refused_never_500(client, policy_user):
    response = client.post(
        "/accounts/login/", {"username": "policy", "password": "wrong"}, HTTP_USER_AGENT="\u202e" + "x" * 100_000
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ab\x00cd.secret",
        "Bearer abcd.se\x00cret",
        "Bearer " + "a" * 100_000,
        "Bearer é.x",
        "Token ' OR 1=1 --.x",
    ],
)
def test_hostile_token_headers_are_401_never_500(api_client, policy_user, header):
    api_token_create(user=policy_user, name="tool")
    response = api_client.get("/api/v1/themes/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize(
    "next_url", ["javascript:alert(1)", "https://evil.example/", "//evil.example/", "/\\evil.example", "\x00/x"]
)
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_sign_in_never_redirects_off_site(client, policy_user, url, next_url):
    from tests.factories import PASSWORD

    response = client.post(url, {"username": "policy", "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location, location
