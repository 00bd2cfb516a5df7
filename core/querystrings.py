"""Query strings of the web pages: a page's address holds its whole view, so links are built from the request's."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from urllib.parse import quote

from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.utils.text import slugify

#: The most characters of a download's name spent on its filters (the name stays well under 255 bytes).
MAX_FILTER_NAME = 80


def query_string(params: QueryDict, **replace: list[str] | str | None) -> str:
    """``params`` as a query string ("?..." or ""), with some keys replaced (None removes them) and no page."""
    query = params.copy()
    query.pop("page", None)
    for key, value in replace.items():
        if value is None:
            query.pop(key, None)
        else:
            query.setlist(key, [value] if isinstance(value, str) else list(value))
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def redirect_without_empty(request: HttpRequest) -> HttpResponseRedirect | None:
    """A redirect to the same URL without empty parameters (a submitted filter form sends every field), or None."""
    if not any("" in values for _key, values in request.GET.lists()):
        return None
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [value for value in values if value != ""]
        if kept:
            query.setlist(key, kept)
    encoded = query.urlencode()
    return HttpResponseRedirect(request.path + (f"?{encoded}" if encoded else ""))


def _ascii_name(name: str) -> str:
    """``name`` in ASCII letters, digits, dots, hyphens and underscores (accents dropped, the rest gone)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text)
    return re.sub(r"-{2,}", "-", text).strip("-") or "download"


def attachment(name: str) -> str:
    """A Content-Disposition value that downloads as ``name``: ASCII ``filename``, and RFC 5987 ``filename*`` (UTF-8)
    where the name is not ASCII, so that a Japanese name survives in browsers and old clients get a safe one."""
    fallback = _ascii_name(name)
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _bounded(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a hyphen where there is one."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut.rsplit("-", 1)[0] if "-" in cut else cut


def export_name(
    *,
    stem: str,
    params: QueryDict,
    keys: Iterable[str],
    day: date,
    extension: str,
    until: date | None = None,
    as_of: bool = False,
) -> str:
    """A download's name saying what it holds: its stem, the filters in ``keys`` order and the day, e.g.
    ``recommendations-status-stalled-partner-india-quad-2026-11-30.csv`` (slugified, the filters' part bounded); a
    file about a period names its first and last day (``day`` and ``until``); a file of how things stood at the end
    of a past ``day`` says so (``as_of``: ``recommendations-as-of-2025-03-31.csv``)."""
    parts = []
    for key in keys:
        values = [value for value in params.getlist(key) if value]
        if values:
            parts.append(slugify(" ".join([key.replace("_", "-"), *values]), allow_unicode=True).replace("_", "-"))
    filters = _bounded("-".join(part for part in parts if part), MAX_FILTER_NAME)
    days = (f"as-of-{day.isoformat()}" if as_of else day.isoformat(), until.isoformat() if until else "")
    return "-".join(part for part in (stem, filters, *days) if part) + f".{extension}"
