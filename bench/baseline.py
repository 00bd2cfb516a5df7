"""The benchmark's baseline: the API list's rows and fields straight from ``.values()`` and orjson, nothing else.

It is what the list would cost with no framework in the way (no serializer fields, no model instances, no content
negotiation), so the API's latency can be put against it. It answers the same rows as ``/api/v1/recommendations/``
for the same filters (through the same filterset), ordered by id, with a plain ``after=<id>`` cursor. The benchmark
only; not mounted by the project's URLs.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from recommendations.choices import CLOSED_STATUSES, LINK_INVERSE_LABELS, LinkType, PartnerRole, Priority, Status
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation, RecommendationLink, RecommendationPartner

FIELDS = [
    "id",
    "uuid",
    "reference",
    "title",
    "description",
    "source_excerpt",
    "source__uuid",
    "source__slug",
    "source__title",
    "section",
    "status",
    "priority",
    "team",
    "target_date",
    "status_changed_at",
    "version",
    "created_at",
    "updated_at",
]
STATUS_LABELS = {value: str(label) for value, label in Status.choices}
PRIORITY_LABELS = {value: str(label) for value, label in Priority.choices}
ROLE_LABELS = {value: str(label) for value, label in PartnerRole.choices}


def _time(value: datetime, tz: ZoneInfo) -> str:
    """A timestamp as DRF writes it: in the current time zone, ISO 8601."""
    return value.astimezone(tz).isoformat()


def baseline_list(request: HttpRequest) -> HttpResponse:
    """One page of recommendations, the API list's representation, from four ``.values()`` queries."""
    params = request.GET.copy()
    after = int(params.pop("after", ["0"])[0] or 0)
    size = int(params.pop("page_size", ["50"])[0] or 50)
    filterset = RecommendationFilterSet(params, queryset=Recommendation.objects.all())
    if not filterset.is_valid():
        return HttpResponse(orjson.dumps(filterset.errors), status=400, content_type="application/json")
    rows = list(filterset.qs.filter(id__gt=after).order_by("id").values(*FIELDS)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    ids = [row["id"] for row in rows]

    partners: dict[int, list] = defaultdict(list)
    for link in (
        RecommendationPartner.objects.filter(recommendation__in=ids)
        .order_by("partner__name")
        .values_list("recommendation_id", "partner__uuid", "partner__slug", "partner__name", "role")
    ):
        rec, uuid, slug, name, role = link
        partners[rec].append(
            {"id": uuid, "slug": slug, "name": name, "role": role, "role_label": ROLE_LABELS.get(role, role)}
        )
    themes: dict[int, list] = defaultdict(list)
    for rec, uuid, slug, name in (
        Recommendation.themes.through.objects.filter(recommendation__in=ids)
        .order_by("theme__name")
        .values_list("recommendation_id", "theme__uuid", "theme__slug", "theme__name")
    ):
        themes[rec].append({"id": uuid, "slug": slug, "name": name})

    detail = request.build_absolute_uri(reverse("api:recommendation-detail", kwargs={"uuid": "0" * 32}))
    prefix = detail[: detail.index("0" * 32)]
    links: dict[int, list] = defaultdict(list)
    for link in RecommendationLink.objects.filter(from_recommendation__in=ids).values(
        "from_recommendation_id", "link_type", "note", "to_recommendation__uuid", "to_recommendation__reference"
    ):
        other = link["to_recommendation__uuid"]
        links[link["from_recommendation_id"]].append(
            {
                "link_type": link["link_type"],
                "direction": "outgoing",
                "label": str(LinkType(link["link_type"]).label),
                "note": link["note"],
                "recommendation": {"id": other, "reference": link["to_recommendation__reference"], "url": ""},
                "_url": f"{prefix}{other}/",
            }
        )
    for link in RecommendationLink.objects.filter(to_recommendation__in=ids).values(
        "to_recommendation_id", "link_type", "note", "from_recommendation__uuid", "from_recommendation__reference"
    ):
        other = link["from_recommendation__uuid"]
        links[link["to_recommendation_id"]].append(
            {
                "link_type": link["link_type"],
                "direction": "incoming",
                "label": str(LINK_INVERSE_LABELS[LinkType(link["link_type"])]),
                "note": link["note"],
                "recommendation": {"id": other, "reference": link["from_recommendation__reference"], "url": ""},
                "_url": f"{prefix}{other}/",
            }
        )
    for items in links.values():
        items.sort(key=lambda i: (i["direction"] != "outgoing", i["link_type"], i["recommendation"]["reference"]))
        for item in items:
            item["recommendation"]["url"] = item.pop("_url")

    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    results: list[dict[str, Any]] = []
    for row in rows:
        pk, status, priority, target = row["id"], row["status"], row["priority"], row["target_date"]
        results.append(
            {
                "id": row["uuid"],
                "url": f"{prefix}{row['uuid']}/",
                "reference": row["reference"],
                "title": row["title"],
                "description": row["description"],
                "source_excerpt": row["source_excerpt"],
                "source": {"id": row["source__uuid"], "slug": row["source__slug"], "title": row["source__title"]},
                "section": row["section"],
                "partners": partners.get(pk, []),
                "themes": themes.get(pk, []),
                "links": links.get(pk, []),
                "status": status,
                "status_label": STATUS_LABELS.get(status, status),
                "priority": priority,
                "priority_label": PRIORITY_LABELS.get(priority, priority),
                "team": row["team"],
                "target_date": target,
                "is_overdue": target is not None and status not in CLOSED_STATUSES and target < today,
                "status_changed_at": _time(row["status_changed_at"], tz),
                "version": row["version"],
                "created_at": _time(row["created_at"], tz),
                "updated_at": _time(row["updated_at"], tz),
            }
        )
    next_url = None
    if more:
        query = request.GET.copy()
        query["after"] = str(ids[-1])
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    body = {"results": results, "next": next_url, "previous": None}
    return HttpResponse(orjson.dumps(body), content_type="application/json")
