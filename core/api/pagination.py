"""Keyset pagination: every page, the first or the ten-thousandth, is one indexed range query of the same cost.

DRF's CursorPagination keys on the first ordering field only and falls back to offsets between ties, which breaks
for orderings such as ``?ordering=status`` where thousands of rows share a value. Here the cursor holds the values of
all ordering keys of the last row (the filterset always ends the ordering with the primary key, so the order is
total), and the next page is "rows after these values" in that order. NULLs sort last in both directions on every
database, so rows without a target date neither vanish nor repeat between pages.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

if TYPE_CHECKING:
    from django.db.models.fields import Field
    from django.db.models.fields.reverse_related import ForeignObjectRel
    from rest_framework.views import APIView

#: Rows per page unless the client asks for another size, and the most it may ask for.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def page_size_from(request: Request, name: str = "page_size", default: int = DEFAULT_PAGE_SIZE) -> int:
    """The page size a request asks for: an integer from 1 to MAX_PAGE_SIZE, else a 400 naming the parameter."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        size = int(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("A whole number is required.")]}) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise exceptions.ValidationError({name: [_("Must be from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]})
    return size


def link_header(**relations: str | None) -> dict[str, str]:
    """An RFC 8288 ``Link`` header naming each given relation's URL (``next``, ``prev``), or no header."""
    links = [f'<{url}>; rel="{relation}"' for relation, url in relations.items() if url]
    return {"Link": ", ".join(links)} if links else {}


@dataclass(frozen=True)
class SortKey:
    """One ordering key: a field or annotation name, its direction, whether it may be NULL and how to parse it."""

    name: str
    descending: bool
    nullable: bool
    output_field: Any

    def order_by(self, *, backwards: bool) -> OrderBy:
        """The ORDER BY term; walking backwards reverses the direction and so puts NULLs first."""
        descending = self.descending != backwards
        if not self.nullable:
            return F(self.name).desc() if descending else F(self.name).asc()
        nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
        return F(self.name).desc(**nulls) if descending else F(self.name).asc(**nulls)

    def beyond(self, value: Any, *, backwards: bool) -> Q | None:
        """Rows strictly after ``value`` in the page order (before it, walking backwards); None if there are none."""
        if value is None:  # NULLs are last: nothing comes after them, everything non-NULL comes before
            return Q(**{f"{self.name}__isnull": False}) if backwards else None
        greater = self.descending == backwards
        condition = Q(**{f"{self.name}__{'gt' if greater else 'lt'}": value})
        if self.nullable and not backwards:
            condition |= Q(**{f"{self.name}__isnull": True})
        return condition

    def equal(self, value: Any) -> Q:
        """Rows whose key equals ``value`` (NULL included)."""
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})

    def parse(self, value: Any) -> Any:
        """A cursor value back as the key's Python type; ValueError if it is not one."""
        if value is None:
            if not self.nullable:
                raise ValueError("null")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("type")
        try:
            parsed = self.output_field.to_python(value)
        except (DjangoValidationError, TypeError, ValueError, OverflowError) as error:
            raise ValueError(str(error)) from error
        if parsed is None:
            raise ValueError("null")
        if isinstance(parsed, int) and not -(2**63) <= parsed < 2**63:
            raise ValueError("range")
        return parsed


def sort_keys(queryset: QuerySet[Any]) -> list[SortKey]:
    """The keys a queryset is ordered by, ending with the primary key (added if missing) so the order is total."""
    model: type[Model] = queryset.model
    ordering = list(queryset.query.order_by) or ["pk"]
    keys: list[SortKey] = []
    field: Field[Any, Any] | ForeignObjectRel
    for term in ordering:
        if not isinstance(term, str) or "__" in term or term.startswith("?"):
            raise ImproperlyConfigured(f"Keyset pagination needs plain field names to order by, not {term!r}.")
        name = term.lstrip("-")
        if name == "pk":
            name = model._meta.pk.name
        if name in queryset.query.annotations:
            field, nullable = queryset.query.annotations[name].output_field, False
        else:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist as error:
                raise ImproperlyConfigured(f"Cannot order {model.__name__} by {name!r}.") from error
            nullable = field.null
        keys.append(SortKey(name=name, descending=term.startswith("-"), nullable=nullable, output_field=field))
    if not any(key.name == model._meta.pk.name for key in keys):
        keys.append(SortKey(name=model._meta.pk.name, descending=False, nullable=False, output_field=model._meta.pk))
    return keys


def _plain(value: Any) -> Any:
    """A key value as JSON (dates and times in full ISO 8601 precision)."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class Cursor:
    """A position: the ordering it belongs to, the key values of a row, and whether to walk backwards from it."""

    ordering: tuple[str, ...]
    values: tuple[Any, ...]
    backwards: bool = False

    def encode(self) -> str:
        """The opaque string clients send back."""
        payload = {"o": list(self.ordering), "v": [_plain(v) for v in self.values], "b": self.backwards}
        data = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, keys: list[SortKey]) -> Cursor:
        """Parse a cursor for the given ordering; ValueError if it is malformed or made for another ordering."""
        if len(text) > 2000:
            raise ValueError("too long")
        try:
            payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (binascii.Error, ValueError, UnicodeDecodeError) as error:
            raise ValueError("not a cursor") from error
        if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
            raise ValueError("not a cursor")
        ordering = tuple(_signature(keys))
        if payload.get("o") != list(ordering):
            raise ValueError("other ordering")
        if len(payload["v"]) != len(keys) or not isinstance(payload.get("b", False), bool):
            raise ValueError("not a cursor")
        values = tuple(key.parse(value) for key, value in zip(keys, payload["v"], strict=True))
        return cls(ordering=ordering, values=values, backwards=payload.get("b", False))


def _signature(keys: list[SortKey]) -> list[str]:
    """The ordering as the cursor records it (a cursor only works with the ordering it was made for)."""
    return [f"-{key.name}" if key.descending else key.name for key in keys]


def keyset_filter(keys: list[SortKey], values: tuple[Any, ...], *, backwards: bool) -> Q:
    """Rows after (or, backwards, before) the row with ``values``: k1 > v1, or k1 = v1 and k2 > v2, and so on."""
    condition = Q(pk__in=[])  # nothing, unless a term below matches
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = key.beyond(value, backwards=backwards)
        if beyond is not None:
            condition |= prefix & beyond
        prefix &= key.equal(value)
    return condition


class KeysetPagination(BasePagination):
    """Cursor pagination over the queryset's own ordering (see the module docstring); bounded page size."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(
        self, queryset: QuerySet[Any, Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        if not isinstance(queryset, QuerySet):
            raise TypeError("Keyset pagination pages querysets only.")
        self.request = request
        self.page_size = page_size_from(request, self.page_size_query_param)
        keys = sort_keys(queryset)
        self.keys = keys
        self.ordering = tuple(_signature(keys))
        cursor = None
        text = request.query_params.get(self.cursor_query_param)
        if text:
            try:
                cursor = Cursor.decode(text, keys)
            except ValueError:
                raise exceptions.ValidationError(
                    {self.cursor_query_param: [_("Invalid cursor: use the next or previous link of a page as it is.")]}
                ) from None
        backwards = bool(cursor and cursor.backwards)
        rows = queryset.order_by(*(key.order_by(backwards=backwards) for key in keys))
        if cursor is not None:
            rows = rows.filter(keyset_filter(keys, cursor.values, backwards=backwards))
        page = list(rows[: self.page_size + 1])
        more = len(page) > self.page_size
        page = page[: self.page_size]
        if backwards:
            page.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, cursor is not None
        self.page = page
        return page

    def _values(self, row: Model) -> tuple[Any, ...]:
        return tuple(getattr(row, key.name) for key in self.keys)

    def _link(self, cursor: Cursor) -> str:
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor.encode())

    def next_cursor(self) -> Cursor | None:
        """The position of the page after this one, or None on the last page."""
        if not self.has_next or not self.page:
            return None
        return Cursor(self.ordering, self._values(self.page[-1]))

    def previous_cursor(self) -> Cursor | None:
        """The position of the page before this one (None on the first page, or past the end: start over)."""
        if not self.has_previous or not self.page:
            return None
        return Cursor(self.ordering, self._values(self.page[0]), backwards=True)

    def get_next_link(self) -> str | None:
        """The URL of the page after this one, or None on the last page."""
        cursor = self.next_cursor()
        return self._link(cursor) if cursor is not None else None

    def get_previous_link(self) -> str | None:
        """The URL of the page before this one, or None on the first page."""
        if not self.has_previous:
            return None
        if not self.page:  # walked past the end (rows deleted meanwhile): start over
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        cursor = self.previous_cursor()
        return self._link(cursor) if cursor is not None else None

    def get_paginated_response(self, data: list[Any]) -> Response:
        """The page, with its neighbours as links and as cursors (for clients that send ``cursor`` themselves), and
        an RFC 8288 Link header of them."""
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        next_cursor, previous_cursor = self.next_cursor(), self.previous_cursor()
        body = {
            "results": data,
            "next": next_link,
            "previous": previous_link,
            "next_cursor": next_cursor.encode() if next_cursor is not None else None,
            "previous_cursor": previous_cursor.encode() if previous_cursor is not None else None,
        }
        return Response(body, headers=link_header(next=next_link, prev=previous_link))

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next", "previous", "next_cursor", "previous_cursor"],
            "properties": {
                "results": schema,
                "next_cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": _("Send it as cursor= for the next page (null on the last page)."),
                },
                "previous_cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": _("Send it as cursor= for the page before (null on the first page)."),
                },
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": _("The next page, or null on the last page."),
                },
                "previous": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": _("The page before, or null on the first page."),
                },
            },
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": _(
                    "Opaque position from a page's next or previous link; works with the ordering it was made for."
                ),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": _("Rows per page, 1 to %(max)d (default %(default)d); more is a 400.")
                % {"max": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
            },
        ]
