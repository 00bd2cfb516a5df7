"""What the change feed records: one registry of object types, filled in by each app's ``AppConfig.ready()``.

A model is registered once, with the name the feed gives its objects (``object_type``), a label for people, the
serializer that writes its representation and, where that representation needs related rows, how to load them. The
services, the admin's history, the feed's API and its schema all read this registry, so a new kind of object is
declared in one place.

A representation may show other objects nested (a recommendation shows its partners' names). Those other objects'
apps declare it with :func:`register_dependents`: when one of the named fields of such an object changes, every
object that shows it gets a new version and a change-feed entry, in the same transaction (``core.changes``), so its
ETag and the feed tell the truth about what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .translation import with_originals

if TYPE_CHECKING:
    from django.db import models
    from django.db.models import QuerySet
    from django.utils.functional import Promise
    from rest_framework.serializers import BaseSerializer


def _as_is(instance: models.Model) -> models.Model:
    return instance


@dataclass(frozen=True)
class FeedType:
    """How the change feed records one model's objects."""

    model: type[models.Model]
    object_type: str
    label: str | Promise
    serializer: type[BaseSerializer[Any]]
    #: The object as stored now, with what its representation needs loaded (caches may be stale after a write).
    load: Callable[[models.Model], models.Model] = _as_is
    #: The representations of many objects at once (primary keys → representations, in their order), if the app
    #: has a faster way than one serializer call each.
    represent_many: Callable[[list[Any]], list[dict[str, Any]]] | None = None


_BY_MODEL: dict[type[models.Model], FeedType] = {}
_BY_OBJECT_TYPE: dict[str, FeedType] = {}


def register_feed_type(
    model: type[models.Model],
    *,
    object_type: str,
    label: str | Promise,
    serializer: type[BaseSerializer[Any]],
    load: Callable[[models.Model], models.Model] | None = None,
    represent_many: Callable[[list[Any]], list[dict[str, Any]]] | None = None,
) -> FeedType:
    """Declare that the change feed records ``model``'s objects as ``object_type`` (call from ``ready()``)."""
    feed_type = FeedType(
        model=model,
        object_type=object_type,
        label=label,
        serializer=serializer,
        load=load or _as_is,
        represent_many=represent_many,
    )
    existing = _BY_OBJECT_TYPE.get(object_type)
    if existing is not None and existing.model is not model:
        raise ValueError(f"object type {object_type!r} is registered for {existing.model.__name__} already")
    _BY_MODEL[model] = feed_type
    _BY_OBJECT_TYPE[object_type] = feed_type
    return feed_type


def feed_type_for(model_or_instance: type[models.Model] | models.Model) -> FeedType:
    """The registration of a model (or of an object's model); LookupError if the feed does not record it."""
    model = model_or_instance if isinstance(model_or_instance, type) else type(model_or_instance)
    try:
        return _BY_MODEL[model]
    except KeyError:
        raise LookupError(f"the change feed does not record {model.__name__} objects") from None


def feed_types() -> Iterator[FeedType]:
    """Every registration, in the order the apps made them."""
    return iter(list(_BY_OBJECT_TYPE.values()))


def object_type_choices() -> list[tuple[str, str | Promise]]:
    """The object types as (value, label) choices: for the model field, the API's filter and its schema."""
    return [(feed_type.object_type, feed_type.label) for feed_type in feed_types()]


@dataclass(frozen=True)
class Dependents:
    """Objects whose representation shows an object of ``model``: the fields they show, and how to find them."""

    model: type[models.Model]
    fields: frozenset[str]
    find: Callable[[Any], QuerySet[Any]]


_DEPENDENTS: dict[type[models.Model], list[Dependents]] = {}


def register_dependents(
    model: type[models.Model], *, fields: set[str] | frozenset[str], find: Callable[[Any], QuerySet[Any]]
) -> None:
    """Declare that the objects ``find(instance)`` returns show ``fields`` of a ``model`` instance (from ``ready()``).

    ``find`` returns versioned objects the change feed records; it is called before the change is written when the
    instance is deleted, after it otherwise.
    """
    _DEPENDENTS.setdefault(model, []).append(Dependents(model=model, fields=frozenset(fields), find=find))


def dependents_of(instance: models.Model, changed: set[str] | frozenset[str] | None) -> list[QuerySet[Any]]:
    """Querysets of the objects that show one of ``changed`` (None: any field, as for a deletion) of ``instance``.

    A translated field's language column (``name_ja``) counts as the field (``name``).
    """
    shown = set(with_originals(instance, changed)) if changed is not None else None
    return [
        registration.find(instance)
        for registration in _DEPENDENTS.get(type(instance), [])
        if shown is None or registration.fields & shown
    ]
