"""Bilingual content: which fields hold a Japanese and an English value, and how the code reads and writes them.

The models' translated fields are registered with django-modeltranslation in each app's ``translation.py``: for a
field ``title`` it adds the columns ``title_ja`` and ``title_en`` and makes ``obj.title`` read the value in the
active language, falling back to the other one (``MODELTRANSLATION_FALLBACK_LANGUAGES``). The rules the project
adds (docs/adr/0006-bilingual-content.md):

- Services, the API, imports, exports and searches name the language columns explicitly (``title_ja``,
  ``title_en``); the plain name is for showing a value in the active language, in pages and ``__str__``.
- The plain column itself (``title``) holds the *canonical* value: English where there is one, else Japanese. It is
  written under the canonical language whatever the request's language (:func:`canonical_save`), so the same data
  gives the same row, and a NOT NULL or non-empty constraint on it means "in at least one language".
- A representation (the API's, the feed's) carries both columns and a plain field in the reader's language:
  :func:`localize` fills the plain fields of stored representations for the language asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from django.utils.translation import gettext_lazy
from modeltranslation.manager import MultilingualManager, MultilingualQuerySet

_M = TypeVar("_M", bound=models.Model, covariant=True)

#: The queryset of models with translated fields (modeltranslation's, whose lookups this project does not rewrite).
TranslatedQuerySet = MultilingualQuerySet


class TranslatedManager(MultilingualManager[_M]):
    """The manager of models with translated fields, declared on the models themselves (instead of patched in when
    the fields are registered) so that type checkers know it.

    modeltranslation rewrites lookups of a translated field to the active language's column: ``order_by("name")``
    and ``values("title")`` would read ``name_ja`` for a Japanese reader, where most rows may have none yet, and the
    same query would mean different things in different requests. Here the rewriting is off, so a plain name is
    always the own column (the canonical value), and code that means a language names its column or uses
    :func:`localized`.
    """

    def get_queryset(self) -> MultilingualQuerySet[_M]:
        queryset = super().get_queryset()
        queryset._rewrite = False
        # Undo the default ordering modeltranslation has just rewritten to the active language's columns: Django then
        # orders by Meta.ordering itself, on the own columns.
        queryset.query.clear_ordering(force=True, clear_default=False)
        return queryset


#: The languages content is written in, in the order a missing value falls back through (the canonical one first).
CONTENT_LANGUAGES: tuple[str, ...] = tuple(settings.MODELTRANSLATION_FALLBACK_LANGUAGES["default"])
#: The language of the canonical value in a translated field's own column.
CANONICAL_LANGUAGE = CONTENT_LANGUAGES[0]
#: How each content language is named where a field is shown in both ("Title (Japanese)").
LANGUAGE_NAMES = {"ja": gettext_lazy("Japanese"), "en": gettext_lazy("English")}


def translated_fields(model: type[models.Model] | models.Model) -> tuple[str, ...]:
    """The names of a model's translated fields (``()`` if it has none)."""
    from modeltranslation.translator import NotRegistered, translator

    model_class = model if isinstance(model, type) else type(model)
    try:
        return tuple(translator.get_options_for_model(model_class).get_field_names())
    except NotRegistered:
        return ()


def column(field: str, language: str) -> str:
    """The column of ``field`` in ``language``: ``title``, ``ja`` → ``title_ja``."""
    return f"{field}_{language}"


def columns(field: str) -> list[str]:
    """Every language column of ``field``, canonical language first."""
    return [column(field, language) for language in CONTENT_LANGUAGES]


def language_column(model: type[models.Model] | models.Model, name: str) -> tuple[str, str] | None:
    """(field, language) if ``name`` is a language column of one of the model's translated fields, else None."""
    for field in translated_fields(model):
        for language in CONTENT_LANGUAGES:
            if name == column(field, language):
                return field, language
    return None


def column_label(model: type[models.Model] | models.Model, name: str) -> str | None:
    """How a language column is named for people: "Title (Japanese)", in the interface language (None if ``name``
    is not one)."""
    found = language_column(model, name)
    if found is None:
        return None
    field, language = found
    model_class = model if isinstance(model, type) else type(model)
    label = str(getattr(model_class._meta.get_field(field), "verbose_name", field))
    return str(
        gettext_lazy("%(field)s (%(language)s)")
        % {"field": label[:1].upper() + label[1:], "language": LANGUAGE_NAMES[language]}
    )


def fallback_order(language: str | None = None) -> list[str]:
    """The content languages in the order a reader of ``language`` (default: the active one) is shown them."""
    language = (language or translation.get_language() or CANONICAL_LANGUAGE).split("-")[0]
    first = [language] if language in CONTENT_LANGUAGES else []
    return first + [code for code in CONTENT_LANGUAGES if code != language]


def pick(values: Mapping[str, Any], field: str, language: str | None = None) -> tuple[str, str | None]:
    """The value of ``field`` a reader of ``language`` sees among ``values`` (a row, a representation), and the
    language it is in: their own where there is one, else the other (None if there is none)."""
    for code in fallback_order(language):
        value = values.get(column(field, code))
        if value:
            return str(value), code
    return "", None


def value_in(instance: models.Model, field: str, language: str | None = None) -> tuple[str, str | None]:
    """An object's ``field`` as a reader of ``language`` sees it, and the language it is in (see :func:`pick`)."""
    return pick({name: getattr(instance, name, None) for name in columns(field)}, field, language)


#: Characters of Japanese script (kana, CJK ideographs, full-width forms).
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")


def written_in(text: str) -> str:
    """The content language a text is written in: Japanese if it holds Japanese script, else English (for texts that
    stay in their own language, such as a source's verbatim excerpt)."""
    return "ja" if _JAPANESE.search(text or "") else "en"


def canonical_value(instance: models.Model, field: str) -> str:
    """What ``field``'s own column holds: the canonical language's value, else the other's."""
    return value_in(instance, field, CANONICAL_LANGUAGE)[0]


@contextmanager
def canonical_language() -> Any:
    """Run a block with the canonical language active, so the translated fields' own columns get canonical values."""
    with translation.override(CANONICAL_LANGUAGE):
        yield


def with_originals(model: type[models.Model] | models.Model, update_fields: Iterable[str]) -> list[str]:
    """``update_fields`` plus the own column of every translated field one of whose language columns is in it."""
    names = list(update_fields)
    for field in translated_fields(model):
        if field not in names and any(name in names for name in columns(field)):
            names.append(field)
    return names


def canonical_save(instance: models.Model, *, update_fields: Iterable[str] | None = None) -> None:
    """Save ``instance`` with its translated fields' own columns holding their canonical values."""
    with canonical_language():
        if update_fields is None:
            instance.save()
        else:
            instance.save(update_fields=with_originals(instance, update_fields))


def canonical_full_clean(
    instance: models.Model, *, exclude: Iterable[str] | None = None, validate_unique: bool = True
) -> None:
    """``full_clean()`` under the canonical language (the own columns' uniqueness is checked as they are saved).

    A too-long or otherwise bad value is reported once, on its language column, not again on the own column that
    holds a copy of it; the own column's errors that remain mean "in no language" (a title must have one). Without
    ``validate_unique`` neither uniqueness nor constraints are checked (they cost queries; a bulk writer checks them
    for all its rows at once).
    """
    with canonical_language():
        try:
            instance.full_clean(
                exclude=_with_empty_columns(instance, exclude),
                validate_unique=validate_unique,
                validate_constraints=validate_unique,
            )
        except ValidationError as error:
            raise without_copied_errors(instance, error) from None


def canonical_clean_fields(instance: models.Model, *, exclude: Iterable[str] | None = None) -> None:
    """``clean_fields()`` under the canonical language, each bad value reported once (see canonical_full_clean)."""
    with canonical_language():
        try:
            instance.clean_fields(exclude=_with_empty_columns(instance, exclude))
        except ValidationError as error:
            raise without_copied_errors(instance, error) from None


def _with_empty_columns(instance: models.Model, exclude: Iterable[str] | None) -> list[str]:
    """``exclude`` plus the language columns without a value: "none in this language" is always allowed (whether
    a field needs a value in at least one language is its own column's rule)."""
    names = list(exclude or [])
    for field in translated_fields(instance):
        names += [name for name in columns(field) if getattr(instance, name, None) in (None, "")]
    return names


def without_copied_errors(instance: models.Model, error: ValidationError) -> ValidationError:
    """``error`` without the errors of a translated field's own column that one of its language columns repeats."""
    if not hasattr(error, "error_dict"):
        return error
    errors = dict(error.error_dict)
    for field in translated_fields(instance):
        if field not in errors:
            continue
        own = {str(message) for message in ValidationError(errors[field]).messages}
        repeated = set()
        for name in columns(field):
            if name in errors:
                repeated |= {str(message) for message in ValidationError(errors[name]).messages}
        if own and own <= repeated:
            del errors[field]
    return ValidationError(errors)


def translated_data(
    model: type[models.Model] | models.Model, data: Mapping[str, Any], language: str = CANONICAL_LANGUAGE
) -> dict[str, Any]:
    """``data`` for a write, with each plain translated field moved to its column in ``language``.

    A column given explicitly wins over the plain field. Services take the plain name as the canonical language's
    value (English: what their callers wrote before content was bilingual); the API passes the request's language.
    An empty or missing value in a language is stored as "" (NULL where the column is unique: "no value" twice is
    no clash).
    """
    values = dict(data)
    for field in translated_fields(model):
        if field in values:
            plain = values.pop(field)
            values.setdefault(column(field, language), plain)
    model_class = model if isinstance(model, type) else type(model)
    for field in translated_fields(model_class):
        for name in columns(field):
            if name in values and values[name] in (None, ""):
                unique = getattr(model_class._meta.get_field(name), "unique", False)
                values[name] = None if unique else ""
    return values


def localized(field: str, language: str | None = None) -> Coalesce:
    """An expression of ``field`` in ``language`` (default: the active one), falling back to the other language:
    for ordering and annotating in the database."""
    parts = [NullIf(F(column(field, code)), Value("")) for code in fallback_order(language)]
    return Coalesce(*parts, Value(""), output_field=models.CharField())


def localize(data: Any, language: str | None = None) -> Any:
    """A representation with every plain translated field set for ``language``, at any depth.

    A dict that has ``<key>_ja`` and ``<key>_en`` gets ``<key>`` = the value a reader of ``language`` sees. Used for
    representations stored in another language's context (the change feed) and for the fast list path.
    """
    if isinstance(data, list):
        return [localize(item, language) for item in data]
    if not isinstance(data, dict):
        return data
    result = {key: localize(value, language) for key, value in data.items()}
    for key in list(result):
        if key in result and all(column(key, code) in result for code in CONTENT_LANGUAGES):
            result[key] = pick(result, key, language)[0]
    return result
