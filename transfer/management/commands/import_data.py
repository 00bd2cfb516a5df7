from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from transfer.backup import backup_import, backup_read


class Command(BaseCommand):
    """Restore a JSON backup made by export_data into an empty, migrated database."""

    help = "Restore a backup made by export_data into an empty database (users get unusable passwords)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            with open(file, encoding="utf-8") as stream:
                stats = backup_import(data=backup_read(stream))
        except FileNotFoundError as error:
            raise CommandError(f"{file}: no such file") from error
        except (ValidationError, KeyError, ValueError, TypeError) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else repr(error)
            raise CommandError(f"{file}: nothing restored: {message}") from error
        self.stdout.write(f"Restored from {file}:\n{stats.summary()}")
        self.stdout.write("Users have no password yet: set one with `manage.py changepassword NAME`.")
