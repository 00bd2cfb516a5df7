"""Write services of milestones: the planned steps of a recommendation.

A milestone is done when it has a done date; a recommendation's milestone progress is the number done of the total
(``milestone_progress``), the rule the page states beside the list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.changes import Actor, atomic_write, versioned_create, versioned_delete, versioned_update

from ..models import Milestone, Recommendation

#: Most milestones one recommendation may have.
MAX_MILESTONES = 100


@atomic_write
def milestone_create(*, actor: Actor, recommendation: Recommendation, data: Mapping[str, Any]) -> Milestone:
    """Add a milestone to a recommendation."""
    if Milestone.objects.filter(recommendation=recommendation).count() >= MAX_MILESTONES:
        raise ValidationError(
            {"recommendation": _("A recommendation has at most %(count)d milestones.") % {"count": MAX_MILESTONES}}
        )
    return versioned_create(Milestone, actor=actor, data={**data, "recommendation": recommendation})


@atomic_write
def milestone_update(
    *, milestone: Milestone, actor: Actor, data: Mapping[str, Any], expected_version: int | None = None
) -> Milestone:
    """Change a milestone: its title, due date, done date (done), evidence or position."""
    if "recommendation" in data and data["recommendation"] != milestone.recommendation:
        raise ValidationError({"recommendation": _("A milestone stays with its recommendation.")})
    return versioned_update(
        milestone,
        actor=actor,
        data={k: v for k, v in data.items() if k != "recommendation"},
        expected_version=expected_version,
    )


@atomic_write
def milestone_delete(*, milestone: Milestone, actor: Actor, expected_version: int | None = None) -> None:
    """Remove a milestone."""
    versioned_delete(milestone, actor=actor, expected_version=expected_version)


def milestone_progress(milestones: list[Milestone]) -> tuple[int, int]:
    """(done, total) of a recommendation's milestones: a milestone is done when it has a done date."""
    return sum(1 for milestone in milestones if milestone.done_on is not None), len(milestones)
