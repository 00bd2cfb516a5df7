"""Write services of links between recommendations ("A supersedes B"): the rules, creating and removing a link.

A link belongs to both ends' representations, so each write bumps both recommendations' versions and records an
update of each in the change feed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changes import Actor, actor_or_none, atomic_write, bump_version, change_record
from core.choices import ChangeAction

from ..choices import LinkType
from ..models import Recommendation, RecommendationLink

#: Link types that must not loop back (A supersedes B supersedes A; A depends on B depends on C depends on A).
ACYCLIC_LINK_TYPES = frozenset({LinkType.SUPERSEDES, LinkType.DEPENDS_ON})
#: Link types that say the same read either way: "B related to A" repeats "A related to B".
SYMMETRIC_LINK_TYPES = frozenset({LinkType.RELATED, LinkType.DUPLICATES})


def _link_path(links: QuerySet[RecommendationLink], *, link_type: str, start: int, goal: int) -> list[int]:
    """The recommendations from ``start`` to ``goal`` along links of one type (empty if there is no such path).

    One query per step of the walk, over the links in ``links`` (a queryset).
    """
    came_from: dict[int, int] = {start: start}
    frontier = {start}
    while frontier:
        step = links.filter(link_type=link_type, from_recommendation__in=frontier).values_list(
            "from_recommendation_id", "to_recommendation_id"
        )
        frontier = set()
        for source_pk, target_pk in step:
            if target_pk in came_from:
                continue
            came_from[target_pk] = source_pk
            if target_pk == goal:
                path = [goal]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            frontier.add(target_pk)
    return []


def validate_recommendation_link(
    *,
    from_recommendation: Recommendation,
    to_recommendation: Recommendation,
    link_type: str,
    ignore: Iterable[int] = (),
) -> None:
    """Raise ValidationError unless ``from_recommendation`` may be linked to ``to_recommendation`` with ``link_type``.

    Refused: a link to itself, a link that exists already, the reverse of a "related to" or "duplicates" link that
    exists (they read both ways), and a "supersedes" or "depends on" link that would close a cycle. Links whose ids
    are in ``ignore`` count as gone (the admin replaces links in one save).
    """
    if link_type not in LinkType.values:
        raise ValidationError({"link_type": _("“%(value)s” is not a link type.") % {"value": link_type}})
    if from_recommendation.pk is not None and from_recommendation.pk == to_recommendation.pk:
        raise ValidationError({"to_recommendation": _("A recommendation cannot be linked to itself.")})
    if from_recommendation.pk is None:
        return  # a recommendation being created has no links yet
    links = RecommendationLink.objects.exclude(pk__in=list(ignore))
    label = LinkType(link_type).label
    names = {"this": from_recommendation.reference, "other": to_recommendation.reference, "link": label}
    if links.filter(
        from_recommendation=from_recommendation, to_recommendation=to_recommendation, link_type=link_type
    ).exists():
        raise ValidationError(_("%(this)s is already %(link)s %(other)s.") % names, code="duplicate")
    if link_type in SYMMETRIC_LINK_TYPES and (
        links.filter(
            from_recommendation=to_recommendation, to_recommendation=from_recommendation, link_type=link_type
        ).exists()
    ):
        raise ValidationError(
            _("%(other)s is already %(link)s %(this)s, which says the same both ways.") % names, code="duplicate"
        )
    if link_type in ACYCLIC_LINK_TYPES:
        path = _link_path(links, link_type=link_type, start=to_recommendation.pk, goal=from_recommendation.pk)
        if len(path) == 2:
            raise ValidationError(
                _("%(other)s already %(link)s %(this)s: the reverse link would make a cycle.") % names,
                code="cycle",
            )
        if path:
            references = dict(Recommendation.objects.filter(pk__in=path).values_list("pk", "reference"))
            chain = f" {label} ".join([from_recommendation.reference, *(references[pk] for pk in path)])
            raise ValidationError(_("This link would make a cycle: %(chain)s.") % {"chain": chain}, code="cycle")


def _record_link_change(link: RecommendationLink, actor: Actor) -> None:
    """A link belongs to both ends' representations: bump both versions and record an update of each."""
    now = timezone.now()
    for pk in (link.from_recommendation_id, link.to_recommendation_id):
        bump_version(Recommendation, pk=pk, expected_version=None, now=now)
        change_record(instance=Recommendation.objects.get(pk=pk), action=ChangeAction.UPDATED, actor=actor)


@atomic_write
def recommendation_link_create(
    *,
    from_recommendation: Recommendation,
    to_recommendation: Recommendation,
    link_type: str,
    note: str = "",
    actor: Actor,
) -> RecommendationLink:
    """Link two recommendations ("A supersedes B"), changing the version of both (see validate_recommendation_link)."""
    validate_recommendation_link(
        from_recommendation=from_recommendation, to_recommendation=to_recommendation, link_type=link_type
    )
    link = RecommendationLink(
        from_recommendation=from_recommendation,
        to_recommendation=to_recommendation,
        link_type=link_type,
        note=note or "",
        created_by=actor_or_none(actor),
        created_at=timezone.now(),
    )
    link.full_clean()
    link.save()
    _record_link_change(link, actor)
    return link


@atomic_write
def recommendation_link_delete(*, link: RecommendationLink, actor: Actor) -> None:
    """Remove a link, changing the version of both recommendations (a link already gone is left alone)."""
    fresh = RecommendationLink.objects.filter(pk=link.pk).first()
    if fresh is None:
        return
    fresh.delete()
    _record_link_change(fresh, actor)
