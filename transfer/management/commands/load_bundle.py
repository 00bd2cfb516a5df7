from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from transfer.bundles import bundle_load, bundle_read
from transfer.management.base import TransferCommand


class Command(TransferCommand):
    """Load data bundles (fixtures/*.json): create what is missing, never change what exists."""

    help = gettext_lazy("Load data bundles (themes, partners, sources, recommendations); safe to run again.")  # type: ignore[assignment]  # lazy: TrackerCommand makes it text

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help=_("Bundle files, e.g. fixtures/*.json"))

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        for path in files:
            try:
                result = bundle_load(data=bundle_read(path))
            except FileNotFoundError as error:
                raise CommandError(_("%(file)s: no such file") % {"file": path}) from error
            except (ValidationError, ObjectDoesNotExist, KeyError, ValueError) as error:
                reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                raise CommandError(
                    _("%(file)s: nothing loaded: %(reason)s") % {"file": path, "reason": reason}
                ) from error
            self.stdout.write(f"{path}:\n{result.summary()}")
