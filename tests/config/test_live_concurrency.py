"""20 concurrent writers against the real app under gunicorn (several processes and threads, production settings).

The in-process thread tests (tests/recommendations/test_api_sync.py) share one Python process; this one runs the
server the way it is deployed, on a throwaway database of the kind the suite runs on (a SQLite file, or PostgreSQL
when DATABASE_URL names it), and checks through the API that every acknowledged write is stored, with consistent
versions, timeline entries and change-feed items carrying the writing request's id.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from loadtest import liveserver

pytestmark = pytest.mark.concurrency

WRITERS = 20
OWN_RECOMMENDATIONS = 1  # each writer creates these, then changes each three times
SHARED_ROUNDS = 3  # each writer also reads then PATCHes one shared recommendation with If-Match this many times


@dataclass
class Outcome:
    """One write as the client saw it."""

    kind: str
    status: int
    request_id: str
    answered_request_id: str
    object_id: str
    sent_version: int | None = None
    answered_version: int | None = None  # recommendations only: the version their ETag answered
    title: str = ""


@pytest.fixture
def live_app(tmp_path: Path):
    """The app under gunicorn (4 workers × 2 threads) on a fresh database, with 20 writer tokens and a reader's."""
    suffix = "_live" + os.environ.get("PYTEST_XDIST_WORKER", "")  # each test worker its own database
    with liveserver.throwaway_database(
        tmp_path, base_url=os.environ.get("DATABASE_URL"), suffix=suffix
    ) as database_url:
        server = liveserver.prepare(database_url, tmp_path, load_data=False, API_THROTTLE_USER="1000000/minute")
        tokens = server.provision(WRITERS)
        try:
            server.start(workers=4, threads=2)
            yield server, tokens
        finally:
            server.stop()


def _session(token: str) -> requests.Session:
    """A keep-alive HTTP session authenticated by an API token."""
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
    return session


def _version(response: requests.Response) -> int | None:
    """The version an ETag header names (None without one)."""
    etag = response.headers.get("ETag", "")
    return int(etag.strip('"')) if etag.strip('"').isdigit() else None


def _walk_feed(session: requests.Session, api: str, after: int) -> list[dict]:
    """Every change-feed item after ``after``, following next links."""
    items: list[dict] = []
    url, params = f"{api}/changes/", {"after": after, "limit": 500}
    while url:
        body = session.get(url, params=params, timeout=30).json()
        items += body["results"]
        url, params = body["next"], None
    return items


def test_twenty_concurrent_writers_on_a_live_server(live_app):
    server, tokens = live_app
    api = f"{server.url}/api/v1"
    reader = _session(tokens["readers"][0])
    setup = _session(tokens["writers"][0])
    source = {"slug": "live-source", "title": "Live source", "kind": "report"}
    assert setup.post(f"{api}/sources/", json=source, timeout=30).status_code == 201
    body = {"reference": "SHARED", "title": "Shared", "description": "Everyone writes here.", "source": "live-source"}
    shared = setup.post(f"{api}/recommendations/", json=body, timeout=30).json()
    start_seq = reader.get(f"{api}/changes/", params={"after": 10**12, "limit": 1}, timeout=30).json()["last_seq"]

    outcomes: list[Outcome] = []
    errors: list[str] = []
    seen: list[int] = []
    barrier = threading.Barrier(WRITERS + 1)
    writers_done = threading.Event()

    def writer(n: int) -> None:
        session = _session(tokens["writers"][n])
        counter = iter(range(1000))

        def send(kind: str, method: str, url: str, body: dict, object_id: str, version: int | None = None) -> Outcome:
            request_id = f"live-{n:02d}-{next(counter):03d}"
            headers = {"X-Request-ID": request_id}
            if version is not None and method == "PATCH":
                headers["If-Match"] = f'"{version}"'
            response = session.request(method, url, json=body, headers=headers, timeout=60)
            outcome = Outcome(
                kind=kind,
                status=response.status_code,
                request_id=request_id,
                answered_request_id=response.headers.get("X-Request-ID", ""),
                object_id=object_id,
                sent_version=version,
                answered_version=_version(response) if "/recommendations/" in url else None,
                title=body.get("title", ""),
            )
            outcomes.append(outcome)
            if response.status_code >= 500 or b"database is locked" in response.content:
                errors.append(f"{kind} {response.status_code} {response.content[:300]!r}")
            return outcome

        try:
            barrier.wait(timeout=60)
            own = []
            for i in range(OWN_RECOMMENDATIONS):
                rec_id = str(uuid.uuid4())
                body = {
                    "id": rec_id,
                    "reference": f"LIVE-{n:02d}-{i}",
                    "title": f"Live recommendation {n}.{i}",
                    "description": "Made by the live concurrency test.",
                    "source": "live-source",
                }
                send("create", "POST", f"{api}/recommendations/", body, rec_id)
                own.append(rec_id)
            for rec_id in own:
                url = f"{api}/recommendations/{rec_id}/"
                title = f"Live recommendation {rec_id[:8]}, renamed"
                send("title", "PATCH", url, {"title": title}, rec_id, version=1)
                status_body = {"recommendation": rec_id, "to_status": "in_progress", "expected_version": 2}
                send("status", "POST", f"{api}/status-updates/", status_body, rec_id)
                send("status", "PATCH", url, {"status": "stalled", "status_note": f"writer {n}"}, rec_id, version=3)
            shared_url = f"{api}/recommendations/{shared['id']}/"
            for k in range(SHARED_ROUNDS):
                version = _version(session.get(shared_url, timeout=60))
                send(
                    "shared",
                    "PATCH",
                    shared_url,
                    {"title": f"Shared, written by {n} in round {k}"},
                    shared["id"],
                    version,
                )
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(f"writer {n}: {error!r}")

    def poller() -> None:
        try:
            after = start_seq
            barrier.wait(timeout=60)
            while True:
                finished = writers_done.is_set()  # read before polling: one last poll after the writers are done
                body = reader.get(f"{api}/changes/", params={"after": after, "limit": 20}, timeout=60).json()
                seen.extend(item["seq"] for item in body["results"])
                if body["results"]:
                    after = body["results"][-1]["seq"]
                if finished and not body["next"]:
                    return
        except Exception as error:  # noqa: BLE001
            errors.append(f"poller: {error!r}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    polling = threading.Thread(target=poller)
    for thread in [*threads, polling]:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    writers_done.set()
    polling.join(timeout=120)

    # No server errors, no lock errors, in the answers or in the server's log.
    assert not errors, errors[:5]
    log = server.log()
    assert "database is locked" not in log
    assert "Traceback" not in log and '"level": "ERROR"' not in log, log[-3000:]
    by_kind = defaultdict(Counter)
    for outcome in outcomes:
        by_kind[outcome.kind][outcome.status] += 1
    assert by_kind["create"] == {201: WRITERS * OWN_RECOMMENDATIONS}
    assert by_kind["title"] == {200: WRITERS * OWN_RECOMMENDATIONS}
    assert by_kind["status"] == {201: WRITERS * OWN_RECOMMENDATIONS, 200: WRITERS * OWN_RECOMMENDATIONS}
    assert set(by_kind["shared"]) <= {200, 412} and by_kind["shared"][200] >= 1, by_kind["shared"]
    assert all(o.answered_request_id == o.request_id for o in outcomes)

    # Every acknowledged write is stored: versions, statuses and timelines as the writers left them.
    for rec_id in {o.object_id for o in outcomes if o.kind == "create"}:
        stored = reader.get(f"{api}/recommendations/{rec_id}/", timeout=30).json()
        assert (stored["version"], stored["status"]) == (4, "stalled"), stored
        assert stored["title"].endswith(", renamed")
        timeline = reader.get(f"{api}/status-updates/", params={"recommendation": rec_id}, timeout=30).json()
        steps = [(entry["from_status"], entry["to_status"]) for entry in timeline["results"]]
        assert steps == [("", "proposed"), ("proposed", "in_progress"), ("in_progress", "stalled")]

    # The shared recommendation: one winner per version, and its version counts the winners.
    won = [o for o in outcomes if o.kind == "shared" and o.status == 200]
    assert len({o.sent_version for o in won}) == len(won)
    assert all(o.answered_version == o.sent_version + 1 for o in won)
    final = reader.get(f"{api}/recommendations/{shared['id']}/", timeout=30).json()
    assert final["version"] == shared["version"] + len(won)
    assert final["title"] == max(won, key=lambda o: o.answered_version).title

    # The change feed: each item once, in seq order, as a poller saw it while the writers wrote, and exactly the
    # items each acknowledged write makes, carrying that request's id.
    feed = _walk_feed(reader, api, start_seq)
    seqs = [item["seq"] for item in feed]
    assert seqs == sorted(set(seqs))
    assert seen == seqs
    expected = {
        "create": [("recommendation", "created"), ("status_update", "created")],
        "title": [("recommendation", "updated")],
        "status": [("recommendation", "updated"), ("status_update", "created")],
        "shared": [("recommendation", "updated")],
    }
    items_by_request = defaultdict(list)
    for item in feed:
        items_by_request[item["request_id"]].append(item)
    for outcome in outcomes:
        items = items_by_request.pop(outcome.request_id, [])
        wanted = expected[outcome.kind] if outcome.status in {200, 201} else []
        assert [(item["object_type"], item["action"]) for item in items] == wanted, outcome
        for item in items:
            if item["object_type"] == "recommendation":
                assert item["object_id"] == outcome.object_id
                if outcome.answered_version is not None:
                    assert item["data"]["version"] == outcome.answered_version
    assert not items_by_request, "feed items that no acknowledged write made"
    timeline_items = [item for item in feed if item["object_type"] == "status_update"]
    assert len(timeline_items) == by_kind["create"][201] + by_kind["status"][201] + by_kind["status"][200]
