"""Template tags of notifications: whether the reader watches an object (for the Watch button include)."""

from __future__ import annotations

from typing import Any

from django import template

from partners.models import Partner
from recommendations.models import Recommendation, SavedView, Source

from ..services import is_watching

register = template.Library()

#: How the watch form names each kind of target, and which attribute identifies it.
TARGET_KEYS: dict[type[Any], tuple[str, str]] = {
    Recommendation: ("recommendation", "uuid"),
    Partner: ("partner", "slug"),
    Source: ("source", "slug"),
    SavedView: ("saved_view", "uuid"),
}


@register.simple_tag(takes_context=True)
def watch_state(context: template.Context, target: Any) -> dict[str, Any] | None:
    """{type, key, watching} of ``target`` for the reader, or None if it cannot be watched."""
    found = TARGET_KEYS.get(type(target))
    request = context.get("request")
    if found is None or request is None or not request.user.is_authenticated:
        return None
    kind, attribute = found
    return {"type": kind, "key": str(getattr(target, attribute)), "watching": is_watching(request.user, target)}
