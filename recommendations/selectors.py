"""Read queries of the recommendation pages: the links of a recommendation, both directions, in one query; the saved
views a user sees; the recommendations that read like a text or like each other (``similarity``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db.models import Case, CharField, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changes import latest_seq
from core.translation import localized

from .choices import ATTENTION_STALE_DAYS, CLOSED_STATUSES, LINK_INVERSE_LABELS, LinkType, SharedWith, Status
from .models import (
    Assessment,
    Recommendation,
    RecommendationLink,
    ResponseUpdate,
    SavedView,
    StatusSpan,
    StatusUpdate,
)
from .services.saved_views import user_role_shares
from .similarity import Index, build_index, recommendation_text, similar_pairs


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


# --- Follow-up: why a recommendation needs attention, its latest note; its status on a past date -------------------


def with_latest_note(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Annotate the newest status-timeline note (``latest_note``), when (``latest_note_at``) and by whom
    (``latest_note_author``: the author's full name, else user name), as subqueries: no query per row."""
    notes = StatusUpdate.objects.filter(recommendation=OuterRef("pk")).exclude(note="").order_by("-created_at", "-id")
    full_name = NullIf(Trim(Concat("author__first_name", Value(" "), "author__last_name")), Value(""))
    author = Coalesce(full_name, F("author__username"), output_field=CharField())
    return queryset.annotate(
        latest_note=Subquery(notes.values("note")[:1]),
        latest_note_at=Subquery(notes.values("created_at")[:1]),
        latest_note_author=Subquery(notes.annotate(author_name=author).values("author_name")[:1]),
    )


def attention_reasons(recommendation: Recommendation, *, today: date | None = None) -> list[tuple[str, str]]:
    """Why an open recommendation needs attention, as (key, label): overdue, stalled, stale (the ``attention``
    filter's three reasons, ``RecommendationQuerySet.needs_attention``); none for a closed one."""
    if recommendation.status in CLOSED_STATUSES:
        return []
    today = today or timezone.localdate()
    reasons = []
    if recommendation.target_date and recommendation.target_date < today:
        reasons.append(("overdue", _("Overdue")))
    if recommendation.status == Status.STALLED:
        reasons.append(("stalled", _("Stalled")))
    if recommendation.updated_at <= timezone.now() - timedelta(days=ATTENTION_STALE_DAYS):
        reasons.append(("stale", _("Stale")))
    return reasons


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in the configured time zone (the exclusive end of "on that date")."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def status_on_expression(day: date, *, recommendation: str = "pk") -> Coalesce:
    """A recommendation's status at the end of ``day``, rebuilt from its timeline, as one SQL expression.

    The ``to_status`` of its last entry at or before the day; failing that (every entry is later) the status it
    started from (its first entry's ``from_status``, or that entry's ``to_status`` when it is the first one); failing
    that (no entry at all) its status now. ``recommendation`` is the outer query's path to the recommendation's key.
    """
    status_now = F("status") if recommendation == "pk" else F(f"{recommendation.removesuffix('_id')}__status")
    entries = StatusUpdate.objects.filter(recommendation=OuterRef(recommendation))
    return _rebuilt_on(entries, day, "from_status", "to_status", status_now)


def response_on_expression(day: date) -> Coalesce:
    """A recommendation's response at the end of ``day``, rebuilt from its responses' timeline as
    ``status_on_expression`` rebuilds its status (the last entry's response by then, else the one it started from,
    else its response now)."""
    entries = ResponseUpdate.objects.filter(recommendation=OuterRef("pk"))
    return _rebuilt_on(entries, day, "from_response", "to_response", F("response"))


def rating_on_expression(day: date) -> Coalesce:
    """The rating of a recommendation's latest independent assessment recorded by the end of ``day`` (blank: none
    yet), as the service makes the latest recorded one current."""
    latest = Assessment.objects.filter(recommendation=OuterRef("pk"), created_at__lt=end_of_day(day))
    return Coalesce(
        Subquery(latest.order_by("-created_at", "-id").values("rating")[:1]), Value(""), output_field=CharField()
    )


def _rebuilt_on(entries: QuerySet[Any], day: date, from_field: str, to_field: str, now: F) -> Coalesce:
    """A value at the end of ``day`` rebuilt from a timeline of ``entries`` (from → to): the last entry's ``to_field``
    by then; failing that, the first entry's ``from_field`` (its ``to_field`` when it starts from nothing); failing
    that (no entry), the value ``now``."""
    last = entries.filter(created_at__lt=end_of_day(day)).order_by("-created_at", "-id").values(to_field)[:1]
    initial = Case(When(**{from_field: ""}, then=F(to_field)), default=F(from_field), output_field=CharField())
    first = entries.order_by("created_at", "id").annotate(initial=initial).values("initial")[:1]
    return Coalesce(Subquery(last), Subquery(first), now, output_field=CharField())


def span_status_on_expression(day: date, *, recommendation: str = "pk") -> Subquery:
    """A recommendation's status at the end of ``day`` from its kept status spans (null: it did not exist yet): that
    of its last span begun by then, one step back along an index (its spans follow each other without a gap). What
    ``status_on_expression`` rebuilds, while the spans are kept (``REPORT_TALLIES``)."""
    spans = StatusSpan.objects.filter(recommendation=OuterRef(recommendation), start__lte=day)
    return Subquery(spans.order_by("-start").values("status")[:1])


def existing_on(queryset: QuerySet[Recommendation], day: date) -> QuerySet[Recommendation]:
    """The recommendations of ``queryset`` that existed at the end of ``day``, annotated with ``status_on``: their
    status then (from the kept spans, else rebuilt from the timeline: ``status_on_expression``)."""
    status_then = span_status_on_expression(day) if settings.REPORT_TALLIES else status_on_expression(day)
    return queryset.filter(created_at__lt=end_of_day(day)).annotate(status_on=status_then)


def with_status_on(queryset: QuerySet[Recommendation], day: date, statuses: Sequence[str]) -> QuerySet[Recommendation]:
    """The recommendations of ``queryset`` (``existing_on`` that day) whose status at the end of ``day`` is one of
    ``statuses``: while the spans are kept, those of the spans running then at those statuses (an index range, where
    checking ``status_on`` looked every recommendation's status up)."""
    if not settings.REPORT_TALLIES:
        return queryset.filter(Q(status_on__in=statuses))
    running = StatusSpan.objects.running_on(day).filter(status__in=statuses)
    return queryset.filter(pk__in=running.values("recommendation_id"))


#: The columns a recommendation's similarity text is made of.
SIMILARITY_COLUMNS = ("title_en", "title_ja", "description_en", "description_ja", "source_excerpt")
#: Cache key of the similarity index, by the change feed's latest sequence number (any write makes a new one).
_INDEX_CACHE_KEY = "recommendations:similarity:{seq}:{state}"
#: How long an index stays cached (seconds): a write makes a new key anyway.
_INDEX_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class SimilarRecommendation:
    """A tracked recommendation like a given text, and how alike they are (cosine, 0–1)."""

    recommendation: Recommendation
    score: float

    @property
    def percent(self) -> int:
        """The similarity as a whole percentage, for people."""
        return round(self.score * 100)


@dataclass(frozen=True)
class DuplicatePair:
    """Two recommendations from different sources that read alike."""

    first: Recommendation
    second: Recommendation
    score: float

    @property
    def percent(self) -> int:
        """The similarity as a whole percentage, for people."""
        return round(self.score * 100)


def similarity_index() -> tuple[Index, dict[int, int]]:
    """The TF-IDF index of every recommendation (by pk) and each one's source, built once per state of the data.

    Two queries when cached (the feed's latest ``seq``, and the recommendations' count and latest change, which
    also tell apart databases whose feeds stand at the same ``seq``), three when built."""
    latest = latest_seq()
    state = Recommendation.objects.aggregate(count=Count("pk"), top=Max("pk"), changed=Max("updated_at"))
    key = _INDEX_CACHE_KEY.format(seq=latest, state=hashlib.sha256(repr(sorted(state.items())).encode()).hexdigest())
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    rows = Recommendation.objects.values_list("pk", "source_id", *SIMILARITY_COLUMNS)
    texts = {row[0]: recommendation_text(row[2:]) for row in rows}
    sources = {row[0]: row[1] for row in rows}
    built = (build_index(texts), sources)
    cache.set(key, built, _INDEX_CACHE_SECONDS)
    return built


def similar_to_texts(texts: Sequence[str], *, limit: int = 3) -> list[list[SimilarRecommendation]]:
    """For each text, the tracked recommendations most like it, best first (a fixed number of queries)."""
    index, _sources = similarity_index()
    found = [index.most_similar(index.vector(text), limit=limit) for text in texts]
    wanted = {pk for ranked in found for pk, _score in ranked}
    by_pk = Recommendation.objects.select_related("source").in_bulk(wanted)
    return [
        [SimilarRecommendation(recommendation=by_pk[pk], score=score) for pk, score in ranked if pk in by_pk]
        for ranked in found
    ]


def similar_recommendations(*, recommendation: Recommendation, limit: int = 5) -> list[SimilarRecommendation]:
    """The recommendations most like this one, from any source, best first (itself left out)."""
    index, _sources = similarity_index()
    vector = index.vectors.get(recommendation.pk)
    if vector is None:
        return []
    ranked = index.most_similar(vector, limit=limit, exclude=[recommendation.pk])
    by_pk = Recommendation.objects.select_related("source").in_bulk([pk for pk, _score in ranked])
    return [SimilarRecommendation(recommendation=by_pk[pk], score=score) for pk, score in ranked if pk in by_pk]


#: Below this cosine, two recommendations of different sources are not listed as likely duplicates.
DUPLICATE_SIMILARITY = 0.3


def likely_duplicates(*, limit: int = 100, minimum: float = DUPLICATE_SIMILARITY) -> list[DuplicatePair]:
    """Pairs of recommendations from different sources that read alike, best first, unless already linked."""
    index, sources = similarity_index()
    pairs = similar_pairs(index, groups=sources, minimum=minimum, limit=limit * 2)
    linked = set(
        RecommendationLink.objects.filter(
            from_recommendation_id__in={pk for pair in pairs for pk in pair[:2]}
        ).values_list("from_recommendation_id", "to_recommendation_id")
    )
    pairs = [(a, b, s) for a, b, s in pairs if (a, b) not in linked and (b, a) not in linked][:limit]
    by_pk = Recommendation.objects.select_related("source").in_bulk({pk for pair in pairs for pk in pair[:2]})
    return [
        DuplicatePair(first=by_pk[a], second=by_pk[b], score=score)
        for a, b, score in pairs
        if a in by_pk and b in by_pk
    ]
