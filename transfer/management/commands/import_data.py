from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from transfer.backup import backup_files_import, backup_import, backup_read
from transfer.management.base import TransferCommand


class Command(TransferCommand):
    """Restore a JSON backup made by export_data into an empty, migrated database."""

    help = gettext_lazy("Restore a backup made by export_data into an empty database (users get unusable passwords).")  # type: ignore[assignment]  # lazy: TrackerCommand makes it text

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--files",
            type=Path,
            metavar="FOLDER",
            help=_("The folder export_data --files wrote: its evidence files go back into the storage."),
        )

    def handle(self, *args: Any, file: Path, files: Path | None = None, **options: Any) -> None:
        try:
            with open(file, encoding="utf-8") as stream, transaction.atomic():
                stats = backup_import(data=backup_read(stream))
                copied = backup_files_import(folder=files) if files is not None else None
        except FileNotFoundError as error:
            raise CommandError(_("%(file)s: no such file") % {"file": file}) from error
        except (ValidationError, KeyError, ValueError, TypeError, OSError) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else repr(error)
            raise CommandError(
                _("%(file)s: nothing restored: %(reason)s") % {"file": file, "reason": message}
            ) from error
        self.stdout.write(_("Restored from %(file)s:\n%(summary)s") % {"file": file, "summary": stats.summary()})
        if copied is not None:
            self.stdout.write(_("%(count)d evidence files restored.") % {"count": copied})
        self.stdout.write(_("Users have no password yet: set one with `manage.py changepassword NAME`."))
