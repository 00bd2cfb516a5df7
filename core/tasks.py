"""The shared machinery's own jobs: keeping the jobs' table from growing without end."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .jobs import job


@job(attempts=1)
def prune_finished_jobs() -> int:
    """Delete finished jobs older than ``JOBS_KEEP_DAYS`` (database backend; RQ expires its own); return how many.

    Failed jobs are kept as long as successful ones: the admin shows both until they age out.
    """
    if settings.JOBS_BACKEND != "database":
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=settings.JOBS_KEEP_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
