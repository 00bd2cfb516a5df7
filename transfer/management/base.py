"""The base of the transfer commands: TrackerCommand (output and ``--help`` in the operator's language)."""

from __future__ import annotations

from core.management.base import TrackerCommand


class TransferCommand(TrackerCommand):
    """A command of the transfer app (imports, exports, bundles, backups)."""
