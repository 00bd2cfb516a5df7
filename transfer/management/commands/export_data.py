import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recommendations.models import Evidence
from transfer.backup import backup_export, backup_files_export
from transfer.management.base import TransferCommand


class Command(TransferCommand):
    """Write a consistent JSON backup of everything (no passwords, no tokens)."""

    help = gettext_lazy("Back up the whole tracker to a JSON file (use - for standard output).")  # type: ignore[assignment]  # lazy: TrackerCommand makes it text

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help=_("Where to write the backup, or - for standard output."))
        parser.add_argument(
            "--files",
            type=Path,
            metavar="FOLDER",
            help=_("Also copy the evidence files into FOLDER (restore them with import_data --files FOLDER)."),
        )

    def handle(self, *args: Any, file: str, files: Path | None = None, **options: Any) -> None:
        if file == "-":
            stats = backup_export(stream=sys.stdout)
            self.stderr.write(stats.summary())
            self._files(files, self.stderr)
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
        self._files(files, self.stdout)

    def _files(self, folder: Path | None, out: Any) -> None:
        """Copy the evidence files, or say that the backup does not hold them and how to back them up."""
        if folder is None:
            if Evidence.objects.exclude(file="").exists():
                out.write(
                    _(
                        "Evidence files are not in this file: run again with --files FOLDER, or back up the storage "
                        "(docs/deploying.md, “Backups”)."
                    )
                )
            return
        try:
            count = backup_files_export(folder=folder)
        except OSError as error:
            raise CommandError(_("Cannot copy the evidence files: %(error)s") % {"error": error}) from error
        out.write(_("%(count)d evidence files copied to %(folder)s.") % {"count": count, "folder": folder})
