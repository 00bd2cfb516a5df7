"""Write services of sources and themes: create, change, and delete what no recommendation uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from core.changes import Actor, atomic_write, versioned_create, versioned_delete, versioned_update

from ..models import Source, Theme


@atomic_write
def source_create(*, actor: Actor, data: Mapping[str, Any]) -> Source:
    """Create a source document."""
    return versioned_create(Source, actor=actor, data=dict(data))


@atomic_write
def source_update(
    *, source: Source, actor: Actor, data: Mapping[str, Any], expected_version: int | None = None
) -> Source:
    """Change a source document's fields."""
    return versioned_update(source, actor=actor, data=dict(data), expected_version=expected_version)


@atomic_write
def source_delete(*, source: Source, actor: Actor, expected_version: int | None = None) -> None:
    """Delete a source that no recommendation comes from."""
    count = source.recommendations.count()
    if count:
        raise ValidationError(
            ngettext(
                "%(source)s cannot be deleted: %(count)d recommendation comes from it.",
                "%(source)s cannot be deleted: %(count)d recommendations come from it.",
                count,
            )
            % {"source": source, "count": count}
        )
    versioned_delete(source, actor=actor, expected_version=expected_version)


@atomic_write
def theme_create(*, actor: Actor, data: Mapping[str, Any]) -> Theme:
    """Create a theme."""
    return versioned_create(Theme, actor=actor, data=dict(data))


@atomic_write
def theme_update(*, theme: Theme, actor: Actor, data: Mapping[str, Any], expected_version: int | None = None) -> Theme:
    """Change a theme's fields."""
    return versioned_update(theme, actor=actor, data=dict(data), expected_version=expected_version)


@atomic_write
def theme_delete(*, theme: Theme, actor: Actor, expected_version: int | None = None) -> None:
    """Delete a theme that no recommendation uses (so no recommendation changes behind its readers' backs)."""
    count = theme.recommendations.count()
    if count:
        raise ValidationError(
            ngettext(
                "%(theme)s cannot be deleted: %(count)d recommendation uses it.",
                "%(theme)s cannot be deleted: %(count)d recommendations use it.",
                count,
            )
            % {"theme": theme, "count": count}
        )
    versioned_delete(theme, actor=actor, expected_version=expected_version)
