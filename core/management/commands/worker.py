"""Run a background worker: it runs queued jobs and enqueues the periodic ones when they are due (ADR 0007)."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.jobs import enqueue_due
from core.management.base import TrackerCommand

logger = logging.getLogger("core.jobs")

#: The job class RQ workers need to run Django tasks (django-tasks-rq's).
RQ_JOB_CLASS = "django_tasks_rq.backend.Job"


def scheduler_loop(stop: threading.Event, interval: float) -> None:
    """Enqueue due periodic jobs every ``interval`` seconds until ``stop`` is set (a thread beside the worker)."""
    while not stop.is_set():
        try:
            enqueued = enqueue_due()
            if enqueued:
                logger.info("periodic jobs enqueued: %s", ", ".join(enqueued))
        except DatabaseError:  # a locked or restarting database: the next tick tries again
            logger.warning("periodic jobs not checked this time", exc_info=True)
        finally:
            connections.close_all()
        stop.wait(interval)


class Command(TrackerCommand):
    help = gettext_lazy(
        "Run a background worker: it runs queued jobs (imports, notifications, reminders, webhook deliveries) and "
        "enqueues periodic jobs when they are due. Run as many as the load needs, on any host that shares the "
        "database (or Redis, with JOBS_BACKEND=rq)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help=_("Run what is queued and due now, then exit."))
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help=_("Seconds to wait when nothing is queued (database backend; default 1)."),
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help=_("Do not enqueue periodic jobs from this worker (another one does)."),
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help=_("Restart when the code changes (development)."),
        )

    def handle(self, *args: Any, batch: bool, interval: float, scheduler: bool, reload: bool, **options: Any) -> None:
        if interval < 0:
            raise CommandError(_("--interval must be zero or more."))
        verbosity = int(options.get("verbosity", 1))
        logging.getLogger("core.jobs").setLevel(logging.INFO if verbosity else logging.WARNING)
        if batch:
            if scheduler:
                enqueue_due()
            run_batch()
            return
        if reload and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            run_with_reloader(self.serve, interval=interval, scheduler=scheduler, verbosity=verbosity)
            return
        self.serve(interval=interval, scheduler=scheduler, verbosity=verbosity)

    def serve(self, *, interval: float, scheduler: bool, verbosity: int) -> None:
        """Run jobs until stopped, with the periodic scheduler in a thread beside them."""
        stop = threading.Event()
        if scheduler:
            threading.Thread(
                target=scheduler_loop, args=(stop, settings.JOBS_TICK_SECONDS), name="scheduler", daemon=True
            ).start()
        try:
            if settings.JOBS_BACKEND == "rq":
                call_command("rqworker", "default", with_scheduler=True, job_class=RQ_JOB_CLASS, verbosity=verbosity)
            else:
                from django_tasks_db.management.commands.db_worker import Worker

                worker = Worker(
                    queue_names=["*"],
                    interval=interval,
                    batch=False,
                    backend_name="default",
                    startup_delay=True,
                    max_tasks=None,
                    worker_id=get_random_string(32),
                    excluded_queue_names=[],
                )
                worker.configure_signals()
                worker.run()
        finally:
            stop.set()


def run_batch() -> int:
    """Run every job that is queued and due now in this process, until none is left; return how many ran.

    The database backend's own loop, one claim at a time, without its connection recycling (so that it also runs
    inside a test's transaction).
    """
    if settings.JOBS_BACKEND == "rq":
        call_command("rqworker", "default", burst=True, with_scheduler=False, job_class=RQ_JOB_CLASS)
        return 0
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        ready = DBTaskResult.objects.ready().filter(backend_name="default")
        with exclusive_transaction(ready.db):
            claimed = ready.get_locked()
            if claimed is not None:
                claimed.claim(worker.worker_id)
        if claimed is None:
            return ran
        worker.run_task(claimed)
        ran += 1
