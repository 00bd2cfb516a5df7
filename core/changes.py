"""The write path shared by every service: serialised transactions, optimistic versions and the change feed.

Every write service runs under :func:`atomic_write`. On PostgreSQL that takes a transaction-level advisory lock
before anything else, so writers commit one after another and the change feed's ``seq`` grows in commit order: a
client that remembers the last ``seq`` it saw can never miss a change that commits later with a smaller number.
SQLite gets the same guarantee from ``transaction_mode=IMMEDIATE``. Taking the lock first, before any row lock,
also rules out lock-order deadlocks between writers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import OperationalError, models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .choices import ChangeAction
from .feed import dependents_of, feed_type_for
from .models import ChangeEvent, VersionedModel, object_uuid
from .request_id import current_request_id
from .translation import (
    CANONICAL_LANGUAGE,
    CONTENT_LANGUAGES,
    canonical_full_clean,
    canonical_language,
    canonical_save,
    column,
    translated_data,
)

P = ParamSpec("P")
R = TypeVar("R")
#: A versioned model (partner, theme, source, recommendation).
V = TypeVar("V", bound=VersionedModel)

#: Key of the PostgreSQL advisory lock that serialises writers ("rect" in ASCII).
WRITE_LOCK_KEY = 0x72656374

#: Representation keys that change on every write and say nothing about what changed.
_VOLATILE_KEYS = frozenset({"version", "updated_at", "url", "is_overdue"})


class VersionConflict(Exception):
    """A write named a version that is no longer current (someone else changed the object first)."""

    def __init__(self, *, current_version: int | None) -> None:
        self.current_version = current_version
        if current_version is None:
            message = _("The object no longer exists.")
        else:
            message = _("The object has changed since you read it; its current version is %(version)s.") % {
                "version": current_version
            }
        super().__init__(message)


class AlreadyExists(Exception):
    """A create named the id of an object that exists already (typically a retried request)."""

    def __init__(self, *, instance: models.Model) -> None:
        self.instance = instance
        super().__init__(_("An object with id %(id)s exists already.") % {"id": getattr(instance, "uuid", instance.pk)})


class WriteBusy(Exception):
    """The writers' lock was not free within ``WRITE_LOCK_TIMEOUT_SECONDS``: nothing was written; try again soon.

    Answered 503 with ``Retry-After`` by the API, the pages and the admin alike, never a 500.
    """

    def __init__(self) -> None:
        super().__init__(_("Another change is being written; nothing was saved. Try again in a few seconds."))


def is_lock_timeout(error: BaseException) -> bool:
    """Whether a database error says a lock could not be had in time (PostgreSQL's lock_timeout, SQLite's busy)."""
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    message = str(error).lower()
    return sqlstate == "55P03" or "database is locked" in message or "database table is locked" in message


def lock_writes() -> None:
    """Serialise this transaction with all other writers (PostgreSQL advisory lock held until commit).

    The wait is bounded by ``WRITE_LOCK_TIMEOUT_SECONDS``: on PostgreSQL by ``lock_timeout`` for this transaction,
    on SQLite by the connection's busy timeout (the same setting), which bounds ``BEGIN IMMEDIATE``.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_writes() must run inside transaction.atomic().")
    if connection.vendor == "postgresql":
        timeout_ms = int(float(settings.WRITE_LOCK_TIMEOUT_SECONDS) * 1000)
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {timeout_ms}")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK_KEY])


def latest_seq() -> int:
    """The change feed's latest sequence number (0 on an empty feed): it changes exactly when the data does."""
    seq: int | None = ChangeEvent.objects.aggregate(latest=models.Max("seq"))["latest"]
    return seq or 0


#: What runs at the end of every write, inside its transaction, with the feed's ``seq`` from before the write.
_FINISHERS: list[Callable[[int], None]] = []
#: Whether a write is under way in this context (nested services finish once, with the outermost).
_writing: ContextVar[bool] = ContextVar("writing", default=False)


def register_write_finisher(finisher: Callable[[int], None]) -> None:
    """Run ``finisher(since_seq)`` at the end of every write, inside its transaction (call from ``ready()``): what
    an upper layer keeps in step with every write, such as the report's tallies, reading what the write recorded in
    the change feed after ``since_seq``."""
    if finisher not in _FINISHERS:
        _FINISHERS.append(finisher)


def atomic_write(func: Callable[P, R]) -> Callable[P, R]:
    """Run a write service in one transaction that holds the writers' lock (see the module docstring), ending with
    the registered finishers (:func:`register_write_finisher`).

    A lock not had in time raises :class:`WriteBusy`, after the transaction rolled back.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with transaction.atomic():
                lock_writes()
                if _writing.get() or not _FINISHERS:
                    return func(*args, **kwargs)
                token = _writing.set(True)
                try:
                    since = latest_seq()
                    result = func(*args, **kwargs)
                    for finisher in _FINISHERS:
                        finisher(since)
                finally:
                    _writing.reset(token)
                return result
        except OperationalError as error:
            if is_lock_timeout(error):
                raise WriteBusy() from error
            raise

    return wrapper


def bump_version(
    model: type[VersionedModel], *, pk: int, expected_version: int | None, now: datetime | None = None
) -> int:
    """Increase an object's version in one conditional UPDATE and return the new version.

    With ``expected_version`` the UPDATE only matches while the stored version is still that one, so the check and
    the write are one atomic step; a mismatch (or a deleted row) raises :class:`VersionConflict`. The UPDATE also
    locks the row until the transaction ends.
    """
    rows = model._default_manager.filter(pk=pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1, updated_at=now or timezone.now()) == 0:
        current = model._default_manager.filter(pk=pk).values_list("version", flat=True).first()
        raise VersionConflict(current_version=current)
    version: int = model._default_manager.filter(pk=pk).values_list("version", flat=True).get()
    return version


#: Who makes a change: a user, or None (or an anonymous user) for the system.
Actor = User | AnonymousUser | None


def actor_or_none(actor: Actor) -> User | None:
    """The user to record, or None for anonymous and system writes."""
    if actor is None or isinstance(actor, AnonymousUser) or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def representation(instance: models.Model) -> dict[str, Any]:
    """The object's API representation, as the change feed stores it (URLs relative to the site)."""
    feed_type = feed_type_for(instance)
    with canonical_language():  # the plain translated fields as stored; readers localize (core.translation)
        data: dict[str, Any] = feed_type.serializer(feed_type.load(instance), context={"request": None}).data
    return data


def object_repr(instance: models.Model) -> str:
    """How the change feed names an object: its ``str()`` in the canonical language, whoever made the change."""
    if translation.get_language() == CANONICAL_LANGUAGE:  # already (a bulk writer's loop): no switching per object
        return str(instance)[:300]
    with canonical_language():
        return str(instance)[:300]


def _plain_translated_keys(data: dict[str, Any]) -> set[str]:
    """The plain keys of translated fields in a representation (``title`` beside ``title_ja`` and ``title_en``): a
    change shows in their language columns, so the diff names those."""
    return {key for key in data if all(column(key, language) in data for language in CONTENT_LANGUAGES)}


def _diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value differs between two representations, as {field: [old, new]}."""
    if old is None:
        return {}
    keys = (set(old) | set(new)) - _VOLATILE_KEYS - _plain_translated_keys(new)
    return {key: [old.get(key), new.get(key)] for key in sorted(keys) if old.get(key) != new.get(key)}


def change_event(
    instance: models.Model,
    *,
    action: ChangeAction,
    actor: Actor,
    data: dict[str, Any],
    previous: dict[str, Any] | None = None,
) -> ChangeEvent:
    """An unsaved change-feed event for ``instance`` with its representation ``data``, as :func:`change_record`
    writes it; an update's changes are against ``previous`` (the object's last representation in the feed)."""
    user = actor_or_none(actor)
    return ChangeEvent(
        action=action,
        object_type=feed_type_for(instance).object_type,
        object_id=object_uuid(instance),
        object_repr=object_repr(instance),
        data=data,
        changes=_diff(previous, data) if action == ChangeAction.UPDATED else {},
        actor=user,
        actor_name=user.get_username() if user else "",
        request_id=current_request_id() or "",
    )


def latest_representations(model: type[models.Model], ids: Iterable[Any]) -> dict[Any, dict[str, Any]]:
    """The last representation the change feed holds of each of ``model``'s objects in ``ids`` (their UUIDs), in one
    query: what the next update's changes are against."""
    object_type = feed_type_for(model).object_type
    ids = list(ids)
    if not ids:
        return {}
    last = (
        ChangeEvent.objects.filter(object_type=object_type, object_id__in=ids)
        .values("object_id")
        .annotate(last=models.Max("seq"))
        .values("last")
    )
    rows = ChangeEvent.objects.filter(seq__in=models.Subquery(last)).values_list("object_id", "data")
    return dict(rows)


def change_record(
    *,
    instance: models.Model,
    action: ChangeAction,
    actor: Actor,
    data: dict[str, Any] | None = None,
) -> ChangeEvent:
    """Append one event to the change feed for ``instance`` (call inside the write's transaction).

    The object type is the one its model is registered under (``core.feed``). ``data`` defaults to the object's
    current representation; pass it for deletions, taken before deleting.
    """
    object_type = feed_type_for(instance).object_type
    object_id = object_uuid(instance)
    if data is None:
        data = representation(instance)
    changes: dict[str, list[Any]] = {}
    if action == ChangeAction.UPDATED:
        previous = (
            ChangeEvent.objects.filter(object_type=object_type, object_id=object_id)
            .order_by("-seq")
            .values_list("data", flat=True)
            .first()
        )
        changes = _diff(previous, data)
    user = actor_or_none(actor)
    return ChangeEvent.objects.create(
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr(instance),
        data=data,
        changes=changes,
        actor=user,
        actor_name=user.get_username() if user else "",
        request_id=current_request_id() or "",
    )


#: Rows bumped and recorded per statement when dependents follow a change.
_DEPENDENTS_CHUNK = 500


def change_record_many(
    model: type[models.Model], pks: list[int], *, action: ChangeAction, actor: Actor
) -> list[ChangeEvent]:
    """Append one event per object of ``model`` (in ``pks`` order) in a few queries (call inside the transaction).

    The representations come from the registration's ``represent_many`` where it has one, else one serializer call
    each; the changes of an update are against each object's previous entry, as :func:`change_record` finds them.
    """
    feed_type = feed_type_for(model)
    user = actor_or_none(actor)
    request_id = current_request_id() or ""
    instances = {obj.pk: obj for obj in model._default_manager.filter(pk__in=pks)}
    ordered = [instances[pk] for pk in pks if pk in instances]
    if feed_type.represent_many is not None:
        with canonical_language():  # as representation() does
            representations = feed_type.represent_many([obj.pk for obj in ordered])
    else:
        representations = [representation(obj) for obj in ordered]
    ids = [object_uuid(obj) for obj in ordered]
    previous: dict[Any, Any] = {}
    if action == ChangeAction.UPDATED:
        rows = (
            ChangeEvent.objects.filter(object_type=feed_type.object_type, object_id__in=ids)
            .order_by("object_id", "-seq")
            .values_list("object_id", "data")
        )
        for object_id, data in rows:
            previous.setdefault(object_id, data)
    events = [
        ChangeEvent(
            action=action,
            object_type=feed_type.object_type,
            object_id=object_id,
            object_repr=object_repr(obj),
            data=data,
            changes=_diff(previous.get(object_id), data) if action == ChangeAction.UPDATED else {},
            actor=user,
            actor_name=user.get_username() if user else "",
            request_id=request_id,
        )
        for obj, object_id, data in zip(ordered, ids, representations, strict=True)
    ]
    return ChangeEvent.objects.bulk_create(events)


def dependents_pks(instance: models.Model, changed: set[str] | None) -> dict[type[models.Model], list[int]]:
    """The objects that show what changed of ``instance`` (any field for None), by model, in primary-key order."""
    found: dict[type[models.Model], set[int]] = {}
    for queryset in dependents_of(instance, changed):
        found.setdefault(queryset.model, set()).update(queryset.order_by().values_list("pk", flat=True))
    found.get(type(instance), set()).discard(instance.pk)
    return {model: sorted(pks) for model, pks in found.items() if pks}


def record_dependents(
    dependents: dict[type[models.Model], list[int]], *, actor: Actor, now: datetime | None = None
) -> None:
    """Give every object that shows a changed object a new version and an update in the change feed, so that its
    ETag and the feed say that what it shows has changed (call inside the write's transaction)."""
    now = now or timezone.now()
    for model, pks in dependents.items():
        for start in range(0, len(pks), _DEPENDENTS_CHUNK):
            chunk = pks[start : start + _DEPENDENTS_CHUNK]
            model._default_manager.filter(pk__in=chunk).update(version=F("version") + 1, updated_at=now)
            change_record_many(model, chunk, action=ChangeAction.UPDATED, actor=actor)


def apply_fields(
    instance: models.Model, fields: dict[str, Any], *, exclude_validation: Iterable[str] = ()
) -> list[str]:
    """Set the given field values on ``instance``, validate it, and return the names of fields that changed.

    A translated field's plain name stands for its canonical-language column (``core.translation``).
    """
    changed = []
    for name, value in translated_data(instance, fields).items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    canonical_full_clean(instance, exclude=exclude_validation)
    return changed


def versioned_create(
    model: type[V],
    *,
    actor: Actor,
    data: dict[str, Any],
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
) -> V:
    """Create a simple versioned object (partner, theme, source) and record it (call under atomic_write).

    A caller may choose the UUID (``data["uuid"]``); if an object with it exists already (a retried create),
    AlreadyExists is raised and nothing is written.
    """
    if data.get("uuid") is not None:
        existing = model._default_manager.filter(uuid=data["uuid"]).first()
        if existing is not None:
            raise AlreadyExists(instance=existing)
    now = timezone.now()
    instance = model(**translated_data(model, data), created_at=now, updated_at=now)
    canonical_full_clean(instance)
    canonical_save(instance)
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    change_record(instance=instance, action=ChangeAction.CREATED, actor=actor)
    return instance


def versioned_update(
    instance: V,
    *,
    actor: Actor,
    data: dict[str, Any],
    expected_version: int | None,
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
) -> V:
    """Change a simple versioned object if anything changes, bumping its version (call under atomic_write).

    Raises VersionConflict if ``expected_version`` is not the stored version, ValidationError for bad values.
    """
    model = type(instance)
    fresh = model._default_manager.filter(pk=instance.pk).first()
    if fresh is None or (expected_version is not None and fresh.version != expected_version):
        raise VersionConflict(current_version=fresh.version if fresh else None)
    changed = apply_fields(fresh, data)
    m2m_changed = []
    for name, values in (m2m or {}).items():
        wanted = {obj.pk for obj in values}
        if set(getattr(fresh, name).values_list("pk", flat=True)) != wanted:
            getattr(fresh, name).set(list(wanted))
            m2m_changed.append(name)
    if not changed and not m2m_changed:
        return fresh
    fresh.updated_at = timezone.now()
    fresh.version = bump_version(model, pk=fresh.pk, expected_version=fresh.version, now=fresh.updated_at)
    if changed:
        canonical_save(fresh, update_fields=changed)
    change_record(instance=fresh, action=ChangeAction.UPDATED, actor=actor)
    if changed:
        record_dependents(dependents_pks(fresh, set(changed)), actor=actor, now=fresh.updated_at)
    return fresh


def versioned_delete(
    instance: VersionedModel,
    *,
    actor: Actor,
    expected_version: int | None,
) -> None:
    """Delete a simple versioned object, recording its last representation (call under atomic_write)."""
    model = type(instance)
    bump_version(model, pk=instance.pk, expected_version=expected_version)  # checks the version, locks the row
    fresh = model._default_manager.get(pk=instance.pk)
    data = representation(fresh)
    dependents = dependents_pks(fresh, None)  # found before the rows that link them go
    change_record(instance=fresh, action=ChangeAction.DELETED, actor=actor, data=data)
    fresh.delete()
    record_dependents(dependents, actor=actor)
