"""Template helpers every page uses: the user's role, percentages, counts, and which main section a page is in."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django import template
from django.utils.translation import ngettext

from ..roles import role_label as _role_label

register = template.Library()

#: Main navigation sections by URL namespace, and by URL-name prefix within a namespace that serves several.
NAV_SECTIONS: dict[str, str] = {"recommendations": "recommendations", "transfer": "recommendations"}
NAV_SECTION_PREFIXES: dict[str, list[tuple[str, str]]] = {
    "reports": [("partner", "partners"), ("source", "sources"), ("", "reports")],
}


@register.simple_tag
def role_label(user: Any) -> str:
    """The user's role as the header shows it."""
    return _role_label(user)


@register.filter
def percent(share: float) -> str:
    """A share between 0 and 1 as a whole percentage ("42%")."""
    return f"{round((share or 0) * 100)}%"


@register.filter
def duration(value: timedelta | None) -> str:
    """A wait as people read it: whole seconds under a minute, else whole minutes rounded up ("15 minutes")."""
    if value is None:
        return ""
    seconds = max(0, math.ceil(value.total_seconds()))
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


@register.simple_tag(takes_context=True)
def nav_section(context: Any) -> str:
    """Which main navigation entry the current page belongs to."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None:
        return ""
    name = match.url_name or ""
    for prefix, section in NAV_SECTION_PREFIXES.get(match.namespace, []):
        if name.startswith(prefix):
            return section
    return NAV_SECTIONS.get(match.namespace, "")


@register.filter
def get_count(counts: dict[str, int] | None, key: str) -> int:
    """The count stored under ``key`` (0 when absent)."""
    return (counts or {}).get(key, 0)
