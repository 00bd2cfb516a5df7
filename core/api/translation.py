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
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.validators import UniqueValidator

from ..translation import CONTENT_LANGUAGES, LANGUAGE_NAMES, column, translated_fields


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        #: The translated fields a full write (create, PUT) must give, plain or in at least one language column.
        self._required_translated: set[str] = set()
        super().__init__(*args, **kwargs)

    def _translated_names(self) -> tuple[str, ...]:
        model = self.translated_model or getattr(getattr(self, "Meta", None), "model", None)
        return translated_fields(model) if model is not None else ()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        for name in self._translated_names():
            plain = fields.get(name)
            if plain is None or plain.read_only:
                continue
            if plain.required:
                self._required_translated.add(name)
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
        self.fields  # noqa: B018  (builds the fields, and with them which translated fields are required)
        missing = {}
        if not self.partial and isinstance(data, Mapping):
            for name in sorted(self._required_translated):
                if not any(key in data for key in (name, *(column(name, code) for code in CONTENT_LANGUAGES))):
                    missing[name] = [serializers.Field.default_error_messages["required"]]
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if missing and isinstance(error.detail, dict):
                error.detail.update(
                    {key: [serializers.ErrorDetail(str(m), code="required") for m in v] for key, v in missing.items()}
                )
            raise
        if missing:
            raise serializers.ValidationError(missing, code="required")
        language = request_language(self.context.get("request"))
        for name in self._translated_names():
            if name in values:
                plain = values.pop(name)
                values.setdefault(column(name, language), plain)
        return values


@extend_schema_field(OpenApiTypes.STR)
class LanguageValueField(serializers.Field[Any, str, str, Any]):
    """One language's value of a translated field, read-only: a string, "" where there is none in that language."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        self.path = path.split(".")
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        for name in self.path:
            value = getattr(value, name, None)
            if value is None:
                return ""
        return str(value)


def language_fields(plain: str, *, path: str | None = None, help_text: Any = "") -> dict[str, LanguageValueField]:
    """The read-only language columns of a translated field, to declare beside its plain field in a representation:
    ``language_fields("name", path="partner.name")`` gives ``name_ja`` and ``name_en`` read from
    ``partner.name_ja`` and ``partner.name_en``."""
    path = path or plain
    return {
        column(plain, language): LanguageValueField(
            column(path, language),
            help_text=_("In %(language)s: %(field)s")
            % {"field": help_text or plain, "language": LANGUAGE_NAMES[language]},
        )
        for language in CONTENT_LANGUAGES
    }


class BilingualReadMixin(serializers.ModelSerializer[Any]):
    """A representation that gives each translated field of its model in both languages: the plain field in the
    request's language (with the other language's value where it has none) followed by ``<field>_ja`` and
    ``<field>_en`` (each "" where that language has no value)."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        translated = translated_fields(self.Meta.model)
        result: dict[str, serializers.Field[Any, Any, Any, Any]] = {}
        for name, field in fields.items():
            result[name] = field
            if name in translated and field.source in (None, name):
                model: Any = self.Meta.model
                help_text = getattr(model._meta.get_field(name), "verbose_name", name)
                result.update(language_fields(name, help_text=help_text))
        return result
