from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.changes import VersionConflict
from core.spreadsheets import MAX_FILE_BYTES, TableFileError
from transfer.importing import import_plan, plan_as_text, read_import_file
from transfer.management.base import TransferCommand
from transfer.services import recommendations_import


class Command(TransferCommand):
    """Import recommendations from a spreadsheet: print the plan, then apply every row or none."""

    help = gettext_lazy(  # type: ignore[assignment]  # lazy: TrackerCommand makes it text
        "Import recommendations from a CSV (UTF-8), XLSX or JSON file. Prints what each row does; with --dry-run "
        "writes nothing, otherwise applies all rows in one transaction. Exits non-zero if any row has an error "
        "(and then writes nothing). Columns: see docs/user-guide.md, 'Adding a new source'."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help=_("A .csv, .xlsx or .json file."))
        parser.add_argument("--dry-run", action="store_true", help=_("Show what the import would do; write nothing."))
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help=_("Create unknown sources, partners and themes (from their names) instead of reporting them."),
        )
        parser.add_argument("--user", help=_("Username recorded as the author of the changes and timeline entries."))

    def handle(
        self, *args: Any, file: Path, dry_run: bool, create_missing: bool, user: str | None, **options: Any
    ) -> None:
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as error:
                raise CommandError(_("No user named “%(user)s”.") % {"user": user}) from error
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(
                    _("%(file)s: larger than %(mb)d MB; split it.")
                    % {"file": file, "mb": MAX_FILE_BYTES // (1024 * 1024)}
                )
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        try:
            plan = import_plan(
                table=read_import_file(content=content, filename=file.name), create_missing=create_missing
            )
        except TableFileError as error:
            raise CommandError(
                _("%(file)s: %(error)s Nothing was written.") % {"file": file, "error": error}
            ) from error

        self.stdout.write(plan_as_text(plan))
        if plan.has_errors:
            count = len(plan.error_rows)
            if plan.row_label == "item":
                message = ngettext(
                    "%(file)s: %(count)d item(s) with errors; nothing was written. Correct them and run the import "
                    "again.",
                    "%(file)s: %(count)d item(s) with errors; nothing was written. Correct them and run the import "
                    "again.",
                    count,
                )
            else:
                message = ngettext(
                    "%(file)s: %(count)d row(s) with errors; nothing was written. Correct them and run the import "
                    "again.",
                    "%(file)s: %(count)d row(s) with errors; nothing was written. Correct them and run the import "
                    "again.",
                    count,
                )
            raise CommandError(message % {"file": file, "count": count})
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        try:
            result = recommendations_import(plan=plan, actor=actor)
        except (VersionConflict, ValidationError) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(
                _("%(file)s: nothing was written: %(reason)s") % {"file": file, "reason": message}
            ) from error
        self.stdout.write(_("Imported: %(summary)s") % {"summary": result.summary()})
