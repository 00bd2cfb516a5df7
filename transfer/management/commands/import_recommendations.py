from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.changes import VersionConflict
from core.spreadsheets import MAX_FILE_BYTES, TableFileError
from transfer.importing import import_plan, plan_as_text, read_import_file
from transfer.services import recommendations_import


class Command(BaseCommand):
    """Import recommendations from a spreadsheet: print the plan, then apply every row or none."""

    help = (
        "Import recommendations from a CSV (UTF-8), XLSX or JSON file. Prints what each row does; with --dry-run "
        "writes nothing, otherwise applies all rows in one transaction. Exits non-zero if any row has an error "
        "(and then writes nothing). Columns: see docs/user-guide.md, 'Adding a new source'."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="A .csv, .xlsx or .json file.")
        parser.add_argument("--dry-run", action="store_true", help="Show what the import would do; write nothing.")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create unknown sources, partners and themes (from their names) instead of reporting them.",
        )
        parser.add_argument("--user", help="Username recorded as the author of the changes and timeline entries.")

    def handle(
        self, *args: Any, file: Path, dry_run: bool, create_missing: bool, user: str | None, **options: Any
    ) -> None:
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"No user named “{user}”.") from error
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"{file}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.")
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        try:
            plan = import_plan(
                table=read_import_file(content=content, filename=file.name), create_missing=create_missing
            )
        except TableFileError as error:
            raise CommandError(f"{file}: {error} Nothing was written.") from error

        self.stdout.write(plan_as_text(plan))
        if plan.has_errors:
            raise CommandError(
                f"{file}: {len(plan.error_rows)} {plan.row_label}(s) with errors; nothing was written. "
                "Correct them and run the import again."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            result = recommendations_import(plan=plan, actor=actor)
        except (VersionConflict, ValidationError) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(f"{file}: nothing was written: {message}") from error
        self.stdout.write(f"Imported: {result.summary()}")
