"""Serializer fields shared by the representations."""

from __future__ import annotations

from typing import Any

from django.utils.encoding import force_str
from rest_framework import serializers


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
