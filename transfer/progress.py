"""An import run's progress while its transaction is open, in the ``progress`` cache (``config.settings``).

The worker writes "rows applied of total" after each chunk; the web process reads it. It cannot go through the
database: the import's transaction is not committed yet (and on SQLite it holds the write lock). The run's row gets
the final figures once the transaction has ended.
"""

from __future__ import annotations

from django.core.cache import caches

#: How long a progress entry outlives its last write (seconds); the run's row holds the final state.
PROGRESS_TIMEOUT = 24 * 3600


def _key(run_uuid: object) -> str:
    return f"import-run:{run_uuid}"


def progress_write(run_uuid: object, *, applied: int, total: int) -> None:
    """Say that ``applied`` of ``total`` rows of a run are written (not yet committed)."""
    caches["progress"].set(_key(run_uuid), {"applied": applied, "total": total}, PROGRESS_TIMEOUT)


def progress_read(run_uuid: object) -> tuple[int, int] | None:
    """(rows applied, total) of a running import, if its worker has said."""
    entry = caches["progress"].get(_key(run_uuid))
    if not isinstance(entry, dict):
        return None
    return int(entry.get("applied", 0)), int(entry.get("total", 0))


def progress_forget(run_uuid: object) -> None:
    """Drop a run's progress entry (its row has the final state)."""
    caches["progress"].delete(_key(run_uuid))
