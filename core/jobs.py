"""Background jobs (ADR 0007): jobs that retry with backoff, periodic jobs enqueued once whatever the number of
workers, and running what is queued.

A job is a function of JSON-friendly arguments (ids, never model instances) decorated with :func:`job`; it calls
services like any other entry point. ``settings.TASKS`` chooses the engine (the database, or RQ on Redis); nothing here
or in a job names one. A failed job stays failed in the engine's record, with its traceback, and is enqueued again
after ``BACKOFF_SECONDS × 2^(attempt-1)`` until it has had ``attempts`` tries; :class:`JobFailed` stops the retries
(the error is the input's, not the moment's).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from .models import PeriodicRun

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger(__name__)

#: How many times a job is tried by default, and the first wait before a retry (doubled at each further one).
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 30


class JobFailed(Exception):
    """A job failed for a reason a retry cannot fix (bad input, a refused write): it is not tried again."""


def backoff(attempt: int) -> timedelta:
    """How long to wait before trying again after the ``attempt``-th failure."""
    return timedelta(seconds=BACKOFF_SECONDS * 2 ** (attempt - 1))


@dataclass(frozen=True)
class Periodic:
    """A job run at an interval: its name (the key of its ``PeriodicRun``), how often, and what it runs."""

    name: str
    every: timedelta
    task: Task[[], Any]
    description: str | _StrPromise
    #: A cheap check that there is something to do; when it says no, no run is enqueued (and none is recorded).
    has_work: Callable[[], bool] | None = None


_PERIODIC: dict[str, Periodic] = {}


def _periodic_for(module_path: str) -> Periodic | None:
    """The periodic job that runs the task at ``module_path``, if any."""
    return next((entry for entry in _PERIODIC.values() if entry.task.module_path == module_path), None)


def job(*, attempts: int = MAX_ATTEMPTS, priority: int = 0) -> Callable[[Callable[P, R]], Task[P, R]]:
    """Make ``func`` a job: ``func.enqueue(...)`` runs it on a worker, retried with backoff if it raises.

    The wrapped function takes one more keyword argument, ``attempt`` (1 for the first run), given by the retries.
    """

    def decorate(func: Callable[P, R]) -> Task[P, R]:
        @functools.wraps(func)
        def run(*args: Any, attempt: int = 1, **kwargs: Any) -> R:
            periodic = _periodic_for(f"{func.__module__}.{func.__qualname__}")
            try:
                result = func(*args, **kwargs)
            except Exception as error:
                if periodic is not None:
                    PeriodicRun.objects.filter(name=periodic.name).update(
                        last_failure_at=timezone.now(), last_error=f"{type(error).__name__}: {error}"[:2000]
                    )
                if attempt < attempts and not isinstance(error, JobFailed):
                    logger.warning("job %s failed (attempt %d of %d); retried later", func.__name__, attempt, attempts)
                    again = cast("Task[..., R]", this.using(run_after=timezone.now() + backoff(attempt)))
                    again.enqueue(*args, attempt=attempt + 1, **kwargs)
                raise
            if periodic is not None:
                PeriodicRun.objects.filter(name=periodic.name).update(last_success_at=timezone.now())
            return result

        this = cast("Task[P, R]", task(priority=priority)(run))
        return this

    return decorate


def register_periodic(
    name: str,
    *,
    every: timedelta,
    task: Task[[], Any],
    description: str | _StrPromise,
    has_work: Callable[[], bool] | None = None,
) -> None:
    """Declare a periodic job (called from an app's ``ready()``); the workers' scheduler enqueues it when due."""
    _PERIODIC[name] = Periodic(name=name, every=every, task=task, description=description, has_work=has_work)


def periodic_job(name: str) -> Periodic | None:
    """The periodic job declared under ``name``, if it still is."""
    return _PERIODIC.get(name)


def periodic_jobs() -> list[Periodic]:
    """The periodic jobs declared, by name."""
    return [_PERIODIC[name] for name in sorted(_PERIODIC)]


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job that is due and has work; return their names.

    Each run is claimed by a conditional update of its ``due_at`` (only one of any number of workers changes the row,
    on PostgreSQL by its row lock, on SQLite by the database's write lock), in the same transaction as the enqueue,
    so a run is enqueued once, and not at all if the transaction fails.
    """
    now = now or timezone.now()
    PeriodicRun.objects.bulk_create([PeriodicRun(name=name, due_at=now) for name in _PERIODIC], ignore_conflicts=True)
    enqueued = []
    for entry in periodic_jobs():
        if entry.has_work is not None and not entry.has_work():
            continue
        with transaction.atomic():
            claimed = PeriodicRun.objects.filter(name=entry.name, due_at__lte=now).update(
                due_at=now + entry.every, last_enqueued_at=now
            )
            if claimed:
                entry.task.enqueue()
                enqueued.append(entry.name)
    return enqueued
