"""Template helpers of the recommendation pages: status and priority labels, readable change-history values."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.translation import column_label

from ..choices import LINK_INVERSE_LABELS, LinkType, PartnerRole, Priority, Status, assessment_disagrees
from ..models import Recommendation
from ..selectors import attention_reasons as reasons_for_attention

register = template.Library()

#: Keys of the change feed's representation that repeat another key in words (status → status_label).
_REDUNDANT_CHANGE_KEYS = frozenset({"status_label", "priority_label", "status_changed_at", "created_at"})
#: Labels of the representation's keys that are not fields of the model.
_KEY_LABELS = {"links": gettext_lazy("links")}


@register.filter
def status_label(value: str) -> str:
    """The label of a status value ("in_progress" → "In progress"); blank stays blank."""
    try:
        return str(Status(value).label)
    except ValueError:
        return value or ""


@register.filter
def status_badge(status: str, size: str = "") -> SafeString:
    """A status as a badge with its colour's dot (``{{ rec.status|status_badge }}``, ``|status_badge:"large"``),
    written in Python: a long comparison or grid shows hundreds, and a template per badge made them the larger part
    of the page."""
    return format_html(
        '<span class="badge{}"><span class="dot bg-{}" aria-hidden="true"></span>{}</span>',
        " badge-large" if size == "large" else "",
        status,
        status_label(status),
    )


@register.filter
def priority_label(value: str) -> str:
    """The label of a priority value."""
    try:
        return str(Priority(value).label)
    except ValueError:
        return value or ""


@register.filter
def change_rows(changes: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """A change-feed entry's {field: [old, new]} as readable (field label, old, new) rows."""
    rows = []
    for name, values in (changes or {}).items():
        if name in _REDUNDANT_CHANGE_KEYS or not isinstance(values, list | tuple) or len(values) != 2:
            continue
        old, new = values
        if isinstance(old, list) and isinstance(new, list) and old and new:
            # Of a list (partners, themes, links) only what changed: the items gone, and those added or changed.
            old, new = [item for item in old if item not in new], [item for item in new if item not in old]
        rows.append((_field_label(name), _readable(name, old), _readable(name, new)))
    return rows


@register.filter
def disagrees(recommendation: Recommendation) -> bool:
    """Whether the recommendation's latest independent assessment disagrees with its reported status."""
    return assessment_disagrees(recommendation.status, recommendation.assessment)


@register.filter
def attention_reasons(recommendation: Recommendation) -> list[tuple[str, str]]:
    """Why the recommendation needs attention, as (key, label) pairs: overdue, stalled, stale (none if closed)."""
    return reasons_for_attention(recommendation)


#: The change-feed keys that say who answers for a recommendation and when it is next reviewed (the timeline shows
#: their changes beside the status changes).
OWNER_KEYS = ("lead", "agency", "review_date")


def owner_change_rows(changes: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """A change-feed entry's changes of owner and review date, as readable (label, old, new) rows."""
    return change_rows({name: value for name, value in (changes or {}).items() if name in OWNER_KEYS})


def _field_label(name: str) -> str:
    """The verbose name of a recommendation field ("Title (Japanese)" for a language column), or the key itself."""
    if label := column_label(Recommendation, name):
        return label
    try:
        field = Recommendation._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if not isinstance(field, Field):  # no such field, or the other side of a relation (which has no verbose name)
        return str(_KEY_LABELS.get(name, name.replace("_", " "))).capitalize()
    return str(field.verbose_name).capitalize()


def _readable(name: str, value: Any) -> str:
    """One value of the change feed in words: statuses by label, nested objects by name, lists joined."""
    if value in (None, "", [], {}):
        return "—"
    if name == "status":
        return status_label(value)
    if name == "priority":
        return priority_label(value)
    if name == "target_date" and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return date_format(date.fromisoformat(value), "DATE_FORMAT")
    if isinstance(value, list):
        return "; ".join(_readable_item(item) for item in value)
    if isinstance(value, dict):
        return _readable_item(value)
    text = str(value)
    return text if len(text) <= 300 else text[:299] + "…"


def _readable_item(item: Any) -> str:
    """A nested object by its name (partner with role, theme, source), or a link by its label and the other end."""
    if not isinstance(item, dict):
        return str(item)
    other = item.get("recommendation")
    if item.get("link_type") in LinkType.values and isinstance(other, dict):  # a link: "superseded by TOK23-12"
        link_type = LinkType(item["link_type"])
        label = link_type.label if item.get("direction") == "outgoing" else LINK_INVERSE_LABELS[link_type]
        return _("%(link)s %(reference)s") % {"link": label, "reference": other.get("reference") or "?"}
    name = item.get("name") or item.get("title") or item.get("slug") or "?"
    role = item.get("role")
    if role:
        with contextlib.suppress(ValueError):
            role = PartnerRole(role).label
        if item.get("status"):  # a partner with a status of its own there
            return _("%(name)s (%(role)s, %(status)s)") % {
                "name": name,
                "role": str(role).lower(),
                "status": status_label(item["status"]),
            }
        return _("%(name)s (%(role)s)") % {"name": name, "role": str(role).lower()}
    return str(name)
