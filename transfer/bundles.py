"""Data bundles: JSON files holding a source's themes, partners, source record and recommendations.

``fixtures/`` ships one bundle per source (the commentary first). Loading a bundle creates what is missing and never
changes what users wrote, so it can run on every deploy (``make setup``) without undoing the policy team's work.

Format 2 (``policy-tracker-bundle/2``) gives each translated field in both languages, ``title_en`` and ``title_ja``;
format 1 gave one value (``title``), English. A recommendation may also give its ``response`` (default "no_response")
and ``response_date``, its responsible ``agency`` (the slug of a partner of kind agency) and its ``review_date``; the
commentary's bundle gives none of them, since the text names no response and no responsible ministry.

Loading a bundle into a database whose objects lack a language's value
(rows from before content was bilingual) fills in that language only where the object has no value in it, through
the same services as any edit (a version and a change-feed entry each).
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
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.translation import CANONICAL_LANGUAGE, column, columns, translated_fields
from partners.models import Partner
from partners.services import partner_create, partner_update
from recommendations.models import Recommendation, Source, Theme
from recommendations.services import (
    recommendation_create,
    recommendation_update,
    source_create,
    source_update,
    theme_create,
    theme_update,
)

BUNDLE_FORMAT = "policy-tracker-bundle/2"
#: Formats a bundle may have: the current one, and format 1 (one language, English, in the plain fields).
BUNDLE_FORMATS = (BUNDLE_FORMAT, "policy-tracker-bundle/1")
#: How each kind of object a bundle holds is named in the summary.
KIND_LABELS = {
    "themes": pgettext_lazy("a kind of object a bundle holds", "themes"),
    "partners": pgettext_lazy("a kind of object a bundle holds", "partners"),
    "sources": pgettext_lazy("a kind of object a bundle holds", "sources"),
    "recommendations": pgettext_lazy("a kind of object a bundle holds", "recommendations"),
}
#: One line of the summary.
SUMMARY_LINE = gettext_lazy(
    "%(kind)s: %(created)d created, %(completed)d completed with a missing language, %(existing)d already present"
)


@dataclass
class BundleResult:
    """How many objects of each kind a bundle load created, and how many it found already there."""

    created: dict[str, int] = field(
        default_factory=lambda: {"themes": 0, "partners": 0, "sources": 0, "recommendations": 0}
    )
    existing: dict[str, int] = field(
        default_factory=lambda: {"themes": 0, "partners": 0, "sources": 0, "recommendations": 0}
    )
    #: Of the existing ones, how many got a language's value they had none in.
    completed: dict[str, int] = field(
        default_factory=lambda: {"themes": 0, "partners": 0, "sources": 0, "recommendations": 0}
    )

    def summary(self) -> str:
        """One line per kind: created, completed and already present."""
        return "\n".join(
            SUMMARY_LINE
            % {
                "kind": KIND_LABELS[kind],
                "created": self.created[kind],
                "completed": self.completed[kind],
                "existing": self.existing[kind],
            }
            for kind in self.created
        )


def bundle_read(path: Path) -> dict[str, Any]:
    """Read and check a bundle file's format marker."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or data.get("format") not in BUNDLE_FORMATS:
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


def _languages(model: type[models.Model], item: dict[str, Any]) -> dict[str, str]:
    """An item's translated fields as language columns: ``title_en``/``title_ja`` as given (format 2), or the plain
    ``title`` as the English one (format 1). A value missing in a language is ""."""
    values: dict[str, str] = {}
    for name in translated_fields(model):
        if any(key in item for key in columns(name)):
            values.update({key: item.get(key) or "" for key in columns(name)})
        elif name in item:
            values[column(name, CANONICAL_LANGUAGE)] = item[name] or ""
    return values


def _missing_languages(instance: models.Model, values: dict[str, str]) -> dict[str, str]:
    """The bundle's values for the language columns the object has no value in (what users wrote stays)."""
    return {key: value for key, value in values.items() if value and not getattr(instance, key)}


@transaction.atomic
def bundle_load(*, data: dict[str, Any], actor: User | None = None) -> BundleResult:
    """Create the bundle's themes, partners, sources and recommendations that do not exist yet, and give the existing
    ones the languages they lack, all or none."""
    result = BundleResult()

    for item in data.get("themes", []):
        values = _languages(Theme, item)
        theme = Theme.objects.filter(slug=item["slug"]).first()
        if theme is not None:
            result.existing["themes"] += 1
            if missing := _missing_languages(theme, values):
                theme_update(theme=theme, actor=actor, data=missing)
                result.completed["themes"] += 1
            continue
        theme_create(
            actor=actor,
            data={"uuid": uuid.UUID(item["id"]), "slug": item["slug"], "keywords": item.get("keywords", ""), **values},
        )
        result.created["themes"] += 1

    for item in _partners_in_dependency_order(data.get("partners", [])):
        values = _languages(Partner, item)
        partner = Partner.objects.filter(slug=item["slug"]).first()
        if partner is not None:
            result.existing["partners"] += 1
            if missing := _missing_languages(partner, values):
                partner_update(partner=partner, actor=actor, data=missing)
                result.completed["partners"] += 1
            continue
        members = [Partner.objects.get(slug=slug) for slug in item.get("members", [])]
        partner_create(
            actor=actor,
            data={
                "uuid": uuid.UUID(item["id"]),
                "slug": item["slug"],
                "kind": item["kind"],
                "added_by_tracker": bool(item.get("added_by_tracker", False)),
                "aliases": item.get("aliases", ""),
                **values,
            },
            members=members,
        )
        result.created["partners"] += 1

    for item in data.get("sources", []):
        values = _languages(Source, item)
        source = Source.objects.filter(slug=item["slug"]).first()
        if source is not None:
            result.existing["sources"] += 1
            if missing := _missing_languages(source, values):
                source_update(source=source, actor=actor, data=missing)
                result.completed["sources"] += 1
            continue
        published = item.get("published_on")
        source_create(
            actor=actor,
            data={
                "uuid": uuid.UUID(item["id"]),
                "slug": item["slug"],
                "kind": item["kind"],
                "published_on": date.fromisoformat(published) if published else None,
                "url": item.get("url", ""),
                **values,
            },
        )
        result.created["sources"] += 1

    for item in data.get("recommendations", []):
        values = _languages(Recommendation, item)
        rec_id = uuid.UUID(item["id"])
        recommendation = (
            Recommendation.objects.filter(uuid=rec_id).first()
            or Recommendation.objects.filter(reference=item["reference"]).first()
        )
        if recommendation is not None:
            result.existing["recommendations"] += 1
            if missing := _missing_languages(recommendation, values):
                recommendation_update(recommendation=recommendation, actor=actor, data=missing)
                result.completed["recommendations"] += 1
            continue
        target, review, responded = item.get("target_date"), item.get("review_date"), item.get("response_date")
        agency = Partner.objects.get(slug=item["agency"]) if item.get("agency") else None
        recommendation_create(
            actor=actor,
            uuid=rec_id,
            source=Source.objects.get(slug=item["source"]),
            reference=item["reference"],
            title_en=values.get("title_en", ""),
            title_ja=values.get("title_ja", ""),
            description_en=values.get("description_en", ""),
            description_ja=values.get("description_ja", ""),
            source_excerpt=item.get("source_excerpt", ""),
            section=item.get("section", ""),
            partners=[(Partner.objects.get(slug=p["slug"]), p.get("role", "")) for p in item.get("partners", [])],
            themes=list(Theme.objects.filter(slug__in=item.get("themes", []))),
            status=item.get("status", "proposed"),
            priority=item.get("priority", "medium"),
            team=item.get("team", ""),
            target_date=date.fromisoformat(target) if target else None,
            review_date=date.fromisoformat(review) if review else None,
            response=item.get("response", "no_response"),
            response_date=date.fromisoformat(responded) if responded else None,
            agency=agency,
        )
        result.created["recommendations"] += 1
    return result
