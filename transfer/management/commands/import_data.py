from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from transfer.backup import backup_import, backup_read
from transfer.management.base import TransferCommand


class Command(TransferCommand):
    """Restore a JSON backup made by export_data into an empty, migrated database."""

    help = gettext_lazy("Restore a backup made by export_data into an empty database (users get unusable passwords).")  # type: ignore[assignment]  # lazy: TrackerCommand makes it text

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            with open(file, encoding="utf-8") as stream:
                stats = backup_import(data=backup_read(stream))
        except FileNotFoundError as error:
            raise CommandError(_("%(file)s: no such file") % {"file": file}) from error
        except (ValidationError, KeyError, ValueError, TypeError) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else repr(error)
            raise CommandError(
                _("%(file)s: nothing restored: %(reason)s") % {"file": file, "reason": message}
            ) from error
        self.stdout.write(_("Restored from %(file)s:\n%(summary)s") % {"file": file, "summary": stats.summary()})
        self.stdout.write(_("Users have no password yet: set one with `manage.py changepassword NAME`."))
