"""Serializer fields shared by the representations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.encoding import force_str
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

if TYPE_CHECKING:
    _SerializerBase = serializers.Serializer[Any]
else:
    _SerializerBase = object


def _interpolate(message: str | Promise, params: Mapping[str, Any]) -> str:
    return str(message) % {name: str(value) for name, value in params.items()}


_lazy_interpolate = lazy(_interpolate, str)


def lazy_interpolate(message: str | Promise, **params: Any) -> str:
    """A translation with its placeholders filled in when it is shown, in the language of that moment:
    ``lazy_interpolate(gettext_lazy("… %(name)s …"), name=value)`` (``gettext_lazy(...) % params`` translates at once).
    """
    return _lazy_interpolate(message, params)


class ChoiceLabelField(serializers.CharField):
    """The label of a choice field's value, as ``get_<field>_display()`` gives it.

    Reading the label from the choices directly spares DRF inspecting the bound ``get_<field>_display`` method's
    signature on every row, a large share of a list's serialization time.
    """

    def __init__(self, *, field: str, choices: Any, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        kwargs["source"] = field
        self.labels = dict(choices)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        return force_str(self.labels.get(value, value), strings_only=True)  # a value without a label stays as is


class SlugRelatedField(serializers.SlugRelatedField[Any]):
    """DRF's SlugRelatedField, refusing values that are not text or that hold a NUL byte before any query.

    PostgreSQL cannot compare text with a NUL byte in it: the lookup would fail with a DataError (a 500) instead of
    finding nothing, so such a value is "not found" (400) on every database alike.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "\\x00"))
        return super().to_internal_value(data)


class StrictFieldsMixin(_SerializerBase):
    """A write serializer that refuses unknown fields with a 400 naming them, instead of silently dropping them.

    A misspelt field ("titel") would otherwise be ignored and the client told all went well, as an unknown query
    parameter would. Fields of the representation a client read and sends back (read-only there: ``version``,
    ``url``, labels) are known, and ignored as before: name that representation in ``representation_serializer``.
    """

    representation_serializer: ClassVar[type[serializers.BaseSerializer[Any]] | None] = None

    def known_fields(self) -> set[str]:
        """The names a body may hold: this serializer's fields and, ignored, its representation's."""
        known = set(self.fields)
        if self.representation_serializer is not None:
            known |= set(self.representation_serializer().fields)  # type: ignore[attr-defined]
        return known

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in set(data) - self.known_fields())
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


def create_id_field(what: str | Promise) -> serializers.UUIDField:
    """The ``id`` a client may give an object it creates, so that a retried create is recognised (409, Location).

    ``what`` names the object, best as its model's (lazy) ``verbose_name``, so the schema names it in its language.
    """
    return serializers.UUIDField(
        source="uuid",
        required=False,
        help_text=lazy_interpolate(
            _(
                "On create only: the UUID the new %(what)s gets. Repeating a create with it answers 409 with the "
                "existing object's Location."
            ),
            what=what,
        ),
    )


class CreateIdMixin(_SerializerBase):
    """For write serializers with :func:`create_id_field`: an object's id cannot be changed once it exists."""

    def validate_id(self, value: Any) -> Any:
        if self.instance is not None and value != getattr(self.instance, "uuid", value):
            raise serializers.ValidationError(_("The id of an object cannot be changed."))
        return value
