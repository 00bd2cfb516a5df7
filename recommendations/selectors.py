"""Read queries of the recommendation pages: the links of a recommendation, both directions, in one query; the saved
views a user sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from core.translation import localized

from .choices import LINK_INVERSE_LABELS, LinkType, SharedWith
from .models import Recommendation, RecommendationLink, SavedView
from .services.saved_views import user_role_shares


@dataclass(frozen=True)
class LinkedRecommendation:
    """One link as seen from a recommendation: "supersedes TOK23-07" (outgoing) or "superseded by TOK23-12"."""

    link: RecommendationLink
    outgoing: bool
    other: Recommendation

    @property
    def link_type(self) -> str:
        """The link's type (related, depends_on, supersedes, duplicates)."""
        return self.link.link_type

    @property
    def label(self) -> str:
        """How the link reads from this side: the type's label outgoing, its inverse incoming."""
        if self.outgoing:
            return str(LinkType(self.link.link_type).label)
        return str(LINK_INVERSE_LABELS[LinkType(self.link.link_type)])

    @property
    def note(self) -> str:
        """The note given with the link."""
        return self.link.note

    def __str__(self) -> str:
        return f"{self.label} {self.other.reference}"


def recommendation_links(*, recommendation: Recommendation) -> list[LinkedRecommendation]:
    """Every link of a recommendation, both directions, with the right label, in one query.

    Outgoing links come first, then incoming ones; each group by link type and the other's reference.
    """
    links = RecommendationLink.objects.filter(
        Q(from_recommendation=recommendation) | Q(to_recommendation=recommendation)
    ).select_related("from_recommendation", "to_recommendation")
    items = []
    for link in links:
        outgoing = link.from_recommendation_id == recommendation.pk
        other = link.to_recommendation if outgoing else link.from_recommendation
        items.append(LinkedRecommendation(link=link, outgoing=outgoing, other=other))
    return sorted(items, key=lambda item: (not item.outgoing, item.link_type, item.other.reference))


def saved_views_for(user: User | AnonymousUser, page: str | None = None) -> QuerySet[SavedView]:
    """The saved views a user sees (their own, and those shared with everyone or a role they have), by name."""
    if not user.is_authenticated:
        return SavedView.objects.none()
    visible = Q(owner_id=user.pk) | Q(shared_with=SharedWith.EVERYONE)
    roles = user_role_shares(user)
    if roles:
        visible |= Q(shared_with__in=sorted(roles))
    views = SavedView.objects.filter(visible).select_related("owner")
    if page is not None:
        views = views.filter(page=page)
    return views.order_by(localized("name"), "id")
