"""Imports as jobs: a confirmed import is a run a worker applies; its progress shows while its transaction is open; an
input error fails it with a message and writes nothing; only its user (or a superuser) sees it."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from recommendations.models import Recommendation
from recommendations.services import recommendation_update
from tests.factories import UserFactory
from transfer import tasks
from transfer.models import ImportRun, ImportRunStatus
from transfer.progress import progress_read
from transfer.services import import_run_create

from .helpers import db_state, exported, file_bytes, plan_for

pytestmark = pytest.mark.django_db


def run_jobs() -> None:
    """Run the queued jobs in this process, as a worker would."""
    call_command("worker", "--batch", "--no-scheduler")


def new_rows(count: int) -> list[dict]:
    return [
        {"reference": f"RUN-{n:02d}", "title_en": f"T{n}", "description_en": "d", "source": "a-commentary"}
        for n in range(count)
    ]


def queued_run(user, rows: list[dict], *, language: str = "en") -> ImportRun:
    """A run of a file of ``rows`` as the admin's confirmation records it, enqueued."""
    content = file_bytes(rows)
    plan = plan_for(content)
    assert not plan.has_errors, [row.errors for row in plan.rows]
    run = import_run_create(
        user=user,
        filename="runs.csv",
        content=content,
        signature=plan.signature,
        create_missing=False,
        total_rows=plan.count("create") + plan.count("update"),
        language=language,
    )
    tasks.import_run_apply.enqueue(run.pk)
    return run


def run_page(run: ImportRun) -> str:
    return reverse("admin:recommendations_recommendation_import_run", kwargs={"run": run.uuid})


def test_a_run_applies_its_file_and_says_what_it_did(recommendation, policy_user, policy_client):
    run = queued_run(policy_user, new_rows(3))
    page = policy_client.get(run_page(run)).content.decode()
    assert "Queued" in page and '<meta http-equiv="refresh" content="2">' in page
    run_jobs()
    run.refresh_from_db()
    assert (run.status, run.rows_applied, run.total_rows, run.error) == ("succeeded", 3, 3, "")
    assert run.summary == "3 created, 0 updated, 0 unchanged."
    assert Recommendation.objects.filter(reference__startswith="RUN-").count() == 3
    assert run.finished_at is not None and run.started_at is not None
    # Run again (a retried job): nothing more is written.
    state = db_state()
    tasks.import_run_apply.enqueue(run.pk)
    run_jobs()
    assert db_state() == state


def test_progress_is_readable_while_the_transaction_is_open(recommendation, policy_user, monkeypatch):
    monkeypatch.setattr("transfer.services.CHUNK_ROWS", 2)
    run = queued_run(policy_user, new_rows(5))
    seen = []
    write = tasks.progress_write

    def spy(run_uuid, *, applied, total):
        write(run_uuid, applied=applied, total=total)
        row = ImportRun.objects.values_list("status", "rows_applied").get(pk=run.pk)
        seen.append((len(connection.atomic_blocks), progress_read(run_uuid), row))

    monkeypatch.setattr(tasks, "progress_write", spy)
    run_jobs()
    # Inside the import's transaction (one level deeper than before it) the cache says how far it is; the run's row
    # is left alone until the end.
    depth = seen[0][0]
    assert [(inside - depth, progress) for inside, progress, _row in seen] == [
        (0, (0, 5)),
        (1, (0, 5)),
        (1, (2, 5)),
        (1, (4, 5)),
        (1, (5, 5)),
    ]
    assert {row for *_rest, row in seen} == {("running", 0)}
    assert progress_read(run.uuid) is None  # forgotten once the row holds the final state
    assert ImportRun.objects.get(pk=run.pk).rows_applied == 5


def test_a_plan_that_changed_fails_the_run_writes_nothing_and_is_not_retried(recommendation, policy_user):
    rows = exported("TST-01")
    rows[0]["title_en"] = "Mine"
    run = queued_run(policy_user, rows)
    recommendation_update(recommendation=recommendation, actor=None, data={"team": "Someone else's"})
    before = db_state()
    run_jobs()
    run.refresh_from_db()
    assert run.status == ImportRunStatus.FAILED
    assert run.error.startswith("Nothing was imported: the recommendations or the catalogue changed after the preview")
    assert db_state() == before
    assert not DBTaskResult.objects.filter(status="READY").exists()  # no retry


def test_a_failure_is_written_in_the_users_language(recommendation, policy_user):
    run = queued_run(policy_user, new_rows(1), language="ja")
    ImportRun.objects.filter(pk=run.pk).update(content=b"\x00\x01 not a spreadsheet")
    run_jobs()
    run.refresh_from_db()
    assert run.status == ImportRunStatus.FAILED
    assert run.error and "Nothing was imported" not in run.error  # translated (the catalogue has the phrase)


def test_an_unexpected_error_is_retried_and_the_run_waits(recommendation, policy_user, monkeypatch):
    run = queued_run(policy_user, new_rows(2))

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "recommendations_import", broken)
    run_jobs()
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("queued", 1)
    assert "tried again" in run.error
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the retry, after its backoff


def test_only_the_runs_user_or_a_superuser_sees_it(
    recommendation, policy_user, policy_client, superuser_client, client
):
    run = queued_run(policy_user, new_rows(1))
    other = UserFactory(username="other-policy", policy=True)
    client.force_login(other)
    assert client.get(run_page(run)).status_code == 404
    assert superuser_client.get(run_page(run)).status_code == 200
    assert policy_client.get(run_page(run)).status_code == 200
    import_page = reverse("admin:recommendations_recommendation_import")
    assert run_page(run) not in client.get(import_page).content.decode()
    assert run_page(run) in policy_client.get(import_page).content.decode()


def test_a_failed_run_shows_its_error_and_stops_refreshing(recommendation, policy_user, policy_client):
    rows = exported("TST-01")
    rows[0]["title_en"] = "Mine"
    run = queued_run(policy_user, rows)
    recommendation_update(recommendation=recommendation, actor=None, data={"team": "Someone else's"})
    run_jobs()
    page = policy_client.get(run_page(run)).content.decode()
    assert "Failed" in page and "Nothing was imported" in page
    assert "http-equiv" not in page


def test_a_run_whose_worker_was_killed_is_queued_again_and_then_applied(recommendation, policy_user):
    """A worker killed mid-import leaves its run "running" (its transaction died with it): the periodic check queues
    it again, and the next worker applies it."""
    from datetime import timedelta

    from django.utils import timezone

    run = queued_run(policy_user, new_rows(2))
    DBTaskResult.objects.all().delete()  # the worker took the job and died with it
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRunStatus.RUNNING, attempts=1, started_at=timezone.now() - timedelta(hours=1)
    )
    assert tasks.has_interrupted_runs()
    assert tasks.import_runs_recover.call() == 1
    run.refresh_from_db()
    assert run.status == ImportRunStatus.QUEUED and "interrupted" in run.error
    run_jobs()
    run.refresh_from_db()
    assert run.status == ImportRunStatus.SUCCEEDED
    assert Recommendation.objects.filter(reference__startswith="RUN-").count() == 2


def test_a_run_interrupted_on_its_last_attempt_fails_with_a_message(recommendation, policy_user):
    from datetime import timedelta

    from django.utils import timezone

    run = queued_run(policy_user, new_rows(2))
    DBTaskResult.objects.all().delete()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRunStatus.RUNNING, attempts=tasks.IMPORT_ATTEMPTS, started_at=timezone.now() - timedelta(hours=1)
    )
    tasks.import_runs_recover.call()
    run.refresh_from_db()
    assert run.status == ImportRunStatus.FAILED and "stopped" in run.error
    assert not DBTaskResult.objects.exists()
    assert not Recommendation.objects.filter(reference__startswith="RUN-").exists()


def test_a_run_running_for_a_short_while_is_left_alone(recommendation, policy_user):
    from django.utils import timezone

    run = queued_run(policy_user, new_rows(1))
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRunStatus.RUNNING, started_at=timezone.now())
    assert not tasks.has_interrupted_runs()
    assert tasks.import_runs_recover.call() == 0


def test_a_runs_summary_is_in_its_users_language(recommendation, policy_user):
    run = queued_run(policy_user, new_rows(2), language="ja")
    run_jobs()
    run.refresh_from_db()
    assert run.status == ImportRunStatus.SUCCEEDED
    assert "created" not in run.summary and "2" in run.summary, run.summary
