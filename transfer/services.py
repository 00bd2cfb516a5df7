"""Applying an import: the write side of ``importing``, through the same services as every other edit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core.changes import Actor, atomic_write
from partners.models import Partner
from partners.services import partner_create
from recommendations.models import Recommendation, Source, Theme
from recommendations.services import (
    recommendation_create,
    recommendation_update,
    source_create,
    theme_create,
)

from .importing import ImportPlan


@dataclass
class ImportResult:
    """What an import wrote: the recommendations it created and updated, and the sources, partners and themes."""

    created: list[Recommendation] = field(default_factory=list)
    updated: list[Recommendation] = field(default_factory=list)
    unchanged: int = 0
    new_objects: list[Source | Partner | Theme] = field(default_factory=list)

    def summary(self) -> str:
        """One line: what was written."""
        created, updated = len(self.created), len(self.updated)
        separator = pgettext("separates the items of a list", ", ")
        parts = [
            ngettext("%(count)d created", "%(count)d created", created) % {"count": created},
            ngettext("%(count)d updated", "%(count)d updated", updated) % {"count": updated},
            ngettext("%(count)d unchanged", "%(count)d unchanged", self.unchanged) % {"count": self.unchanged},
        ]
        text = separator.join(parts) + pgettext("ends a sentence", ".")
        if self.new_objects:
            added = separator.join(
                pgettext("what an import added: a kind and a slug", "%(kind)s %(slug)s")
                % {"kind": type(obj)._meta.verbose_name, "slug": obj.slug}
                for obj in self.new_objects
            )
            text = _("%(summary)s Added: %(added)s.") % {"summary": text, "added": added}
        return text


@atomic_write
def recommendations_import(*, plan: ImportPlan, actor: Actor) -> ImportResult:
    """Apply an import plan (``importing.import_plan``) in one transaction: the whole file lands, or nothing does.

    The plan's new sources, partners and themes are created first; then each row creates its recommendation or
    updates it through recommendation_create / recommendation_update, so versions, the change feed and the status
    timeline (with ``actor`` as author) are kept as for any other edit. A plan with errors is refused
    (ValidationError). Each update names the version the plan saw: if someone changed that recommendation since,
    VersionConflict is raised and nothing is written.
    """
    if plan.has_errors:
        count = len(plan.error_rows)
        raise ValidationError(
            ngettext(
                "The file has errors in %(count)d row: nothing was imported.",
                "The file has errors in %(count)d rows: nothing was imported.",
                count,
            )
            % {"count": count}
        )
    creators: dict[str, Callable[..., Source | Partner | Theme]] = {
        "source": source_create,
        "partner": partner_create,
        "theme": theme_create,
    }
    made = {new: creators[new.kind](actor=actor, data=new.data) for new in plan.new_objects}
    result = ImportResult(new_objects=list(made.values()))
    for row in plan.rows:
        if row.action == "create":
            result.created.append(recommendation_create(actor=actor, **row.resolved(made)))
        elif row.action == "update":
            if row.recommendation is None:  # import_plan gives every update row its recommendation
                raise ValueError(f"Row {row.number} updates no recommendation.")
            change = recommendation_update(
                recommendation=row.recommendation, actor=actor, data=row.resolved(made), expected_version=row.version
            )
            result.updated.append(change.recommendation)
        else:
            result.unchanged += 1
    return result
