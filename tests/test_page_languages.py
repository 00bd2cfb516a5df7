"""Every page speaks one language: in Japanese no English string of the project's catalogue is left, in English no
Japanese one — for every role, on every page of the authorisation matrix (tests/test_authorisation.py).

A page's text is its text nodes and the attributes people read (title, aria-label, alt, placeholder, the value of
buttons), outside <script> and <style>, and outside what is marked as machine text (<code>, <kbd>, <samp>, or
``translate="no"``: column keys, slugs). Content marked with a ``lang`` of the other language (a title shown in the
other language because it has no translation yet, the language switch's own names) is the data's language, not
the interface's, and is skipped. A text node that *is* a catalogue entry's English (with its placeholders filled by
anything) in a Japanese page means a string went untranslated or unmarked; the reverse in English means a
translation leaked. Strings spelled the same in both languages (API, CSV, URL) cannot tell and are not checked.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.test_authorisation import ROLES, ROUTES, client_for, world  # noqa: F401  (world is a fixture)

PO = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"
READ_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder"}
SESSION_ROLES = [role for role in ROLES if not role.endswith("_token")]
JAPANESE_CHARACTER = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def _pattern(text: str) -> re.Pattern[str] | None:
    """A text as a regular expression matching it with any placeholder filled, or None if it is not worth checking."""
    text = " ".join(text.split())
    if not re.search(r"[A-Za-z\u3040-\u30ff\u3400-\u9fff]{2,}", PLACEHOLDER.sub("", text)):
        return None  # no word of its own ("%(count)s", "—", "·")
    parts = PLACEHOLDER.split(text)
    return re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)


@cache
def catalogue_patterns() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    """(English msgids, Japanese msgstrs) of every entry whose two languages differ."""
    english, japanese = [], []
    for entry in polib.pofile(str(PO)).translated_entries():
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[0])]
        for msgid, msgstr in pairs:
            if msgid == msgstr:
                continue
            for source, patterns in ((msgid, english), (msgstr, japanese)):
                pattern = _pattern(source)
                if pattern is not None:
                    patterns.append(pattern)
    return english, japanese


class PageText(HTMLParser):
    """The texts of a page that people read, each with the language of the element it is in."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    #: Elements that hold text for machines, never translated (column keys in <code>, keys to type in <kbd>).
    MACHINE = {"code", "kbd", "samp"}

    def __init__(self, page_language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = [("", page_language)]
        self.texts: list[tuple[str, str]] = []  # (language, text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        language = values.get("lang") or self.stack[-1][1]
        if tag in self.MACHINE or values.get("translate") == "no":
            language = "zxx"  # "no linguistic content": codes, column keys, slugs
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.texts.append((language, values[name] or ""))
        if tag == "input" and values.get("type") in {"submit", "button", "reset"} and values.get("value"):
            self.texts.append((language, values["value"] or ""))  # a <button>'s text is its content
        if tag not in self.VOID:
            self.stack.append((tag, language))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        tag, language = self.stack[-1]
        if tag in {"script", "style"} or any(t in {"script", "style"} for t, _ in self.stack):
            return
        text = " ".join(data.split())
        if text:
            self.texts.append((language, text))


def page_texts(html: str, page_language: str) -> list[str]:
    """The texts of a page in the page's own language (those marked as another language left out)."""
    parser = PageText(page_language)
    parser.feed(html)
    return [text for language, text in parser.texts if language.split("-")[0] == page_language]


def leftovers(texts: list[str], patterns: list[re.Pattern[str]]) -> list[str]:
    """The texts that are, whole, one of the catalogue strings of the other language."""
    return sorted({text for text in texts if any(pattern.fullmatch(text) for pattern in patterns)})


def html_pages(route_pattern: str, world: dict, role: str, language: str):  # noqa: F811
    """The page of a route for a role in a language, if it is HTML the role may read (else None)."""
    route = ROUTES[route_pattern]
    if route.action == "logout":
        return None
    client = client_for(role, world)
    response = client.get(route.url(world), HTTP_ACCEPT_LANGUAGE=language)
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return None
    return response.content.decode()


def test_the_catalogue_checks_have_something_to_check():
    english, japanese = catalogue_patterns()
    assert len(english) > 300 and len(japanese) > 300


@pytest.mark.django_db
@pytest.mark.parametrize("route_pattern", sorted(ROUTES))
def test_a_japanese_page_has_no_english_of_the_interface(world, route_pattern):  # noqa: F811
    english, _japanese = catalogue_patterns()
    found = {}
    for role in SESSION_ROLES:
        page = html_pages(route_pattern, world, role, "ja")
        if page is None:
            continue
        left = leftovers(page_texts(page, "ja"), english)
        if left:
            found[role] = left
    assert found == {}, f"English left on the Japanese page: {found}"


@pytest.mark.django_db
@pytest.mark.parametrize("route_pattern", sorted(ROUTES))
def test_an_english_page_has_no_japanese(world, route_pattern):  # noqa: F811
    found = {}
    for role in SESSION_ROLES:
        page = html_pages(route_pattern, world, role, "en")
        if page is None:
            continue
        texts = page_texts(page, "en")
        left = [text for text in texts if JAPANESE_CHARACTER.search(text)]
        if left:
            found[role] = sorted(set(left))
    assert found == {}, f"Japanese on the English page: {found}"
