"""The report's kept tallies as a write: rebuilt from a full recount under the writers' lock."""

from __future__ import annotations

from core.changes import atomic_write

from .. import tallies


@atomic_write
def tallies_rebuild() -> int:
    """Replace the report's tallies with a full recount (after a restore, or to repair what the verification found);
    return the recommendations counted."""
    return tallies.rebuild()
