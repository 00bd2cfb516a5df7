"""Background jobs of the transfer app: applying an import confirmed in the admin (ADR 0007)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.changes import VersionConflict
from core.jobs import JobFailed, job
from core.spreadsheets import TableFileError

from .importing import Action, import_plan, read_import_file
from .models import ImportRun, ImportRunStatus
from .progress import progress_forget, progress_write
from .services import ImportResult, import_run_fail, import_run_finish, import_run_start, recommendations_import

logger = logging.getLogger(__name__)

#: How many times a run is tried when something other than its input fails (a busy or restarting database).
IMPORT_ATTEMPTS = 3
#: What an import needs of its user, and of them for each kind of object it creates (as the admin checks).
IMPORT_PERMISSIONS = ("recommendations.add_recommendation", "recommendations.change_recommendation")
CREATE_PERMISSIONS = {
    "source": "recommendations.add_source",
    "partner": "partners.add_partner",
    "theme": "recommendations.add_theme",
}


@job(attempts=IMPORT_ATTEMPTS)
def import_run_apply(run_id: int) -> str:
    """Apply an import run: plan its file again, refuse it if the plan is not the one its user confirmed, and write it
    through ``recommendations_import`` with its progress in the ``progress`` cache. Its input's errors mark it failed
    and are not retried (JobFailed); a run that is over already is left as it is."""
    run = ImportRun.objects.select_related("user").filter(pk=run_id).first()
    if run is None:
        raise JobFailed(f"import run {run_id} does not exist")
    if run.status in (ImportRunStatus.SUCCEEDED, ImportRunStatus.FAILED):
        return run.status
    with translation.override(run.language or None):
        try:
            result = _apply(run)
        except (JobFailed, TableFileError, VersionConflict, ValidationError) as error:
            reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            import_run_fail(run=run, error=_("Nothing was imported: %(reason)s") % {"reason": reason})
            progress_forget(run.uuid)
            raise JobFailed(reason) from error
        except Exception as error:
            last = run.attempts >= IMPORT_ATTEMPTS
            if last:
                message = _("Nothing was imported: the import failed %(count)d times (%(error)s).") % {
                    "count": run.attempts,
                    "error": type(error).__name__,
                }
            else:
                message = _("Nothing was imported yet: the import was interrupted and will be tried again shortly.")
            import_run_fail(run=run, error=message, retry=not last)
            progress_forget(run.uuid)
            if last:
                raise JobFailed(message) from error
            raise
        import_run_finish(run=run, result=result)  # its summary, in the run's language
    progress_forget(run.uuid)
    return run.status


def _apply(run: ImportRun) -> ImportResult:
    """Plan the run's file, check it is the plan its user confirmed and may apply, and apply it (one transaction)."""
    user = run.user
    if not user.is_active or not user.has_perms(IMPORT_PERMISSIONS):
        raise JobFailed(_("%(user)s may no longer import recommendations.") % {"user": user.get_username()})
    plan = import_plan(
        table=read_import_file(content=bytes(run.content), filename=run.filename), create_missing=run.create_missing
    )
    if plan.signature != run.signature:
        raise JobFailed(
            _(
                "the recommendations or the catalogue changed after the preview, so the file would now do something "
                "else. Upload it again to see what."
            )
        )
    if any(not user.has_perm(CREATE_PERMISSIONS[new.kind]) for new in plan.new_objects):
        raise JobFailed(_("the file would create sources, partners or themes that you may not add."))
    total = plan.count(Action.CREATE) + plan.count(Action.UPDATE)
    import_run_start(run=run, total_rows=total)
    progress_write(run.uuid, applied=0, total=total)
    return recommendations_import(
        plan=plan, actor=user, progress=lambda applied, of: progress_write(run.uuid, applied=applied, total=of)
    )


#: A run still "running" this long after it started lost its worker (an import of the most rows takes seconds): its
#: transaction was rolled back with the worker, so nothing of it was written, and it is tried again.
INTERRUPTED_AFTER = timedelta(minutes=30)


def _interrupted_runs() -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(
        status=ImportRunStatus.RUNNING, started_at__lt=timezone.now() - INTERRUPTED_AFTER
    ).select_related("user")


@job(attempts=1)
def import_runs_recover() -> int:
    """Queue again the runs whose worker was killed (or fail them after their last attempt); return how many."""
    recovered = 0
    for run in _interrupted_runs():
        with translation.override(run.language or None):
            if run.attempts >= IMPORT_ATTEMPTS:
                import_run_fail(
                    run=run,
                    error=_("Nothing was imported: the worker applying it stopped %(count)d times.")
                    % {"count": run.attempts},
                )
            else:
                import_run_fail(
                    run=run,
                    error=_("Nothing was imported yet: the import was interrupted and will be tried again shortly."),
                    retry=True,
                )
                import_run_apply.enqueue(run.pk)
        progress_forget(run.uuid)
        recovered += 1
    return recovered


def has_interrupted_runs() -> bool:
    """Whether some run lost its worker (the periodic check's cheap test)."""
    return _interrupted_runs().exists()
