"""Rate limits count across processes and hosts where Redis is configured (REDIS_URL).

Two gunicorn servers on one database and one Redis stand for two hosts behind a load balancer: a token's requests
to either count against the same window, so the limit is the limit. Skipped, saying why, where no Redis answers;
``.ci/run`` sets REDIS_TESTS=required so that CI cannot skip it.
"""

from __future__ import annotations

import os
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from loadtest import liveserver

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_answers() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(
        os.environ.get("REDIS_TESTS") != "required" and not _redis_answers(),
        reason=f"shared rate limit tests skipped: no Redis answers at {REDIS_URL}",
    ),
]

LIMIT = 5


@pytest.fixture
def two_hosts(tmp_path: Path) -> Iterator[tuple[liveserver.LiveServer, liveserver.LiveServer, str]]:
    suffix = "_redis" + os.environ.get("PYTEST_XDIST_WORKER", "")
    with liveserver.throwaway_database(tmp_path, base_url=os.environ.get("DATABASE_URL"), suffix=suffix) as url:
        first = liveserver.prepare(
            url,
            tmp_path,
            load_data=False,
            REDIS_URL=REDIS_URL,
            DJANGO_CACHE_KEY_PREFIX=f"test-{uuid.uuid4().hex}",  # this run's own counters in a shared Redis
            API_THROTTLE_TOKEN=f"{LIMIT}/hour",
            API_THROTTLE_USER="1000/hour",
        )
        second = liveserver.LiveServer(
            url=f"http://127.0.0.1:{liveserver.free_port()}", env=first.env, log_path=tmp_path / "second.log"
        )
        token = first.provision(writers=1)["writers"][0]
        first.start(workers=1, threads=1)
        try:
            second.start(workers=1, threads=1)
            try:
                yield first, second, token
            finally:
                second.stop()
        finally:
            first.stop()


def _get(base: str, token: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(f"{base}/api/v1/me/", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_two_hosts_count_one_window_for_a_token(two_hosts):
    first, second, token = two_hosts
    answers = [_get(server.url, token) for server in [first, second] * LIMIT]
    windows = {headers.get("X-RateLimit-Reset") for _status, headers in answers}
    if len(windows) > 1:  # an hour boundary passed during the run: the counts began again
        pytest.skip("the rate window ended during the test; run it again")
    statuses = [status for status, _headers in answers]
    # Alone, each host would let LIMIT requests through (2 x LIMIT in all); sharing Redis, they let LIMIT through.
    assert statuses == [200] * LIMIT + [429] * LIMIT
    remaining = [int(headers["X-RateLimit-Remaining"]) for _status, headers in answers]
    assert remaining[:LIMIT] == list(range(LIMIT - 1, -1, -1))
    assert all(int(headers["Retry-After"]) >= 1 for status, headers in answers if status == 429)
