"""Data bundles: JSON files holding a source's themes, partners, source record and recommendations.

``fixtures/`` ships one bundle per source (the commentary first). Loading a bundle creates what is missing and never
changes what exists, so it can run on every deploy (``make setup``) without undoing the policy team's work.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from partners.models import Partner
from partners.services import partner_create
from recommendations.models import Recommendation, Source, Theme
from recommendations.services import recommendation_create, source_create, theme_create

BUNDLE_FORMAT = "policy-tracker-bundle/1"
#: How each kind of object a bundle holds is named in the summary.
KIND_LABELS = {
    "themes": pgettext_lazy("a kind of object a bundle holds", "themes"),
    "partners": pgettext_lazy("a kind of object a bundle holds", "partners"),
    "sources": pgettext_lazy("a kind of object a bundle holds", "sources"),
    "recommendations": pgettext_lazy("a kind of object a bundle holds", "recommendations"),
}
#: One line of the summary.
SUMMARY_LINE = gettext_lazy("%(kind)s: %(created)d created, %(existing)d already present")


@dataclass
class BundleResult:
    """How many objects of each kind a bundle load created, and how many it found already there."""

    created: dict[str, int] = field(
        default_factory=lambda: {"themes": 0, "partners": 0, "sources": 0, "recommendations": 0}
    )
    existing: dict[str, int] = field(
        default_factory=lambda: {"themes": 0, "partners": 0, "sources": 0, "recommendations": 0}
    )

    def summary(self) -> str:
        """One line per kind: created and already present."""
        return "\n".join(
            SUMMARY_LINE % {"kind": KIND_LABELS[kind], "created": self.created[kind], "existing": self.existing[kind]}
            for kind in self.created
        )


def bundle_read(path: Path) -> dict[str, Any]:
    """Read and check a bundle file's format marker."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise ValidationError(
            _('%(path)s: not a bundle (expected "format": "%(format)s").') % {"path": path, "format": BUNDLE_FORMAT}
        )
    return data


def _partners_in_dependency_order(partners: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order partners so that every partner comes after its members."""
    ordered, placed, pending = [], set(), list(partners)
    while pending:
        ready = [p for p in pending if all(m in placed or m not in {q["slug"] for q in pending} for m in p["members"])]
        if not ready:
            raise ValidationError(
                _("Partner membership is circular: %(partners)s") % {"partners": ", ".join(p["slug"] for p in pending)}
            )
        for partner in ready:
            ordered.append(partner)
            placed.add(partner["slug"])
            pending.remove(partner)
    return ordered


@transaction.atomic
def bundle_load(*, data: dict[str, Any], actor: User | None = None) -> BundleResult:
    """Create the bundle's themes, partners, sources and recommendations that do not exist yet, all or none."""
    result = BundleResult()

    for item in data.get("themes", []):
        if Theme.objects.filter(slug=item["slug"]).exists():
            result.existing["themes"] += 1
            continue
        theme_create(
            actor=actor,
            data={
                "uuid": uuid.UUID(item["id"]),
                "slug": item["slug"],
                "name": item["name"],
                "description": item.get("description", ""),
            },
        )
        result.created["themes"] += 1

    for item in _partners_in_dependency_order(data.get("partners", [])):
        if Partner.objects.filter(slug=item["slug"]).exists():
            result.existing["partners"] += 1
            continue
        members = [Partner.objects.get(slug=slug) for slug in item.get("members", [])]
        partner_create(
            actor=actor,
            data={
                "uuid": uuid.UUID(item["id"]),
                "slug": item["slug"],
                "name": item["name"],
                "short_name": item.get("short_name", ""),
                "kind": item["kind"],
                "description": item.get("description", ""),
            },
            members=members,
        )
        result.created["partners"] += 1

    for item in data.get("sources", []):
        if Source.objects.filter(slug=item["slug"]).exists():
            result.existing["sources"] += 1
            continue
        published = item.get("published_on")
        source_create(
            actor=actor,
            data={
                "uuid": uuid.UUID(item["id"]),
                "slug": item["slug"],
                "title": item["title"],
                "short_title": item.get("short_title", ""),
                "kind": item["kind"],
                "author": item.get("author", ""),
                "publisher": item.get("publisher", ""),
                "published_on": date.fromisoformat(published) if published else None,
                "url": item.get("url", ""),
                "description": item.get("description", ""),
            },
        )
        result.created["sources"] += 1

    for item in data.get("recommendations", []):
        rec_id = uuid.UUID(item["id"])
        if (
            Recommendation.objects.filter(uuid=rec_id).exists()
            or Recommendation.objects.filter(reference=item["reference"]).exists()
        ):
            result.existing["recommendations"] += 1
            continue
        target = item.get("target_date")
        recommendation_create(
            actor=actor,
            uuid=rec_id,
            source=Source.objects.get(slug=item["source"]),
            reference=item["reference"],
            title_en=item["title"],
            description_en=item["description"],
            source_excerpt=item.get("source_excerpt", ""),
            section=item.get("section", ""),
            partners=[(Partner.objects.get(slug=p["slug"]), p.get("role", "")) for p in item.get("partners", [])],
            themes=list(Theme.objects.filter(slug__in=item.get("themes", []))),
            status=item.get("status", "proposed"),
            priority=item.get("priority", "medium"),
            team=item.get("team", ""),
            target_date=date.fromisoformat(target) if target else None,
        )
        result.created["recommendations"] += 1
    return result
