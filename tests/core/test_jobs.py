"""Background jobs (core.jobs): retries with backoff, periodic jobs enqueued once, the worker command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import jobs
from core.models import PeriodicRun
from tests.core import jobs_under_test
from tests.core.jobs_under_test import flaky, noop, refused
from tests.project import ROOT


@pytest.fixture(autouse=True)
def fresh_calls() -> Iterator[None]:
    jobs_under_test.CALLS.clear()
    yield
    jobs_under_test.CALLS.clear()


@pytest.fixture
def periodic_noop() -> Iterator[str]:
    """``noop`` declared as a periodic job every hour, for the length of a test."""
    saved = dict(jobs._PERIODIC)
    jobs._PERIODIC.clear()
    jobs.register_periodic("test-noop", every=timedelta(hours=1), task=noop, description="Nothing, hourly.")
    yield "test-noop"
    jobs._PERIODIC.clear()
    jobs._PERIODIC.update(saved)


def run_queued() -> None:
    call_command("worker", "--batch", "--no-scheduler", verbosity=0)


def test_a_job_runs_on_the_worker_and_keeps_its_result(db):
    result = noop.enqueue()
    assert DBTaskResult.objects.get(id=result.id).status == "READY"
    run_queued()
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == "SUCCESSFUL"
    assert stored.return_value == "done"
    assert jobs_under_test.CALLS == ["noop"]


def test_a_failed_job_stays_visible_and_is_retried_later_with_backoff(db):
    before = timezone.now()
    first = flaky.enqueue("a")
    run_queued()
    failed = DBTaskResult.objects.get(id=first.id)
    assert failed.status == "FAILED"
    assert "flaky a failed" in failed.traceback
    retry = DBTaskResult.objects.exclude(id=first.id).get()
    assert retry.status == "READY"
    assert retry.args_kwargs == {"args": ["a"], "kwargs": {"attempt": 2}}
    # Not before its backoff: the batch run above did not pick it up, and it waits about 30 s.
    assert jobs_under_test.CALLS == ["flaky a"]
    assert before + timedelta(seconds=29) < retry.run_after < timezone.now() + timedelta(seconds=31)


def test_retries_stop_after_the_last_attempt(db):
    flaky.enqueue("b", attempt=3)
    run_queued()
    assert DBTaskResult.objects.filter(status="READY").count() == 0
    assert DBTaskResult.objects.get().status == "FAILED"


def test_backoff_doubles():
    assert [jobs.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_a_refused_job_is_not_retried(db):
    refused.enqueue()
    run_queued()
    assert jobs_under_test.CALLS == ["refused"]
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED"]


def test_a_periodic_job_is_enqueued_when_due_and_once_per_interval(db, periodic_noop):
    now = timezone.now()
    assert jobs.enqueue_due(now) == [periodic_noop]
    assert jobs.enqueue_due(now + timedelta(minutes=59)) == []
    assert DBTaskResult.objects.count() == 1
    assert jobs.enqueue_due(now + timedelta(hours=1)) == [periodic_noop]
    assert DBTaskResult.objects.count() == 2


def test_a_periodic_run_records_its_last_success_and_failure(db, periodic_noop):
    jobs.enqueue_due()
    run_queued()
    run = PeriodicRun.objects.get(name=periodic_noop)
    assert run.last_success_at is not None
    assert run.last_failure_at is None


def test_a_periodic_job_without_work_is_not_enqueued(db, periodic_noop):
    jobs._PERIODIC[periodic_noop] = jobs.Periodic(
        name=periodic_noop, every=timedelta(hours=1), task=noop, description="x", has_work=lambda: False
    )
    assert jobs.enqueue_due() == []
    assert DBTaskResult.objects.count() == 0


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the roles migration 0002 made
def test_many_workers_enqueue_a_periodic_run_once(periodic_noop):
    """Eight schedulers look at the same moment: one run is enqueued."""
    jobs.enqueue_due(timezone.now() - timedelta(hours=2))  # the row exists and is due again
    DBTaskResult.objects.all().delete()
    now = timezone.now()
    barrier = threading.Barrier(8)
    claimed: list[list[str]] = []
    errors: list[BaseException] = []

    def look() -> None:
        try:
            barrier.wait()
            claimed.append(jobs.enqueue_due(now))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=look) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(claimed) == sorted([[periodic_noop]] + [[]] * 7)
    assert DBTaskResult.objects.count() == 1


def test_the_worker_command_refuses_a_negative_interval(db):
    with pytest.raises(Exception, match="interval"):
        call_command("worker", "--interval", "-1")


def test_the_admin_lists_jobs_with_their_attempt_and_error_in_the_readers_language(db, client):
    from tests.factories import UserFactory

    flaky.enqueue("c")
    run_queued()
    client.force_login(UserFactory(admin=True))
    page = client.get("/admin/django_tasks_database/dbtaskresult/", HTTP_ACCEPT_LANGUAGE="ja")
    text = page.content.decode()
    assert page.status_code == 200
    assert "試行回数" in text and "エラー" in text
    assert "RuntimeError: flaky c failed" in text
    assert "失敗" in text  # the failed status, in Japanese


def test_the_admin_shows_each_periodic_jobs_last_success(db, client, periodic_noop):
    from tests.factories import UserFactory

    jobs.enqueue_due()
    run_queued()
    client.force_login(UserFactory(admin=True))
    page = client.get("/admin/core/periodicrun/")
    assert page.status_code == 200
    assert "Nothing, hourly." in page.content.decode()
    assert "1 hour" in page.content.decode()


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_answers() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(
    os.environ.get("REDIS_TESTS") != "required" and not _redis_answers(),
    reason=f"RQ backend test skipped: no Redis answers at {REDIS_URL}",
)
def test_on_redis_a_job_runs_on_an_rq_worker(tmp_path):
    """With JOBS_BACKEND=rq the same job goes through Redis and `manage.py worker --batch` runs it."""
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from tests.core.jobs_under_test import noop\n"
        "result = noop.enqueue()\n"
        "call_command('worker', '--batch', '--no-scheduler', verbosity=0)\n"
        "result.refresh()\n"
        "print(result.status, result.return_value)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "JOBS_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rq.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "SUCCESSFUL done"


def test_finished_jobs_age_out_after_the_kept_days(db, settings):
    from core.tasks import prune_finished_jobs

    settings.JOBS_KEEP_DAYS = 14
    old, recent, queued = noop.enqueue(), noop.enqueue(), noop.enqueue()
    run_queued()
    DBTaskResult.objects.filter(id=old.id).update(finished_at=timezone.now() - timedelta(days=15))
    DBTaskResult.objects.filter(id=queued.id).update(status="READY", finished_at=None)
    assert prune_finished_jobs.call() == 1
    assert {str(id_) for id_ in DBTaskResult.objects.values_list("id", flat=True)} == {recent.id, queued.id}


def test_the_shared_machinery_declares_its_periodic_job():
    assert "prune-finished-jobs" in {entry.name for entry in jobs.periodic_jobs()}
