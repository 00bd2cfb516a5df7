"""The base of the transfer commands: a TrackerCommand whose help, too, is in the operator's language.

``TrackerCommand`` switches to the shell's language when the command runs; ``--help`` is printed earlier, while the
parser is built, so the parser is built in that language as well (and the lazy help text made a plain string, which
``argparse`` needs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.utils import translation

from core.management.base import TrackerCommand, shell_language

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class TransferCommand(TrackerCommand):
    """A TrackerCommand whose ``help`` and argument help follow the shell's language."""

    help: str | _StrPromise = ""  # type: ignore[assignment]  # a lazy translation, made a string in create_parser

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        with translation.override(shell_language() or settings.LANGUAGE_CODE):
            parser = super().create_parser(prog_name, subcommand, **kwargs)
            parser.description = str(self.help) if self.help else None
        return parser
