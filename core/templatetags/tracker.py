"""Template helpers every page uses: the user's role, percentages, counts, and which main section a page is in."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django import template
from django.forms import BoundField
from django.forms.utils import flatatt
from django.forms.widgets import ChoiceWidget
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..roles import role_label as _role_label
from ..styles import css_properties as _css_properties
from ..translation import LANGUAGE_NAMES, fallback_order, value_in, written_in

register = template.Library()

#: Main navigation sections by URL namespace, and by URL-name prefix within a namespace that serves several.
NAV_SECTIONS: dict[str, str] = {"recommendations": "recommendations", "transfer": "recommendations"}
NAV_SECTION_PREFIXES: dict[str, list[tuple[str, str]]] = {
    "reports": [("partner", "partners"), ("source", "sources"), ("", "reports")],
}


@register.simple_tag
def css_properties() -> str:
    """A ``<style>`` that declares the registered custom properties (the status colours) on ``:root``."""
    declarations = "".join(f"{name}:{value};" for name, value in _css_properties().items())
    return format_html("<style>:root{{{}}}</style>", declarations) if declarations else ""


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


def _fallback_note(language: str) -> str:
    return _("Not translated yet: shown in %(language)s.") % {"language": LANGUAGE_NAMES[language]}


@register.filter
def tr(obj: Any, field: str) -> str:
    """An object's translated ``field`` in the reader's language; a value shown in the other language (there is no
    translation yet) is marked with its language, and says so on hover."""
    if obj is None:
        return ""
    value, language = value_in(obj, field)
    if language is None or language == fallback_order()[0]:
        return conditional_escape(value)
    return format_html(
        '<span lang="{}" class="fallback" title="{}">{}</span>', language, _fallback_note(language), value
    )


@register.filter
def tr_text(obj: Any, field: str) -> str:
    """Like ``tr``, for a long text shown as paragraphs (``linebreaks``), marked as a block."""
    if obj is None:
        return ""
    value, language = value_in(obj, field)
    paragraphs = linebreaks_filter(value, autoescape=True)
    if language is None or language == fallback_order()[0]:
        return paragraphs
    return format_html(
        '<div lang="{}" class="fallback"><p class="fallback-note" lang="{}">{}</p>{}</div>',
        language,
        fallback_order()[0],
        _fallback_note(language),
        paragraphs,
    )


@register.simple_tag
def text_language(text: str) -> str:
    """The language a text is written in, as a ``lang`` value: Japanese if it holds Japanese script, else English."""
    return written_in(text)


@register.filter
def language_name(code: str) -> str:
    """A content language's name in the interface language ("英語")."""
    return str(LANGUAGE_NAMES.get(code, code))


@register.filter
def choice_inputs(field: BoundField) -> list[tuple[SafeString, str]]:
    """A multiple-choice field's options as (its ``<input>``, its label), written as Django's ``input.html`` writes
    them but in Python: Django renders each option through templates of its own (and a dictionary of attributes
    each), which made a filter bar offering hundreds of sources the slowest part of a report page. Other widgets (a
    ``<select>``) and grouped choices keep Django's own rendering."""
    widget = field.field.widget
    if not isinstance(widget, ChoiceWidget) or widget.input_type not in ("checkbox", "radio"):
        return [(option.tag(), option.data["label"]) for option in field.subwidgets]
    choices = list(iter(widget.choices))  # iter: a model field's choices would count their rows first for list()
    if any(isinstance(label, (list, tuple)) for _value, label in choices):
        return [(option.tag(), option.data["label"]) for option in field.subwidgets]
    attrs = widget.build_attrs(widget.attrs, {"id": field.auto_id} if field.auto_id else {})
    base_id = attrs.pop("id", None)
    shared = flatatt(attrs)  # the same on every option
    selected = set(widget.format_value(field.value()))
    start = f'<input type="{widget.input_type}" name="{conditional_escape(field.html_name)}"'
    options = []
    for index, (value, label) in enumerate(choices):
        text = "" if value is None else str(value)
        tag = start + (f' value="{conditional_escape(text)}"' if value is not None else "")
        if base_id:
            tag += f' id="{conditional_escape(widget.id_for_label(base_id, str(index)))}"'
        tag += shared + (" checked" if text in selected else "") + ">"
        options.append((mark_safe(tag), str(label)))  # noqa: S308 - every part above is escaped
    return options
