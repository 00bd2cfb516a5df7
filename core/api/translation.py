"""Translated fields in the API (core.translation): both languages in every representation, either in writes.

Reads: a representation has ``<field>_ja`` and ``<field>_en``, and the plain ``<field>`` in the language the request
asked for (Accept-Language; the answer says which in Content-Language), falling back to the other language.

Writes: a client may send ``<field>_ja``, ``<field>_en``, or the plain ``<field>``, which means the request's
language: the one its Content-Language header names if it is one of the content languages, else the one
Accept-Language chose. A language column sent explicitly wins over the plain field, so a representation read in one
language can be sent back as it is (its plain fields may be the other language's fallback) without copying a
fallback into the wrong column.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.validators import UniqueValidator

from ..translation import CONTENT_LANGUAGES, column, translated_fields

#: How each content language is named in help texts.
LANGUAGE_NAMES = {"ja": _("Japanese"), "en": _("English")}


def request_language(request: Request | None) -> str:
    """The language of the plain translated fields a request writes (see the module's docstring)."""
    if request is not None:
        named = (request.headers.get("Content-Language") or "").split(",")[0].strip().lower().split("-")[0]
        if named in CONTENT_LANGUAGES:
            return named
    active = (translation.get_language() or CONTENT_LANGUAGES[0]).split("-")[0]
    return active if active in CONTENT_LANGUAGES else CONTENT_LANGUAGES[0]


def language_help(plain: serializers.Field[Any, Any, Any, Any], language: str) -> str:
    """The help text of a language column: what the plain field is, in that language."""
    label = str(plain.help_text or plain.label or plain.field_name or "")
    return str(_("In %(language)s: %(field)s") % {"field": label, "language": LANGUAGE_NAMES[language]})


class TranslatedFieldsMixin(serializers.Serializer[Any]):
    """A write serializer whose model has translated fields: it takes each as ``<field>_ja``, ``<field>_en`` or plain.

    The plain field is declared as usual (or comes from the model); the mixin makes it optional, adds the language
    columns with its limits, and hands the service language columns only. Whether a field is required in at least
    one language is the model's rule (its own column, checked by the service's validation).
    """

    #: The model whose translated fields this serializer writes (ModelSerializers name it in Meta).
    translated_model: type[Any] | None = None

    def _translated_names(self) -> tuple[str, ...]:
        model = self.translated_model or getattr(getattr(self, "Meta", None), "model", None)
        return translated_fields(model) if model is not None else ()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        for name in self._translated_names():
            plain = fields.get(name)
            if plain is None or plain.read_only:
                continue
            plain.required = False
            if isinstance(plain, serializers.CharField):
                plain.allow_blank = True
            plain.validators = [v for v in plain.validators if not isinstance(v, UniqueValidator)]
            for language in CONTENT_LANGUAGES:
                name_in = column(name, language)
                existing = fields.get(name_in)
                field = copy.deepcopy(plain)  # a new field from the plain one's arguments: its limits, not its state
                field.required = False
                field.allow_null = True  # null, like blank, is "no value in this language"
                if isinstance(field, serializers.CharField):
                    field.allow_blank = True
                field.help_text = language_help(plain, language)
                field.validators = [v for v in field.validators if not isinstance(v, UniqueValidator)]
                if existing is not None:  # a ModelSerializer's: keep its uniqueness check
                    field.validators += [v for v in existing.validators if isinstance(v, UniqueValidator)]
                fields[name_in] = field
        return fields

    def to_internal_value(self, data: Any) -> Any:
        values = super().to_internal_value(data)
        language = request_language(self.context.get("request"))
        for name in self._translated_names():
            if name in values:
                plain = values.pop(name)
                values.setdefault(column(name, language), plain)
        return values
