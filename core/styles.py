"""CSS custom properties that a higher layer states once in Python and the pages' stylesheet reads.

The recommendations app registers its status colours here at start-up (``AppConfig.ready()``); ``base.html`` and the
admin's ``base_site.html`` write them into the page with the ``css_properties`` tag, so the pages' badges and charts
and the admin's badges take their colours from the one ``STATUS_COLOURS``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_NAME = re.compile(r"^--[a-z0-9_-]+$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")
_PROPERTIES: dict[str, str] = {}


def register_css_properties(properties: Mapping[str, str]) -> None:
    """Add custom properties (``--name`` → a ``#rrggbb`` colour); anything else is refused, never written out."""
    for name, value in properties.items():
        if not _NAME.match(name) or not _COLOUR.match(value):
            raise ValueError(f"not a CSS custom property and colour: {name!r}: {value!r}")
        _PROPERTIES[name] = value


def css_properties() -> dict[str, str]:
    """The registered custom properties, by name."""
    return dict(_PROPERTIES)
