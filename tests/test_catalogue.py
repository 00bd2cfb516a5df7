"""The Japanese catalogue (locale/ja/LC_MESSAGES): complete, compiled from its source, and covering the code.

- Every entry is translated, none is fuzzy, and every translation keeps its msgid's placeholders.
- The committed ``django.mo`` holds exactly what ``django.po`` says (a .mo older than its .po fails here; file times
  are no evidence in a fresh clone, so the contents are compared).
- Every string the code marks for translation is in the catalogue: the strings are extracted again (Django's
  ``makemessages``, which needs GNU gettext's xgettext) into a copy of the project, and compared. Skipped, saying so,
  where gettext is missing; ``.ci/run`` installs it and sets GETTEXT_TESTS=required.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"
#: Japanese for third-party apps that have none (written by hand from their source, not extracted).
THIRD_PARTY = Path(settings.BASE_DIR) / "locale" / "third_party" / "ja" / "LC_MESSAGES"
CATALOGUES = [(PO, MO), (THIRD_PARTY / "django.po", THIRD_PARTY / "django.mo")]
#: What `make messages` runs (the Makefile has the same options): the app's code only, without file locations.
MAKEMESSAGES = [
    "makemessages", "-l", "ja", "--no-location", "--no-obsolete",
    *("-i", "tests", "-i", "loadtest", "-i", "bench", "-i", "docs", "-i", "staticfiles", "-i", "var"),
]  # fmt: skip
#: Folders not copied for the extraction (environments, caches, data).
NOT_CODE = {".venv", ".venv-client", ".git", "node_modules", "staticfiles", "var", "screenshots", ".ruff_cache"}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{(\w*)\}")


def po(path: Path = PO) -> polib.POFile:
    return polib.pofile(str(path))


def key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or "")


@pytest.mark.parametrize("source", [source for source, _compiled in CATALOGUES], ids=["project", "third_party"])
def test_every_entry_is_translated_and_none_is_fuzzy(source):
    catalogue = po(source)
    assert catalogue.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"


@pytest.mark.parametrize("source", [source for source, _compiled in CATALOGUES], ids=["project", "third_party"])
def test_translations_keep_their_placeholders(source):
    wrong = []
    for entry in po(source).translated_entries():
        if not entry.msgid_plural:
            if sorted(PLACEHOLDER.findall(entry.msgstr)) != sorted(PLACEHOLDER.findall(entry.msgid)):
                wrong.append((entry.msgid, entry.msgstr))
            continue
        # Japanese has one form for every count: it may use what either English form names (the count, mostly),
        # and nothing else.
        offered = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural))
        for translation in entry.msgstr_plural.values():
            if not set(PLACEHOLDER.findall(translation)) <= offered:
                wrong.append((entry.msgid, translation))
    assert wrong == []


@pytest.mark.parametrize("source_path, compiled_path", CATALOGUES, ids=["project", "third_party"])
def test_the_compiled_catalogue_is_the_source_compiled(source_path, compiled_path):
    source = {key(entry): entry for entry in po(source_path).translated_entries()}
    compiled = {key(entry): entry for entry in polib.mofile(str(compiled_path)) if entry.msgid}
    assert set(compiled) == set(source), "django.mo is out of date: run `make messages`"
    for entry_key, entry in source.items():
        mo_entry = compiled[entry_key]
        if entry.msgid_plural:
            assert dict(mo_entry.msgstr_plural) == {int(k): v for k, v in entry.msgstr_plural.items()}, entry.msgid
        else:
            assert mo_entry.msgstr == entry.msgstr, f"django.mo is out of date for {entry.msgid!r}"


def _gettext_available() -> bool:
    return shutil.which("xgettext") is not None and shutil.which("msgmerge") is not None


@pytest.mark.skipif(
    not _gettext_available() and os.environ.get("GETTEXT_TESTS") != "required",
    reason="catalogue extraction check skipped: GNU gettext (xgettext) is missing (apt-get install gettext)",
)
def test_every_string_the_code_marks_is_in_the_catalogue(tmp_path):
    project = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        project,
        copy,
        ignore=lambda folder, names: [
            n for n in names if n in NOT_CODE or n.endswith((".mo", ".pyc")) or ".sqlite3" in n
        ],
    )
    environment = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3"}
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    extracted = {key(entry) for entry in polib.pofile(str(copy / "locale/ja/LC_MESSAGES/django.po"))}
    committed = {key(entry) for entry in po()}
    missing = sorted(extracted - committed, key=str)
    stale = sorted(committed - extracted, key=str)
    assert missing == [], f"strings marked in the code but not in the catalogue (run `make messages`): {missing[:20]}"
    assert stale == [], f"catalogue entries no code uses any more (run `make messages`): {stale[:20]}"
