"""The report's kept tallies as writes: rebuilt, or repaired where they differ, from a full recount under the writers'
lock."""

from __future__ import annotations

from core.changes import atomic_write

from .. import tallies


@atomic_write
def tallies_rebuild() -> int:
    """Replace the report's tallies with a full recount (after a restore, or to repair what the verification found);
    return the recommendations counted."""
    return tallies.rebuild()


@atomic_write
def tallies_repair() -> tallies.TallyCheck:
    """Compare the report's tallies with a full recount and replace them by it where they differ (one recount, under
    the writers' lock, so no write slips in between)."""
    return tallies.check(repair=True)
