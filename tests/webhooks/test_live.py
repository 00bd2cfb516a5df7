"""Live: a real ``manage.py worker`` delivers to a local receiver; it is SIGKILLed mid-stream and another takes over.
Every event arrives, signed, in seq order, with no gap (a repeat only right after itself: at least once)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from core.models import ChangeEvent
from tests.project import ROOT
from tests.webhooks.conftest import make_partners, verify
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_create

EVENTS = 30
DEADLINE = 120.0


def database_url() -> str:
    """The test database, as DATABASE_URL names it, for a process of its own."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def start_worker(log: Path) -> subprocess.Popen[bytes]:
    """A worker process with its scheduler, on the test database, fast ticks and a short POST timeout."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_ENV_FILE": "",
        "DJANGO_DEBUG": "1",
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1",
        "JOBS_TICK_SECONDS": "0.2",
        "WEBHOOKS_INTERVAL_SECONDS": "0.3",
        "WEBHOOKS_TIMEOUT_SECONDS": "2",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.1"], cwd=ROOT, env=env, stdout=out, stderr=out
        )


def wait_for(condition: Callable[[], bool], what: str, deadline: float) -> None:
    """Poll until ``condition`` holds; fail with ``what`` at the deadline."""
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.concurrency
@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # leaves the roles migrations made, as the other live tests do
def test_a_killed_worker_loses_nothing_and_reorders_nothing(receiver, tmp_path):
    deadline = time.monotonic() + DEADLINE
    endpoint = webhook_endpoint_create(name="Live", url=receiver.url)
    receiver.delay = 0.05
    log = tmp_path / "worker.log"
    first = start_worker(log)
    second: subprocess.Popen[bytes] | None = None
    try:
        make_partners(EVENTS)
        expected = list(
            ChangeEvent.objects.filter(seq__gt=endpoint.cursor).order_by("seq").values_list("seq", flat=True)
        )
        assert len(expected) == EVENTS
        wait_for(lambda: len(receiver.received) >= 8, "the first deliveries", deadline)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        receiver.statuses = [500]  # and the next answer fails: the new worker retries it after its backoff
        second = start_worker(log)

        def all_delivered() -> bool:
            return WebhookEndpoint.objects.get(pk=endpoint.pk).cursor == expected[-1]

        wait_for(all_delivered, f"every event (worker log: {log})", deadline)
    finally:
        stop(first)
        if second is not None:
            stop(second)
    arrived = [int(item.headers["X-Tracker-Seq"]) for item in receiver.received]
    collapsed = [seq for index, seq in enumerate(arrived) if index == 0 or arrived[index - 1] != seq]
    assert collapsed == expected, arrived
    for item in receiver.received:
        assert verify(endpoint.secret, item.headers["X-Tracker-Signature"], item.body)
        assert json.loads(item.body)["seq"] == int(item.headers["X-Tracker-Seq"])
