import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from transfer.backup import backup_export
from transfer.management.base import TransferCommand


class Command(TransferCommand):
    """Write a consistent JSON backup of everything (no passwords, no tokens)."""

    help = gettext_lazy("Back up the whole tracker to a JSON file (use - for standard output).")  # type: ignore[assignment]  # lazy: TrackerCommand makes it text

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help=_("Where to write the backup, or - for standard output."))

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        if file == "-":
            stats = backup_export(stream=sys.stdout)
            self.stderr.write(stats.summary())
            return
        path = Path(file)
        partial = path.with_name(path.name + ".partial")
        try:
            with open(partial, "w", encoding="utf-8") as stream:
                stats = backup_export(stream=stream)
            partial.replace(path)  # a backup file is either complete or absent
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": error}) from error
        self.stdout.write(_("Backup written to %(path)s:\n%(summary)s") % {"path": path, "summary": stats.summary()})
