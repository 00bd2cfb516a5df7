"""Property tests of everything the code parses from a request: every query parameter and every request header, with
out-of-range values, odd forms and non-ASCII characters, on the pages and the API, on the default database and
PostgreSQL. Whatever comes in, the answer is never a 500 (hypothesis searches for one; the profile in
tests/conftest.py fixes the seed in CI and lets a developer search further with HYPOTHESIS_PROFILE=explore).
"""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core.services import api_token_create
from recommendations.filtersets import RecommendationFilterSet
from tests.factories import PartnerFactory, RecommendationFactory, SourceFactory, ThemeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.bad_input]

#: Values that have broken parsers before: out of range, odd numbers, dates at the ends of time, full-width digits.
EDGES = [
    "",
    "0",
    "-1",
    "9" * 40,
    "1e400",
    "NaN",
    "inf",
    "-0",
    "0x10",
    "１０",
    "٣",
    "2026-02-30",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "9999-12-31T23:59:59.999999+14:00",
    "0001-01-01T00:00:00-14:00",
    "2026-01-01T25:61:61",
    "2026-01-01T00:00:00+99:99",
    "true",
    "None",
    "null",
    "[]",
    "{}",
    "\x00",
    "a\x00b",
    "\ud7ff",
    "\ufeff",
    "\u202e",
    "日本語",
    "..",
    "%00",
    "-",
    "--",
    ",",
    "reference,title",
    "-reference,-title",
]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


def _latin1(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


VALUES = st.one_of(st.sampled_from(EDGES), TEXT, st.integers().map(str), st.floats().map(str))

FILTERS = sorted(RecommendationFilterSet.base_filters)
#: Pages and API lists with the query parameters each parses.
QUERIES: dict[str, list[str]] = {
    "/recommendations/": [*FILTERS, "page"],
    "/recommendations/export.csv": FILTERS,
    "/recommendations/export.xlsx": FILTERS,
    "/reports/progress/": [*FILTERS, "stale_days"],
    "/reports/progress/export.csv": FILTERS,
    "/api/v1/recommendations/": [*FILTERS, "cursor", "page_size", "format"],
    "/api/v1/reports/progress/": FILTERS,
    "/api/v1/status-updates/": [
        "recommendation",
        "to_status",
        "created_after",
        "created_before",
        "cursor",
        "page_size",
    ],
    "/api/v1/changes/": ["after", "limit", "object_type"],
    "/api/v1/partners/": ["cursor", "page_size"],
    "/api/v1/themes/": ["cursor", "page_size"],
    "/api/v1/sources/": ["cursor", "page_size"],
    "/api/v1/": ["format"],
    "/admin/recommendations/recommendation/": [*FILTERS, "o", "p", "e", "_changelist_filters"],
}
QUERY = st.sampled_from(sorted(QUERIES)).flatmap(
    lambda path: st.tuples(
        st.just(path), st.lists(st.tuples(st.sampled_from(QUERIES[path]), VALUES), min_size=1, max_size=4)
    )
)
#: Request headers the code reads, each with values it must survive.
HEADER_NAMES = [
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_AUTHORIZATION",
    "HTTP_X_REQUEST_ID",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_COOKIE",
    "HTTP_ORIGIN",
    "HTTP_REFERER",
    "HTTP_RANGE",
    "HTTP_USER_AGENT",
    "HTTP_ACCEPT_ENCODING",
    "CONTENT_TYPE",
]
HEADER_EDGES = [
    'W/"1", "2"',
    '"9999999999999999999999"',
    "*",
    '"',
    "Bearer",
    "Bearer a.b",
    "Bearer ff.\u00e9",
    "Token " + "x" * 5000,
    "application/json; charset=utf-9",
    "application/json; charset=",
    "multipart/form-data; boundary=",
    "text/html; q=abc",
    "application/json; indent=99999999999999999999",
    "ja;q=2, en;q=abc, *;q=-1",
    "xx-YY-ZZ-1234567890",
    "sessionid=\x00; csrftoken=é; tracker_device=" + "a" * 300,
    "1.2.3.4, , ::1, [::1]:80",
    "gzip;q=2, br;q=nan",
    "bytes=0-99999999999999999999",
    "https://evil.example",
]
#: A server hands the app header values as ISO-8859-1 text (WSGI): UTF-8 a client sends arrives as its bytes, one
#: character each, so every value a header can carry is a string of code points up to 255.
HEADER_VALUES = st.one_of(
    st.sampled_from([value for value in [*HEADER_EDGES, *EDGES] if _latin1(value)]),
    st.text(st.characters(min_codepoint=1, max_codepoint=255), max_size=80),
    TEXT.map(lambda text: text.encode().decode("latin-1")),
)
HEADERS = st.dictionaries(st.sampled_from(HEADER_NAMES), HEADER_VALUES, min_size=1, max_size=4)

EXAMPLES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)


@pytest.fixture
def world(policy_user, superuser):
    """A little of everything the pages and the API list, and clients: a session and a token of the policy team, and
    an administrator's session for the admin."""
    partner = PartnerFactory(slug="india", name="India")
    theme = ThemeFactory(slug="cyber", name="Cyber")
    source = SourceFactory(slug="report", title="Report")
    recommendations = [
        RecommendationFactory(reference=f"P-{number}", partners=[partner], themes=[theme], source=source)
        for number in range(3)
    ]
    _token, raw = api_token_create(user=policy_user, name="properties", can_write=True)
    return {"policy": policy_user, "admin": superuser, "token": raw, "recommendation": recommendations[0]}


def client_for(world, path: str) -> Client:
    """A new client for each example (no cookie carried from one to the next): a token for the API, a session of
    the policy team for the pages, an administrator's for the admin."""
    if path.startswith("/api/"):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
        return api
    client = Client()
    client.force_login(world["admin"] if path.startswith("/admin/") else world["policy"])
    return client


@EXAMPLES
@given(query=QUERY)
def test_no_query_parameter_makes_a_500(world, query):
    path, pairs = query
    response = client_for(world, path).get(path, data=_multi(pairs))
    assert response.status_code < 500, (path, pairs, response.status_code)


@EXAMPLES
@given(path=st.sampled_from(sorted(QUERIES)), headers=HEADERS)
def test_no_request_header_makes_a_500_on_a_read(world, settings, path, headers):
    settings.TRUSTED_PROXY_COUNT = 1
    response = (
        Client().get(path, **headers)
        if "HTTP_AUTHORIZATION" in headers
        else client_for(world, path).get(path, **headers)
    )
    assert response.status_code < 500, (path, headers, response.status_code)


@EXAMPLES
@given(headers=HEADERS, body=st.sampled_from([b'{"title": "T"}', b"", b"\xff\xfe", b'{"title": "\\ud800"}']))
def test_no_request_header_makes_a_500_on_a_write(world, settings, headers, body):
    settings.TRUSTED_PROXY_COUNT = 1
    rec = world["recommendation"]
    headers = {"CONTENT_TYPE": "application/json", **headers}
    response = client_for(world, "/api/").generic("PATCH", f"/api/v1/recommendations/{rec.uuid}/", body, **headers)
    assert response.status_code < 500, (headers, body, response.status_code)


@EXAMPLES
@given(headers=HEADERS)
def test_no_request_header_makes_a_500_on_sign_in(headers):
    response = Client().post("/accounts/login/", {"username": "nobody", "password": "x"}, **headers)
    assert response.status_code < 500, (headers, response.status_code)


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Query pairs as the test client's data, repeated names kept."""
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


# --- Every parameter and header with the values that broke parsers before -------------------------------------------

#: The edge values every parameter is tried with, deterministically (the property tests above search further).
SHARP_EDGES = [
    "",
    "-1",
    "9" * 40,
    "1e400",
    "NaN",
    "１０",
    "2026-02-30",
    "0001-01-01",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59.999999+14:00",
    "99999-01-01",
    "a\x00b",
    "日本語",
    "-reference,-title",
    "x" * 3000,
]
PAIRS = [(path, name) for path, names in sorted(QUERIES.items()) for name in names]


@pytest.mark.parametrize(("path", "name"), PAIRS, ids=[f"{path}?{name}" for path, name in PAIRS])
def test_every_query_parameter_survives_the_sharp_edges(world, path, name):
    client = client_for(world, path)
    for value in SHARP_EDGES:
        response = client.get(path, {name: value})
        assert response.status_code < 500, (path, name, value, response.status_code)
    twice = client.get(path, {name: ["1", "2"]})
    assert twice.status_code < 500, (path, name, "twice")


HEADER_PATHS = [
    "/api/v1/recommendations/",
    "/api/v1/changes/",
    "/recommendations/",
    "/admin/recommendations/recommendation/",
]


@pytest.mark.parametrize("name", HEADER_NAMES)
def test_every_header_survives_the_sharp_edges(world, settings, name):
    settings.TRUSTED_PROXY_COUNT = 1
    values = [value for value in [*HEADER_EDGES, *SHARP_EDGES] if _latin1(value)]
    for path in HEADER_PATHS:
        client = client_for(world, path)
        for value in values:
            response = client.get(path, **{name: value})
            assert response.status_code < 500, (path, name, value, response.status_code)
