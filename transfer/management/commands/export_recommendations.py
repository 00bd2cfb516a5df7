from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.spreadsheets import FORMATS, format_from_name
from recommendations.filtersets import RecommendationFilterSet
from transfer.exports import export_file
from transfer.management.base import TransferCommand


class Command(TransferCommand):
    """Export recommendations in the import's columns (CSV, XLSX or JSON, from the file's extension)."""

    help = gettext_lazy(  # type: ignore[assignment]  # lazy: TrackerCommand makes it text
        "Export recommendations to a .csv, .xlsx or .json file in the columns import_recommendations reads, so the "
        "file imports back unchanged. Filters can be repeated and combine like the list's filters."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help=_("Where to write: a .csv, .xlsx or .json file."))
        parser.add_argument("--source", action="append", default=[], help=_("Only this source (slug); repeatable."))
        parser.add_argument("--partner", action="append", default=[], help=_("Only this partner (slug); repeatable."))
        parser.add_argument("--theme", action="append", default=[], help=_("Only this theme (slug); repeatable."))
        parser.add_argument("--status", action="append", default=[], help=_("Only this status; repeatable."))

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        fmt = format_from_name(file.name)
        if fmt is None:
            raise CommandError(
                _("%(file)s: the name must end in one of: %(extensions)s.")
                % {"file": file, "extensions": ", ".join("." + f for f in FORMATS)}
            )
        data = MultiValueDict({name: options[name] for name in ("source", "partner", "theme", "status")})
        filterset = RecommendationFilterSet(data=data)
        if not filterset.is_valid():
            problems = "; ".join(f"--{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            raise CommandError(problems)
        queryset = filterset.qs.order_by("reference")
        try:
            file.write_bytes(export_file(queryset=queryset, fmt=fmt))
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        count = queryset.count()
        self.stdout.write(
            ngettext(
                "%(file)s: %(count)d recommendation exported.",
                "%(file)s: %(count)d recommendation(s) exported.",
                count,
            )
            % {"file": file, "count": count}
        )
