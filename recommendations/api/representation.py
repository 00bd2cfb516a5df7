"""The recommendation list's lean read path: a page's representation from a few ``.values()`` queries, no fields.

DRF builds a list by walking every field of every nested serializer of every row, and the prefetches behind it load
whole model instances (the other end of each link included). For a page of 100 that is most of the request's time.
Here a page of recommendations (with their source loaded) gets its partners, themes and links in one ``.values()``
query each, and each row is written straight as the dict ``RecommendationSerializer`` gives; a test holds the two
to the same output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, tzinfo
from typing import Any
from uuid import UUID

from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from rest_framework.reverse import reverse

from core.translation import column, pick

from ..choices import (
    CLOSED_STATUSES,
    LINK_INVERSE_LABELS,
    LinkType,
    PartnerRole,
    Priority,
    Rating,
    Response,
    Status,
    assessment_disagrees,
)
from ..models import Recommendation, RecommendationLink, RecommendationPartner

#: A UUID that stands for every recommendation's in its URL: the URL is reversed once per page, then filled in.
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    return {value: force_str(label) for value, label in choices}


def _datetime(value: datetime | None, tz: tzinfo) -> str | None:
    """A date-time as DRF's DateTimeField writes it: in the current time zone, ISO 8601, UTC as Z."""
    if not value:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _bilingual(field: str, value_ja: str | None, value_en: str | None) -> dict[str, str]:
    """A translated field as BilingualReadMixin writes it: the reader's language's value, then each language's."""
    values = {column(field, "ja"): value_ja or "", column(field, "en"): value_en or ""}
    return {field: pick(values, field)[0], **values}


def _own(instance: Any, field: str) -> dict[str, str]:
    """A loaded object's translated field as BilingualReadMixin writes it."""
    return _bilingual(field, getattr(instance, column(field, "ja")), getattr(instance, column(field, "en")))


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def recommendation_url_maker(context: Mapping[str, Any]) -> Callable[[UUID], str]:
    """A function from a recommendation's UUID to its detail URL, as HyperlinkedIdentityField would write it."""
    request = context.get("request")
    template = reverse(
        "api:recommendation-detail", kwargs={"uuid": _PLACEHOLDER}, request=request, format=context.get("format")
    )
    head, _, tail = template.partition(_PLACEHOLDER)
    return lambda uuid: f"{head}{uuid}{tail}"


def _partners(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The partners of the recommendations, with their roles, in the serializer's order (by partner name)."""
    roles = _labels(PartnerRole.choices)
    partners: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        RecommendationPartner.objects.filter(recommendation_id__in=ids)
        .order_by("recommendation", "partner__name")
        .values_list(
            "recommendation_id",
            "partner__uuid",
            "partner__slug",
            "partner__name_ja",
            "partner__name_en",
            "role",
            "status",
        )
    )
    statuses = _labels(Status.choices)
    for recommendation_id, uuid, slug, name_ja, name_en, role, status in rows:
        partners[recommendation_id].append(
            {"id": str(uuid), "slug": slug, **_bilingual("name", name_ja, name_en)}
            | {"role": role, "role_label": roles.get(role, role)}
            | {"status": status, "status_label": statuses.get(status, status)}
        )
    return partners


def _themes(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The themes of the recommendations, by name (the theme's ordering, as the prefetch has it)."""
    themes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        Recommendation.themes.through.objects.filter(recommendation_id__in=ids)
        .order_by("theme__name")
        .values_list("recommendation_id", "theme__uuid", "theme__slug", "theme__name_ja", "theme__name_en")
    )
    for recommendation_id, uuid, slug, name_ja, name_en in rows:
        themes[recommendation_id].append({"id": str(uuid), "slug": slug, **_bilingual("name", name_ja, name_en)})
    return themes


def _links(ids: list[int], url: Callable[[UUID], str]) -> dict[int, list[dict[str, Any]]]:
    """Both directions of the recommendations' links, in one query, sorted as RecommendationLinksField sorts them."""
    links: dict[int, list[dict[str, Any]]] = defaultdict(list)
    wanted = set(ids)
    rows = RecommendationLink.objects.filter(Q(from_recommendation_id__in=ids) | Q(to_recommendation_id__in=ids))
    for from_id, to_id, link_type, note, from_uuid, from_ref, to_uuid, to_ref in rows.order_by().values_list(
        "from_recommendation_id",
        "to_recommendation_id",
        "link_type",
        "note",
        "from_recommendation__uuid",
        "from_recommendation__reference",
        "to_recommendation__uuid",
        "to_recommendation__reference",
    ):
        kind = LinkType(link_type)
        if from_id in wanted:
            other = {"id": str(to_uuid), "reference": to_ref, "url": url(to_uuid)}
            links[from_id].append(
                {"link_type": link_type, "direction": "outgoing", "label": str(kind.label), "note": note}
                | {"recommendation": other}
            )
        if to_id in wanted:
            other = {"id": str(from_uuid), "reference": from_ref, "url": url(from_uuid)}
            links[to_id].append(
                {"link_type": link_type, "direction": "incoming", "label": str(LINK_INVERSE_LABELS[kind])}
                | {"note": note, "recommendation": other}
            )
    for items in links.values():
        items.sort(key=lambda i: (i["direction"] != "outgoing", i["link_type"], i["recommendation"]["reference"]))
    return links


def represent_recommendations(
    recommendations: Iterable[Recommendation], context: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The representations of a page of recommendations (source loaded), exactly as RecommendationSerializer's."""
    page = list(recommendations)
    ids = [recommendation.pk for recommendation in page]
    if not ids:
        return []
    url = recommendation_url_maker(context)
    partners, themes, links = _partners(ids), _themes(ids), _links(ids, url)
    statuses, priorities, responses = _labels(Status.choices), _labels(Priority.choices), _labels(Response.choices)
    ratings = _labels(Rating.choices)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    results = []
    for r in page:
        source = r.source
        target = r.target_date
        results.append(
            {
                "id": str(r.uuid),
                "url": url(r.uuid),
                "reference": r.reference,
                **_own(r, "title"),
                **_own(r, "description"),
                "source_excerpt": r.source_excerpt,
                "source": None
                if source is None
                else {"id": str(source.uuid), "slug": source.slug, **_own(source, "title")},
                "section": r.section,
                "partners": partners.get(r.pk, []),
                "themes": themes.get(r.pk, []),
                "links": links.get(r.pk, []),
                "status": r.status,
                "status_label": statuses.get(r.status, r.status),
                "response": r.response,
                "response_label": responses.get(r.response, r.response),
                "response_date": _date(r.response_date),
                "assessment": r.assessment,
                "assessment_label": ratings.get(r.assessment, r.assessment),
                "assessed_on": _date(r.assessed_on),
                "assessment_disagrees": assessment_disagrees(r.status, r.assessment),
                "priority": r.priority,
                "priority_label": priorities.get(r.priority, r.priority),
                "team": r.team,
                "lead": r.lead.username if r.lead else None,
                "agency": None
                if r.agency is None
                else {"id": str(r.agency.uuid), "slug": r.agency.slug, **_own(r.agency, "name")},
                "target_date": _date(target),
                "review_date": _date(r.review_date),
                "is_overdue": bool(target and r.status not in CLOSED_STATUSES and target < today),
                "status_changed_at": _datetime(r.status_changed_at, tz),
                "version": r.version,
                "created_at": _datetime(r.created_at, tz),
                "updated_at": _datetime(r.updated_at, tz),
            }
        )
    return results
