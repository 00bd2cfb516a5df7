from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError

from transfer.bundles import bundle_load, bundle_read


class Command(BaseCommand):
    """Load data bundles (fixtures/*.json): create what is missing, never change what exists."""

    help = "Load data bundles (themes, partners, sources, recommendations); safe to run again."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="Bundle files, e.g. fixtures/*.json")

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        for path in files:
            try:
                result = bundle_load(data=bundle_read(path))
            except FileNotFoundError as error:
                raise CommandError(f"{path}: no such file") from error
            except (ValidationError, ObjectDoesNotExist, KeyError, ValueError) as error:
                raise CommandError(f"{path}: nothing loaded: {error}") from error
            self.stdout.write(f"{path}:\n{result.summary()}")
