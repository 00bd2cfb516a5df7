"""Read queries for reports: aggregations happen in SQL, in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from .choices import LINK_INVERSE_LABELS, LinkType, Status
from .models import Recommendation, RecommendationLink, RecommendationPartner


@dataclass
class StatusRow:
    """Counts by status for one partner or theme (or for everything)."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Status.values, 0))

    @property
    def total(self) -> int:
        """All recommendations in the row."""
        return sum(self.counts.values())

    @property
    def implemented(self) -> int:
        """Fully implemented ones."""
        return self.counts[Status.IMPLEMENTED]

    @property
    def implemented_share(self) -> float:
        """Implemented as a share of the row's total (0 for an empty row)."""
        return self.implemented / self.total if self.total else 0.0


@dataclass
class ProgressSummary:
    """The progress report: totals, counts by status, by partner and status, by theme and status, overdue."""

    overall: StatusRow
    by_partner: list[StatusRow]
    by_theme: list[StatusRow]
    overdue: int

    @property
    def total(self) -> int:
        """Recommendations in the report."""
        return self.overall.total


def _ids(queryset: QuerySet[Recommendation]) -> QuerySet:
    """The recommendations' primary keys as a subquery (ordering and annotations stripped)."""
    return queryset.order_by().values("pk")


def progress_summary(*, queryset: QuerySet[Recommendation]) -> ProgressSummary:
    """Aggregate a (filtered) set of recommendations into the progress report, in four queries."""
    ids = _ids(queryset)
    overall = StatusRow(key="all", label="All")
    for row in Recommendation.objects.filter(pk__in=ids).order_by().values("status").annotate(n=Count("pk")):
        overall.counts[row["status"]] = row["n"]

    partners: dict[str, StatusRow] = {}
    partner_rows = (
        RecommendationPartner.objects.filter(recommendation__in=ids)
        .order_by()
        .values("partner__slug", "partner__name", "partner__short_name", "recommendation__status")
        .annotate(n=Count("recommendation_id"))
    )
    for row in partner_rows:
        label = row["partner__short_name"] or row["partner__name"]
        partner_row = partners.setdefault(row["partner__slug"], StatusRow(key=row["partner__slug"], label=label))
        partner_row.counts[row["recommendation__status"]] = row["n"]

    themes: dict[str, StatusRow] = {}
    theme_rows = (
        Recommendation.themes.through.objects.filter(recommendation__in=ids)
        .order_by()
        .values("theme__slug", "theme__name", "recommendation__status")
        .annotate(n=Count("recommendation_id"))
    )
    for row in theme_rows:
        theme_row = themes.setdefault(row["theme__slug"], StatusRow(key=row["theme__slug"], label=row["theme__name"]))
        theme_row.counts[row["recommendation__status"]] = row["n"]

    overdue = Recommendation.objects.overdue().filter(pk__in=ids).count()
    return ProgressSummary(
        overall=overall,
        by_partner=sorted(partners.values(), key=lambda r: (-r.total, r.label)),
        by_theme=sorted(themes.values(), key=lambda r: (-r.total, r.label)),
        overdue=overdue,
    )


# --- Links between recommendations ---------------------------------------------------------------------------------


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
