"""The recommendations API: CRUD through the services, conditional requests, filters, errors and the role matrix."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import ChangeAction
from core.models import ChangeEvent
from recommendations.choices import Priority, Status
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation, StatusUpdate
from recommendations.services import recommendation_change_status
from tests.factories import PartnerFactory, RecommendationFactory, SourceFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/recommendations/"


def detail(recommendation) -> str:
    return f"{LIST}{recommendation.uuid}/"


@pytest.fixture
def policy_api(policy_user, api_client):
    api_client.force_authenticate(policy_user)
    return api_client


@pytest.fixture
def new_body(partner, theme, source):
    return {
        "reference": "NEW-01",
        "title": "A new recommendation",
        "description": "Do something new.",
        "source": source.slug,
        "partners": [{"slug": partner.slug, "role": "lead"}],
        "themes": [theme.slug],
        "priority": "high",
        "target_date": "2031-04-01",
    }


# --- Representation -------------------------------------------------------------------------------------------------


def test_detail_representation(policy_api, recommendation, partner, theme, source):
    response = policy_api.get(detail(recommendation))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(recommendation.uuid)
    assert body["url"] == f"http://testserver{detail(recommendation)}"
    assert body["partners"] == [
        {
            "id": str(partner.uuid),
            "slug": "australia",
            "name": "Australia",
            "name_ja": "",
            "name_en": "Australia",
            "role": "counterpart",
            "role_label": "Counterpart",
            "status": "",
            "status_label": "",
        }
    ]
    assert body["themes"] == [
        {"id": str(theme.uuid), "slug": theme.slug, "name": theme.name, "name_ja": "", "name_en": theme.name}
    ]
    assert body["source"]["slug"] == source.slug
    assert (body["status"], body["status_label"], body["version"]) == ("proposed", "Proposed", 1)
    assert {"created_at", "updated_at"} <= set(body)
    assert response["ETag"] == '"1"'


def test_list_envelope(policy_api, recommendation):
    body = policy_api.get(LIST).json()
    assert set(body) == {"results", "next", "previous", "next_cursor", "previous_cursor"}
    assert [item["id"] for item in body["results"]] == [str(recommendation.uuid)]
    assert body["next"] is None and body["previous"] is None


# --- Create ----------------------------------------------------------------------------------------------------------


def test_create_through_the_service(policy_api, policy_user, new_body):
    response = policy_api.post(LIST, new_body, format="json")
    assert response.status_code == 201, response.json()
    created = Recommendation.objects.get(reference="NEW-01")
    assert response["Location"] == f"http://testserver{detail(created)}"
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["partners"][0]["role"] == "lead" and body["themes"][0]["slug"] == new_body["themes"][0]
    assert created.status_updates.get().author == policy_user  # the service recorded the first timeline entry
    assert ChangeEvent.objects.filter(object_id=created.uuid, action=ChangeAction.CREATED).exists()


def test_create_with_client_id_is_idempotent(policy_api, new_body):
    new_id = uuid.uuid4()
    first = policy_api.post(LIST, {**new_body, "id": str(new_id)}, format="json")
    assert first.status_code == 201
    assert first.json()["id"] == str(new_id)
    events = ChangeEvent.objects.count()
    retry = policy_api.post(LIST, {**new_body, "id": str(new_id)}, format="json")
    assert retry.status_code == 409
    assert retry["Location"] == first["Location"]
    assert retry.json()["url"] == first["Location"] and retry.json()["id"] == str(new_id)
    assert retry.json()["code"] == "already_exists"
    assert Recommendation.objects.filter(uuid=new_id).count() == 1
    assert ChangeEvent.objects.count() == events


def test_create_ignores_read_only_fields(policy_api, new_body):
    body = {**new_body, "version": 99, "created_at": "2001-01-01T00:00:00Z", "status_label": "x", "is_overdue": True}
    response = policy_api.post(LIST, body, format="json")
    assert response.status_code == 201
    assert response.json()["version"] == 1
    assert Recommendation.objects.get(reference="NEW-01").created_at.year > 2001


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "x" * 256}, "title"),
        ({"description": "x" * 20_001}, "description"),
        ({"title": "nul\x00byte"}, "title"),
        ({"source": "no-such-source"}, "source"),
        ({"partners": [{"slug": "atlantis"}]}, "partners[0].slug"),
        ({"partners": [{"slug": "australia", "role": "boss"}]}, "partners[0].role"),
        ({"partners": "australia"}, "partners"),
        ({"themes": ["no-such-theme"]}, "themes"),
        ({"themes": ["maritime-security"] * 101}, "themes"),
        ({"priority": "urgent"}, "priority"),
        ({"target_date": "2031-02-30"}, "target_date"),
        ({"target_date": 20310201}, "target_date"),
        ({"status_note": "x" * 5001, "status": "in_progress"}, "status_note"),
        ({"evidence_url": "not a url", "status": "in_progress"}, "evidence_url"),
        ({"title": ["a list"]}, "title"),
        ({"id": "not-a-uuid"}, "id"),
    ],
)
def test_create_bad_input_is_400_naming_the_field(policy_api, new_body, partner, change, field):
    response = policy_api.post(LIST, {**new_body, **change}, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body["errors"], body
    assert body["message"] and body["code"]
    assert not Recommendation.objects.filter(reference="NEW-01").exists()


def test_create_duplicate_reference_is_400_from_the_service(policy_api, new_body, recommendation):
    response = policy_api.post(LIST, {**new_body, "reference": recommendation.reference}, format="json")
    assert response.status_code == 400
    assert "reference" in response.json()["errors"]


def test_malformed_json_is_400(policy_api):
    response = policy_api.generic("POST", LIST, '{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_form_encoded_body_is_415(policy_api, new_body):
    response = policy_api.post(LIST, {"title": "x"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


# --- Conditional requests --------------------------------------------------------------------------------------------


def test_if_none_match_current_tag_is_304(policy_api, recommendation):
    response = policy_api.get(detail(recommendation), HTTP_IF_NONE_MATCH='"1"')
    assert response.status_code == 304
    assert response["ETag"] == '"1"'
    assert policy_api.get(detail(recommendation), HTTP_IF_NONE_MATCH='"0", W/"1"').status_code == 304
    assert policy_api.get(detail(recommendation), HTTP_IF_NONE_MATCH="*").status_code == 304
    assert policy_api.get(detail(recommendation), HTTP_IF_NONE_MATCH='"2"').status_code == 200


def test_patch_without_if_match_is_428(policy_api, recommendation):
    response = policy_api.patch(detail(recommendation), {"title": "Changed"}, format="json")
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    recommendation.refresh_from_db()
    assert recommendation.title != "Changed"


def test_patch_with_current_tag_changes_and_answers_new_tag(policy_api, recommendation):
    response = policy_api.patch(detail(recommendation), {"title": "Changed"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'
    assert response.json()["title"] == "Changed" and response.json()["version"] == 2
    event = ChangeEvent.objects.filter(object_id=recommendation.uuid).latest("seq")
    assert event.action == ChangeAction.UPDATED and event.changes == {"title_en": [recommendation.title, "Changed"]}


def test_patch_with_stale_tag_is_412_with_current_version(policy_api, recommendation, policy_user):
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS)
    response = policy_api.patch(detail(recommendation), {"title": "Lost"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert response.json()["current_version"] == 2
    recommendation.refresh_from_db()
    assert recommendation.title != "Lost" and recommendation.version == 2


@pytest.mark.parametrize("header", ['W/"1"', '"abc"', '"1.0"'])
def test_weak_or_foreign_tags_never_match(policy_api, recommendation, header):
    response = policy_api.patch(detail(recommendation), {"title": "No"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 412
    assert response.json()["current_version"] == 1


@pytest.mark.parametrize("header", ["1", '"1', "garbage, here"])
def test_unparseable_if_match_is_400(policy_api, recommendation, header):
    response = policy_api.patch(detail(recommendation), {"title": "No"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 400
    assert "If-Match" in response.json()["errors"]


def test_if_match_star_and_lists(policy_api, recommendation):
    assert policy_api.patch(detail(recommendation), {"title": "A"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    response = policy_api.patch(detail(recommendation), {"title": "B"}, format="json", HTTP_IF_MATCH='"1", "2"')
    assert response.status_code == 200 and response["ETag"] == '"3"'
    response = policy_api.patch(detail(recommendation), {"title": "C"}, format="json", HTTP_IF_MATCH='"1", "2"')
    assert response.status_code == 412


def test_put_replaces_the_content(policy_api, recommendation, new_body):
    body = {**new_body, "reference": "TST-01", "partners": [], "themes": []}
    response = policy_api.put(detail(recommendation), body, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["title"], data["partners"], data["themes"], data["priority"]) == (body["title"], [], [], "high")


def test_put_needs_the_required_fields(policy_api, recommendation):
    response = policy_api.put(detail(recommendation), {"title": "Only"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert {"reference", "description", "source"} <= set(response.json()["errors"])


def test_patch_cannot_change_the_id(policy_api, recommendation):
    response = policy_api.patch(detail(recommendation), {"id": str(uuid.uuid4())}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400 and "id" in response.json()["errors"]


def test_patch_status_records_a_timeline_entry(policy_api, recommendation, policy_user):
    response = policy_api.patch(
        detail(recommendation),
        {"status": "in_progress", "status_note": "Talks began.", "evidence_url": "https://example.org/a"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    entry = recommendation.status_updates.latest()
    assert (entry.from_status, entry.to_status, entry.note, entry.evidence_url, entry.author) == (
        "proposed",
        "in_progress",
        "Talks began.",
        "https://example.org/a",
        policy_user,
    )
    assert "status_note" not in response.json()  # write-only
    feed = list(ChangeEvent.objects.order_by("-seq").values_list("object_type", "action")[:3])
    # The entry's evidence URL becomes an evidence record, right after the entry.
    assert feed == [
        ("evidence", ChangeAction.CREATED),
        ("status_update", ChangeAction.CREATED),
        ("recommendation", ChangeAction.UPDATED),
    ]


def test_patch_reopening_without_note_is_400_on_status_note(policy_api, recommendation, policy_user):
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.IMPLEMENTED)
    response = policy_api.patch(detail(recommendation), {"status": "stalled"}, format="json", HTTP_IF_MATCH='"2"')
    assert response.status_code == 400
    assert "status_note" in response.json()["errors"]


def test_note_without_status_change_is_400(policy_api, recommendation):
    response = policy_api.patch(detail(recommendation), {"status_note": "why"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_patch_with_unchanged_values_keeps_the_version(policy_api, recommendation):
    response = policy_api.patch(
        detail(recommendation), {"title": recommendation.title}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200 and response["ETag"] == '"1"'


def test_delete_by_admin_needs_if_match_and_is_in_the_feed(superuser, api_client, recommendation):
    api_client.force_authenticate(superuser)
    assert api_client.delete(detail(recommendation)).status_code == 428
    assert api_client.delete(detail(recommendation), HTTP_IF_MATCH='"7"').status_code == 412
    assert api_client.delete(detail(recommendation), HTTP_IF_MATCH='"1"').status_code == 204
    assert not Recommendation.objects.exists()
    deleted = ChangeEvent.objects.filter(action=ChangeAction.DELETED).values_list("object_type", flat=True)
    assert set(deleted) == {"recommendation", "status_update", "partner_status"}
    assert api_client.get(detail(recommendation)).status_code == 404


def test_unknown_and_invalid_ids_are_json_404(policy_api):
    for path in [f"{LIST}{uuid.uuid4()}/", f"{LIST}not-a-uuid/", f"{LIST}{'-' * 36}/", "/api/v1/nothing-here/"]:
        response = policy_api.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


# --- Status updates --------------------------------------------------------------------------------------------------

STATUS = "/api/v1/status-updates/"


def test_post_status_update_changes_status(policy_api, recommendation, policy_user):
    body = {"recommendation": str(recommendation.uuid), "to_status": "under_review", "note": "Tabled."}
    response = policy_api.post(STATUS, body, format="json")
    assert response.status_code == 201, response.json()
    entry = StatusUpdate.objects.get(uuid=response.json()["id"])
    assert response["Location"] == f"http://testserver{STATUS}{entry.uuid}/"
    assert (entry.to_status, entry.note, entry.author) == ("under_review", "Tabled.", policy_user)
    recommendation.refresh_from_db()
    assert recommendation.status == "under_review" and recommendation.version == 2


def test_post_status_update_is_idempotent_with_client_id(policy_api, recommendation):
    entry_id = str(uuid.uuid4())
    body = {"id": entry_id, "recommendation": str(recommendation.uuid), "to_status": "in_progress"}
    assert policy_api.post(STATUS, body, format="json").status_code == 201
    retry = policy_api.post(STATUS, body, format="json")
    assert retry.status_code == 409
    assert retry["Location"] == f"http://testserver{STATUS}{entry_id}/"
    assert recommendation.status_updates.count() == 2  # the first entry and this one, once


def test_post_status_update_with_stale_expected_version_is_412(policy_api, recommendation):
    body = {"recommendation": str(recommendation.uuid), "to_status": "in_progress", "expected_version": 1}
    assert policy_api.post(STATUS, body, format="json").status_code == 201
    body["to_status"] = "stalled"
    response = policy_api.post(STATUS, body, format="json")
    assert response.status_code == 412 and response.json()["current_version"] == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to_status": "proposed"}, "to_status"),  # already proposed
        ({"to_status": "done"}, "to_status"),
        ({"recommendation": str(uuid.UUID(int=1))}, "recommendation"),
        ({"recommendation": "nope"}, "recommendation"),
        ({"note": "x" * 5001}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"expected_version": 0}, "expected_version"),
        ({"expected_version": 2**40}, "expected_version"),
    ],
)
def test_post_status_update_bad_input(policy_api, recommendation, change, field):
    body = {"recommendation": str(recommendation.uuid), "to_status": "in_progress", **change}
    response = policy_api.post(STATUS, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert recommendation.status_updates.count() == 1


def test_status_updates_filter_by_recommendation(policy_api, recommendation, policy_user):
    other = RecommendationFactory()
    recommendation_change_status(recommendation=other, actor=policy_user, status=Status.STALLED)
    response = policy_api.get(STATUS, {"recommendation": str(recommendation.uuid)})
    assert [item["recommendation"] for item in response.json()["results"]] == [str(recommendation.uuid)]
    assert policy_api.get(STATUS, {"recommendation": "nope"}).status_code == 400


def test_status_update_list_queries_do_not_grow(policy_api, policy_user, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        policy_api.get(STATUS)
    for _ in range(12):
        target = RecommendationFactory()
        recommendation_change_status(recommendation=target, actor=policy_user, status=Status.STALLED)
        recommendation_change_status(recommendation=target, actor=policy_user, status=Status.IN_PROGRESS)
    with django_assert_max_num_queries(5):
        assert len(policy_api.get(STATUS, {"page_size": 20}).json()["results"]) == 20


def test_status_update_detail_has_etag(policy_api, recommendation):
    entry = recommendation.status_updates.get()
    response = policy_api.get(f"{STATUS}{entry.uuid}/")
    assert response.status_code == 200 and response.json()["from_status"] == ""
    assert policy_api.get(f"{STATUS}{entry.uuid}/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_status_updates_cannot_be_changed_or_deleted(superuser, api_client, recommendation):
    api_client.force_authenticate(superuser)
    entry = recommendation.status_updates.get()
    assert api_client.patch(f"{STATUS}{entry.uuid}/", {"note": "x"}, format="json").status_code == 405
    assert api_client.delete(f"{STATUS}{entry.uuid}/").status_code == 405


# --- Filters ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    """As the shared ``catalogue``, but C has no target date, so orderings show where NULL dates go."""
    india, quad = PartnerFactory(slug="india", name="India"), PartnerFactory(slug="quad", name="Quad")
    cyber, maritime = ThemeFactory(slug="cyber", name="Cyber"), ThemeFactory(slug="maritime", name="Maritime")
    report = SourceFactory(slug="report-b", title="Report B")
    today = timezone.localdate()
    a = RecommendationFactory(
        reference="A",
        title="Active cyber defence",
        partners=[india, quad],
        themes=[cyber],
        priority=Priority.HIGH,
        team="Cyber policy",
        target_date=today - timedelta(days=3),
    )
    b = RecommendationFactory(
        reference="B",
        title="Coast guards",
        partners=[quad],
        themes=[maritime],
        status=Status.IN_PROGRESS,
        target_date=today + timedelta(days=30),
        source=report,
    )
    c = RecommendationFactory(
        reference="C",
        title="Old and done",
        themes=[maritime, cyber],
        status=Status.IMPLEMENTED,
        target_date=None,
        priority=Priority.LOW,
    )
    Recommendation.objects.filter(pk=c.pk).update(updated_at=timezone.now() - timedelta(days=120))
    Recommendation.objects.filter(pk=a.pk).update(updated_at=timezone.now() - timedelta(days=45))
    return a, b, c


def api_refs(client, params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.json()
    return [item["reference"] for item in response.json()["results"]]


def filterset_refs(params) -> list[str]:
    """What the shared filterset (and so the HTML list) gives for the same query string."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    filterset = RecommendationFilterSet(query, queryset=Recommendation.objects.order_by("id"))
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("reference", flat=True))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["A", "B", "C"]),
        ({"status": ["in_progress", "implemented"]}, ["B", "C"]),
        ({"partner": "india"}, ["A"]),
        ({"partner": ["india", "quad"]}, ["A", "B"]),
        ({"theme": "maritime"}, ["B", "C"]),
        ({"priority": "high"}, ["A"]),
        ({"source": "report-b"}, ["B"]),
        ({"team": "cyber POLICY"}, ["A"]),
        ({"q": "coast"}, ["B"]),
        ({"target_before": "2000-01-01"}, []),
        ({"target_after": str(timezone.localdate())}, ["B"]),
        ({"overdue": "true"}, ["A"]),
        ({"overdue": "false"}, ["B", "C"]),
        ({"updated_after": str(timezone.localdate() - timedelta(days=10))}, ["B"]),
        ({"updated_before": str(timezone.localdate() - timedelta(days=100))}, ["C"]),
        ({"stale": "30"}, ["A"]),
        ({"ordering": "-reference"}, ["C", "B", "A"]),
        ({"ordering": "priority"}, ["A", "B", "C"]),
        ({"ordering": "target_date"}, ["A", "B", "C"]),  # NULL last
        ({"ordering": "-target_date"}, ["B", "A", "C"]),  # NULL last too
        ({"ordering": "status"}, ["A", "B", "C"]),  # lifecycle order: proposed, in progress, implemented
    ],
)
def test_each_filter_matches_the_shared_filterset(policy_api, catalogue, params, expected):
    refs = api_refs(policy_api, params)
    if "ordering" in params:
        assert refs == expected
    else:
        assert sorted(refs) == expected
        assert refs == filterset_refs(params)  # the HTML list uses the same filterset, so the same rows


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"status": "done"}, "status"),
        ({"partner": "atlantis"}, "partner"),
        ({"theme": "nope"}, "theme"),
        ({"priority": "urgent"}, "priority"),
        ({"source": "nope"}, "source"),
        ({"target_before": "yesterday"}, "target_before"),
        ({"target_after": "2024-13-01"}, "target_after"),
        ({"overdue": "maybe"}, "overdue"),
        ({"updated_after": "soon"}, "updated_after"),
        ({"stale": "0"}, "stale"),
        ({"ordering": "colour"}, "ordering"),
        ({"q": "x" * 201}, "q"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"cursor": "garbage"}, "cursor"),
        ({"stauts": "proposed"}, "stauts"),
    ],
)
def test_invalid_filter_values_are_400_naming_the_parameter(policy_api, catalogue, params, name):
    response = policy_api.get(LIST, params)
    assert response.status_code == 400
    assert name in response.json()["errors"]


# --- Progress report -------------------------------------------------------------------------------------------------


def test_progress_report_counts(policy_api, catalogue):
    body = policy_api.get("/api/v1/reports/progress/").json()
    assert (body["total"], body["implemented"], body["overdue"]) == (3, 1, 1)
    assert body["implemented_share"] == round(1 / 3, 4)
    by_status = {row["status"]: (row["label"], row["count"]) for row in body["by_status"]}
    assert by_status["implemented"] == ("Implemented", 1) and by_status["proposed"] == ("Proposed", 1)
    quad = next(row for row in body["by_partner"] if row["key"] == "quad")
    assert quad["total"] == 2 and quad["counts"]["in_progress"] == 1 and quad["counts"]["proposed"] == 1
    cyber = next(row for row in body["by_theme"] if row["key"] == "cyber")
    assert cyber["counts"]["implemented"] == 1 and cyber["total"] == 2


def test_progress_report_takes_the_list_filters(policy_api, catalogue):
    body = policy_api.get("/api/v1/reports/progress/", {"partner": "quad"}).json()
    assert body["total"] == 2
    response = policy_api.get("/api/v1/reports/progress/", {"status": "bogus"})
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_progress_report_queries_do_not_grow(policy_api, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        policy_api.get("/api/v1/reports/progress/")
    for _ in range(20):
        RecommendationFactory(partners=[PartnerFactory()], themes=[ThemeFactory()])
    with django_assert_max_num_queries(8):
        policy_api.get("/api/v1/reports/progress/")


# --- Pagination ------------------------------------------------------------------------------------------------------


def walk(client, url, params=None) -> list[str]:
    refs, pages = [], 0
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        refs += [item["reference"] for item in body["results"]]
        pages += 1
        assert pages < 100
        if not body["next"]:
            return refs
        response = client.get(body["next"])


@pytest.mark.parametrize("ordering", ["", "status", "-status", "priority", "target_date", "-target_date", "-title"])
def test_keyset_walk_in_any_order_matches_the_database(policy_api, ordering):
    today = timezone.localdate()
    for n in range(23):
        RecommendationFactory(
            reference=f"R{n:02d}",
            title=f"Title {n % 4}",
            status=Status.values[n % 3],
            priority=Priority.values[n % 2],
            target_date=None if n % 4 == 0 else today + timedelta(days=n % 5),
        )
    params = {"page_size": 5, **({"ordering": ordering} if ordering else {})}
    refs = walk(policy_api, LIST, params)
    filterset = RecommendationFilterSet(params, queryset=Recommendation.objects.order_by("id"))
    assert filterset.is_valid()
    expected = list(filterset.qs.values_list("reference", flat=True))
    if "target_date" in ordering:  # both databases put NULLs last in both directions
        dated = [ref for ref in expected if Recommendation.objects.get(reference=ref).target_date]
        expected = dated + [ref for ref in expected if ref not in dated]
    assert refs == expected
    assert len(set(refs)) == 23


def test_previous_links_walk_back(policy_api):
    for n in range(12):
        RecommendationFactory(reference=f"R{n:02d}")
    first = policy_api.get(LIST, {"page_size": 5}).json()
    second = policy_api.get(first["next"]).json()
    third = policy_api.get(second["next"]).json()
    assert third["next"] is None and len(third["results"]) == 2
    back = policy_api.get(third["previous"]).json()
    assert [r["reference"] for r in back["results"]] == [r["reference"] for r in second["results"]]
    start = policy_api.get(back["previous"]).json()
    assert [r["reference"] for r in start["results"]] == [r["reference"] for r in first["results"]]
    assert start["previous"] is None


def test_cursor_from_another_ordering_is_400(policy_api):
    for n in range(3):
        RecommendationFactory(reference=f"R{n}")
    next_url = policy_api.get(LIST, {"page_size": 1, "ordering": "title"}).json()["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]
    response = policy_api.get(LIST, {"cursor": cursor, "ordering": "status"})
    assert response.status_code == 400 and "cursor" in response.json()["errors"]


#: Session, user, page, then source+partners+themes+links out+links in prefetched: the same for 5 rows or 60.
LIST_QUERIES = 8


@pytest.mark.parametrize("ordering", ["", "status", "-target_date"])
def test_list_queries_do_not_grow_with_rows(policy_api, django_assert_max_num_queries, ordering):
    partners, themes = [PartnerFactory() for _ in range(3)], [ThemeFactory() for _ in range(3)]
    params = {"ordering": ordering} if ordering else {}
    for _ in range(5):
        RecommendationFactory(partners=partners, themes=themes)
    with django_assert_max_num_queries(LIST_QUERIES):
        policy_api.get(LIST, params)
    for _ in range(60):
        RecommendationFactory(partners=partners, themes=themes)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = policy_api.get(LIST, {**params, "page_size": 60})
    assert len(response.json()["results"]) == 60
    with django_assert_max_num_queries(LIST_QUERIES):
        policy_api.get(response.json()["next"])


# --- Errors ----------------------------------------------------------------------------------------------------------


def test_server_errors_under_api_are_json(policy_api, monkeypatch):
    from recommendations.api import views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.RecommendationViewSet, "list", boom)
    policy_api.raise_request_exception = False
    response = policy_api.get(LIST)
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_users_without_role_are_403(api_client):
    api_client.force_authenticate(UserFactory())
    response = api_client.get(LIST)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_is_401_with_challenge(api_client):
    response = api_client.get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "not_authenticated"


def test_url_reverse_names():
    assert reverse("api:recommendation-list") == LIST
    assert reverse("api:changes") == "/api/v1/changes/"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("[" * 100_000 + "]" * 100_000, 400, "parse_error"),  # deeper than Python's JSON decoder goes
        ('{"reference": NaN}', 400, "parse_error"),
        (b'{"title": "\xff"}', 400, "parse_error"),
        ('"a string"', 400, "invalid"),
        ("[]", 400, "invalid"),
        ('{"title": "' + "x" * 3_000_000 + '"}', 413, "request_too_large"),
    ],
)
def test_hostile_bodies_are_client_errors(policy_api, body, status, code):
    response = policy_api.generic("POST", LIST, body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["code"] == code


def test_browsable_api_renders_for_a_session(policy_client, recommendation, partner, theme, source):
    paths = [LIST, detail(recommendation), "/api/v1/status-updates/", "/api/v1/changes/", "/api/v1/reports/progress/"]
    paths += [f"/api/v1/partners/{partner.uuid}/", f"/api/v1/themes/{theme.uuid}/", f"/api/v1/sources/{source.uuid}/"]
    for path in paths:
        response = policy_client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/html")


def test_a_stale_expected_version_is_412_before_already_in_that_status(recommendation, policy_api, policy_user):
    from recommendations.services import recommendation_change_status

    opened_at = recommendation.version
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status="in_progress")
    response = policy_api.post(
        "/api/v1/status-updates/",
        {"recommendation": str(recommendation.uuid), "to_status": "in_progress", "expected_version": opened_at},
        format="json",
    )
    assert response.status_code == 412
    assert response.json()["current_version"] == opened_at + 1
