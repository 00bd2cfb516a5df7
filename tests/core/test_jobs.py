"""Background jobs (core.jobs): retries with backoff, periodic jobs enqueued once, the worker command."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import jobs
from core.models import PeriodicRun
from tests.core import jobs_under_test
from tests.core.jobs_under_test import flaky, noop, refused


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
@pytest.mark.django_db(transaction=True)
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
