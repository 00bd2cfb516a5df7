"""Syncing through the API: a full walk equals the database, and the change feed gives every change once, in order,
also while other clients write concurrently."""

import threading
import uuid

import pytest
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from core.choices import ChangeAction
from core.models import ChangeEvent
from recommendations.choices import Status
from recommendations.models import Recommendation
from recommendations.services import recommendation_change_status, recommendation_delete, theme_update
from tests.factories import PartnerFactory, RecommendationFactory, ThemeFactory, UserFactory

FEED = "/api/v1/changes/"
LIST = "/api/v1/recommendations/"


@pytest.fixture
def reader(manager_user):
    client = APIClient()
    client.force_authenticate(manager_user)
    return client


def walk(client, url, params=None):
    """All items of a paged list or feed, following next links."""
    items, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        items += body["results"]
        if not body["next"]:
            return items, body
        response = client.get(body["next"])


@pytest.mark.django_db
def test_full_walk_equals_the_database(reader):
    partners, themes = [PartnerFactory() for _ in range(3)], [ThemeFactory() for _ in range(2)]
    for n in range(37):
        RecommendationFactory(partners=partners[: n % 4], themes=themes[: n % 3])
    items, _ = walk(reader, LIST, {"page_size": 10})
    assert [item["id"] for item in items] == [
        str(u) for u in Recommendation.objects.order_by("id").values_list("uuid", flat=True)
    ]
    by_id = {item["id"]: item for item in items}
    for recommendation in Recommendation.objects.with_related():
        item = by_id[str(recommendation.uuid)]
        assert item["version"] == recommendation.version and item["title"] == recommendation.title
        assert {p["slug"] for p in item["partners"]} == {p.slug for p in recommendation.partners.all()}
        assert {t["slug"] for t in item["themes"]} == {t.slug for t in recommendation.themes.all()}


@pytest.mark.django_db
def test_feed_items_pages_and_absolute_urls(reader, recommendation, policy_user):
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS)
    events = list(ChangeEvent.objects.order_by("seq"))
    first_response = reader.get(FEED, {"limit": 2})
    first = first_response.json()
    assert [item["seq"] for item in first["results"]] == [e.seq for e in events[:2]]
    assert first["next"] == f"http://testserver{FEED}?after={events[1].seq}&limit=2"
    assert first["next_after"] == events[1].seq
    assert first_response["Link"] == f'<{first["next"]}>; rel="next"'
    item = first["results"][0]
    assert item["action"] == "created" and item["object_type"] == "recommendation"
    assert item["object_id"] == str(recommendation.uuid)
    assert item["actor"] == "policy" and item["time"]
    assert item["data"]["url"] == f"http://testserver/api/v1/recommendations/{recommendation.uuid}/"
    rest: list[dict] = []
    page = first
    while page["next"] is not None:
        assert len(page["results"]) == 2  # only a full page says there may be more
        page = reader.get(page["next"]).json()
        rest += page["results"]
    assert len(page["results"]) < 2 and page["last_seq"] == events[-1].seq
    assert [i["seq"] for i in rest] == [e.seq for e in events[2:]]
    updated = next(i for i in rest if i["action"] == "updated" and i["object_type"] == "recommendation")
    assert updated["changes"]["status"] == ["proposed", "in_progress"]


@pytest.mark.django_db
def test_empty_poll_says_where_the_feed_is(reader, recommendation):
    last = ChangeEvent.objects.latest("seq").seq
    body = reader.get(FEED, {"after": last}).json()
    assert body == {"results": [], "next": None, "next_after": None, "last_seq": last}
    assert reader.get(FEED, {"after": last + 1000}).json()["last_seq"] == last


@pytest.mark.django_db
def test_feed_object_type_filter(reader, recommendation):
    body = reader.get(FEED, {"object_type": ["status_update"]}).json()
    assert {i["object_type"] for i in body["results"]} == {"status_update"}
    assert body["last_seq"] == ChangeEvent.objects.latest("seq").seq


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"after": "-1"}, "after"),
        ({"after": "x"}, "after"),
        ({"after": str(2**64)}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"object_type": "user"}, "object_type"),
        ({"since": "1"}, "since"),
    ],
)
def test_feed_invalid_parameters_are_400(reader, params, name):
    response = reader.get(FEED, params)
    assert response.status_code == 400
    assert name in response.json()["errors"]


@pytest.mark.django_db
def test_deletions_are_in_the_feed_with_the_last_representation(reader, recommendation, superuser):
    after = ChangeEvent.objects.latest("seq").seq
    recommendation_delete(recommendation=recommendation, actor=superuser)
    items = reader.get(FEED, {"after": after}).json()["results"]
    assert [(i["object_type"], i["action"]) for i in items] == [
        ("status_update", "deleted"),
        ("partner_status", "deleted"),
        ("recommendation", "deleted"),
    ]
    assert items[-1]["data"]["reference"] == "TST-01" and items[-1]["object_id"] == str(recommendation.uuid)


@pytest.mark.django_db
def test_feed_queries_do_not_grow(reader, policy_user, django_assert_max_num_queries):
    theme = ThemeFactory()
    with django_assert_max_num_queries(5):
        reader.get(FEED)
    for n in range(60):
        theme = theme_update(theme=theme, actor=policy_user, data={"description": f"v{n}"})
    with django_assert_max_num_queries(5):
        assert len(reader.get(FEED, {"limit": 50}).json()["results"]) == 50


@pytest.mark.django_db
def test_replaying_the_feed_rebuilds_the_database(reader, recommendation, policy_user, superuser):
    other = RecommendationFactory()
    reader_ids = {}
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.STALLED)
    recommendation_delete(recommendation=other, actor=superuser)  # made by a factory: only its deletion is fed
    items, _ = walk(reader, FEED, {"limit": 3})
    for item in items:
        if item["object_type"] != "recommendation":
            continue
        if item["action"] == ChangeAction.DELETED:
            reader_ids.pop(item["object_id"], None)
        else:
            reader_ids[item["object_id"]] = item["data"]
    database = {str(r["id"]): r for r in walk(reader, LIST)[0]}
    assert reader_ids == database


# --- Concurrency ----------------------------------------------------------------------------------------------------

WRITERS, CHANGES_EACH = 8, 10
CYCLE = [Status.UNDER_REVIEW, Status.IN_PROGRESS, Status.STALLED, Status.PARTIALLY_IMPLEMENTED]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the roles migration 0002 made
def test_feed_under_concurrent_writers_has_every_change_once_in_order(source):
    """8 writer threads record 10 status changes each through the API while a poller follows the feed."""
    policy = UserFactory(policy=True)
    manager = UserFactory(manager=True)
    targets = [RecommendationFactory(source=source) for _ in range(WRITERS)]
    start = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    errors: list[str] = []
    seen: list[int] = []
    writers_done = threading.Event()
    barrier = threading.Barrier(WRITERS + 1)

    def writer(target):
        try:
            client = APIClient()
            client.force_authenticate(policy)
            barrier.wait(timeout=30)
            for n in range(CHANGES_EACH):
                body = {"recommendation": str(target.uuid), "to_status": CYCLE[n % len(CYCLE)], "id": str(uuid.uuid4())}
                response = client.post("/api/v1/status-updates/", body, format="json")
                if response.status_code != 201:
                    errors.append(f"{response.status_code} {response.content[:200]!r}")
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(repr(error))
        finally:
            connection.close()

    def poller():
        try:
            client = APIClient()
            client.force_authenticate(manager)
            after = start
            barrier.wait(timeout=30)
            while True:
                finished = writers_done.is_set()  # read before polling: a last poll after the writers are done
                body = client.get(FEED, {"after": after, "limit": 7}).json()
                seen.extend(item["seq"] for item in body["results"])
                if body["results"]:
                    after = body["results"][-1]["seq"]
                if finished and not body["next"]:
                    return
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connection.close()

    rates = {"DEFAULT_THROTTLE_RATES": {"user": "1000000/minute", "token": "1000000/minute"}}
    from django.conf import settings

    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, **rates}):
        threads = [threading.Thread(target=writer, args=(t,)) for t in targets]
        polling = threading.Thread(target=poller)
        for thread in [*threads, polling]:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        writers_done.set()
        polling.join(timeout=300)

    assert not errors, errors[:5]
    feed = list(ChangeEvent.objects.filter(seq__gt=start).order_by("seq").values_list("seq", flat=True))
    # Each status change is two feed items: the recommendation updated, the timeline entry created.
    assert len(feed) == WRITERS * CHANGES_EACH * 2
    assert seen == feed  # every change exactly once, in seq order, none skipped by a late commit
    for target in targets:
        target.refresh_from_db()
        assert target.version == 1 + CHANGES_EACH
        assert target.status_updates.count() == CHANGES_EACH  # factory-made: no first entry
    recommendation_items = ChangeEvent.objects.filter(seq__gt=start, object_type="recommendation")
    for target in targets:
        last = recommendation_items.filter(object_id=target.uuid).latest("seq")
        assert last.data["version"] == target.version and last.data["status"] == target.status


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the roles migration 0002 made
def test_concurrent_if_match_patches_have_one_winner_per_version(source):
    """20 clients GET then PATCH one recommendation with If-Match: never two writes from the same version."""
    policy = UserFactory(policy=True)
    target = RecommendationFactory(source=source)
    outcomes: list[tuple[int, str, str]] = []  # (status code, If-Match sent, ETag answered)
    errors: list[str] = []
    barrier = threading.Barrier(20)

    def client_thread(n):
        try:
            client = APIClient()
            client.force_authenticate(policy)
            barrier.wait(timeout=30)
            for attempt in range(3):
                etag = client.get(f"{LIST}{target.uuid}/")["ETag"]
                body = {"status": CYCLE[(n + attempt) % len(CYCLE)], "status_note": f"client {n}"}
                response = client.patch(f"{LIST}{target.uuid}/", body, format="json", HTTP_IF_MATCH=etag)
                outcomes.append((response.status_code, etag, response.get("ETag", "")))
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connection.close()

    from django.conf import settings

    rates = {"DEFAULT_THROTTLE_RATES": {"user": "1000000/minute", "token": "1000000/minute"}}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, **rates}):
        threads = [threading.Thread(target=client_thread, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)

    assert not errors, errors[:5]
    codes = {code for code, _, _ in outcomes}
    # 200: won; 412: lost the race; 400: the status it wanted was already the current one.
    assert codes <= {200, 412, 400}, outcomes
    won = [(sent, answered) for code, sent, answered in outcomes if code == 200]
    sent_versions = [sent for sent, _ in won]
    assert len(sent_versions) == len(set(sent_versions))  # one winner per version
    target.refresh_from_db()
    changed = [answered for sent, answered in won if sent != answered]
    assert target.version == 1 + len(changed)
    assert target.status_updates.count() == len(changed)
    assert ChangeEvent.objects.filter(object_type="status_update").count() == len(changed)
