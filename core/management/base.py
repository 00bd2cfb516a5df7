"""The base of the project's management commands: they speak the operator's language.

A command's messages follow the shell's locale, as other command-line tools do: ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES`` or ``LANG`` (the first set), if it names one of the languages offered (``ja_JP.UTF-8`` is Japanese);
otherwise ``LANGUAGE_CODE``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


def shell_language(environ: dict[str, str] | None = None) -> str | None:
    """The language the shell's locale asks for, if it is one the project offers."""
    environ = dict(os.environ) if environ is None else environ
    offered = dict(settings.LANGUAGES)
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if not value:
            continue
        for candidate in value.split(":"):  # LANGUAGE may list several: ja:en
            code = candidate.split(".")[0].split("@")[0].replace("_", "-").lower()
            for language in (code, code.split("-")[0]):
                if language in offered:
                    return language
        if name != "LANGUAGE":
            return None  # the first locale variable that is set decides, as in the C library
    return None


class TrackerCommand(BaseCommand):
    """A management command whose output, and ``--help``, are in the operator's language (see the module's
    docstring). ``help`` may be a lazy translation: the parser is built in that language (``--help`` is printed
    before the command runs) and gets it as text, which ``argparse`` needs."""

    help: str | _StrPromise = ""  # type: ignore[assignment]

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        with translation.override(shell_language() or settings.LANGUAGE_CODE):
            parser = super().create_parser(prog_name, subcommand, **kwargs)
            parser.description = str(self.help) if self.help else None
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        with translation.override(shell_language() or settings.LANGUAGE_CODE):
            return super().execute(*args, **options)
