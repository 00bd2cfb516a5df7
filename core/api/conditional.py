"""Conditional requests (RFC 9110, section 13): strong ETags from versions, If-None-Match on reads, If-Match on writes.

The If-Match check is never done here against a value read earlier: the version it names is handed to the service,
whose conditional UPDATE (``WHERE version = expected``) is the check, so checking and writing are one atomic step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request

from .errors import PreconditionFailed, PreconditionRequired

#: One entity tag: optional weakness indicator, then a quoted string of etagc characters (RFC 9110, 8.8.3).
_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')


def etag_for_version(version: int) -> str:
    """The strong ETag of an object at ``version``: the version, quoted (``"7"``)."""
    return f'"{version}"'


@dataclass(frozen=True)
class EntityTag:
    """One parsed entity tag."""

    weak: bool
    value: str


def parse_entity_tags(header: str) -> list[EntityTag] | None:
    """The entity tags of an If-Match / If-None-Match header; [] for ``*``; None if it is not a valid list."""
    header = header.strip()
    if header == "*":
        return []
    tags, position = [], 0
    while position < len(header):
        match = _ENTITY_TAG.match(header, position)
        if match is None or match.end() == position:
            return None
        tags.append(EntityTag(weak=bool(match.group(1)), value=match.group(2)))
        position = match.end()
    return tags or None


@dataclass(frozen=True)
class Precondition:
    """What a write's If-Match asks for: any current version (``*``), or one of some versions."""

    any_version: bool
    versions: frozenset[int]

    def expected_version(self, current_version: int) -> int | None:
        """The version to hand to the service: None for ``*``; else ``current_version`` if it is one of those named.

        ``current_version`` is only what the caller read: when several strong tags are given, the one equal to it is
        used, and the service's conditional UPDATE still refuses the write if the object changed in between. With no
        usable tag (only weak ones, or tags this API never issued) nothing can match: 412.
        """
        if self.any_version:
            return None
        if not self.versions:
            raise PreconditionFailed(current_version=current_version)
        if len(self.versions) == 1:
            return next(iter(self.versions))
        if current_version in self.versions:
            return current_version
        raise PreconditionFailed(current_version=current_version)


def require_if_match(request: Request) -> Precondition:
    """Read If-Match: 428 without it, 400 if it is not an entity-tag list."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired()
    tags = parse_entity_tags(header)
    if tags is None:
        raise exceptions.ValidationError(
            {"If-Match": [_('Not a valid entity tag list: send the ETag as read, e.g. If-Match: "3", or *.')]}
        )
    if not tags:
        return Precondition(any_version=True, versions=frozenset())
    # Strong comparison: a weak tag never matches, nor does a tag this API never issued (expected_version then 412s).
    versions = frozenset(int(tag.value) for tag in tags if not tag.weak and tag.value.isdigit() and len(tag.value) < 12)
    return Precondition(any_version=False, versions=versions)


def if_none_match_hits(request: Request, etag: str) -> bool:
    """Whether If-None-Match names ``etag`` (weak comparison) or is ``*``: a GET then answers 304."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_entity_tags(header)
    if tags is None:
        return False  # an unparseable header is ignored, as RFC 9110 allows for caches
    if not tags:
        return True
    return any(f'"{tag.value}"' == etag for tag in tags)
