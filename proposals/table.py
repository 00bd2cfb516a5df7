"""Candidates as an import table: the columns of ``transfer.importing.COLUMNS``, so that they are previewed,
confirmed and applied exactly like a spreadsheet (``import_plan`` → ``ImportRun`` → ``recommendations_import``), or
downloaded, edited and imported through the normal import."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from core.spreadsheets import table_write
from recommendations.models import Recommendation, Source
from recommendations.selectors import SimilarRecommendation, similar_to_texts
from transfer.importing import COLUMNS, JSON_KEY

from .extraction import Document
from .proposer import Candidate, Matcher, propose

#: The columns a proposal fills (the others are left out, so the import keeps their defaults).
PROPOSAL_COLUMNS = (
    "reference",
    "title_en",
    "title_ja",
    "description_en",
    "description_ja",
    "source_excerpt",
    "section",
    "source",
    "partners",
    "themes",
)
assert set(PROPOSAL_COLUMNS) <= set(COLUMNS)  # the import's columns, by construction

_NUMBERED_REFERENCE = re.compile(r"^(?P<prefix>.+?)-(?P<number>\d+)$")


def reference_prefix(source: Source | None, slug: str) -> str:
    """The prefix of a source's references: the one its recommendations use ("TOK23"), else made from the slug's
    first word and a year in it ("tokuchi-2023-nss" → "TOK23")."""
    if source is not None:
        for reference in (
            Recommendation.objects.filter(source=source).order_by("-pk").values_list("reference", flat=True)[:1]
        ):
            match = _NUMBERED_REFERENCE.match(reference)
            if match:
                return match.group("prefix")
    words = [word for word in slugify(slug).split("-") if word]
    letters = next((word for word in words if not word.isdigit()), "src")[:3].upper()
    year = next((word[-2:] for word in words if word.isdigit() and len(word) == 4), "")
    return f"{letters}{year}" or "SRC"


def assign_references(candidates: Sequence[Candidate], *, prefix: str) -> None:
    """Number the candidates after the highest reference already taken with that prefix (PREFIX-01, -02, ...)."""
    taken = 0
    for reference in Recommendation.objects.filter(reference__startswith=f"{prefix}-").values_list(
        "reference", flat=True
    ):
        match = _NUMBERED_REFERENCE.match(reference)
        if match and match.group("prefix") == prefix:
            taken = max(taken, int(match.group("number")))
    for offset, candidate in enumerate(candidates, start=1):
        candidate.reference = f"{prefix}-{taken + offset:02d}"


def candidate_row(candidate: Candidate, *, source: str, language: str) -> dict[str, Any]:
    """One candidate as an import row: the title and the excerpt (as description) in the document's language."""
    other = "en" if language == "ja" else "ja"
    return {
        "reference": candidate.reference,
        f"title_{language}": candidate.title,
        f"title_{other}": "",
        f"description_{language}": candidate.excerpt,
        f"description_{other}": "",
        "source_excerpt": candidate.excerpt,
        "section": candidate.section,
        "source": source,
        "partners": candidate.partner_slugs,
        "themes": candidate.theme_slugs,
    }


def proposal_file(rows: Sequence[dict[str, Any]], *, fmt: str) -> bytes:
    """Rows as a CSV or XLSX file the normal import reads back."""
    return table_write(
        headings=list(PROPOSAL_COLUMNS),
        rows=[[row.get(c, "") for c in PROPOSAL_COLUMNS] for row in rows],
        fmt=fmt,
        title="proposals",
        json_key=JSON_KEY,
    )


@dataclass
class Proposal:
    """A document's candidates, each with its import row and the tracked recommendations most like it."""

    document: Document
    source_name: str
    candidates: list[Candidate] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    overlaps: list[list[SimilarRecommendation]] = field(default_factory=list)

    @property
    def items(self) -> list[tuple[Candidate, dict[str, Any], list[SimilarRecommendation]]]:
        """Each candidate with its row and overlaps."""
        return list(zip(self.candidates, self.rows, self.overlaps, strict=True))


def document_proposal(*, document: Document, source: Source | None, source_name: str, overlaps: int = 3) -> Proposal:
    """Propose a document's recommendations for a source (an existing one, or a new one by name: the import creates
    it), numbered after the source's references, with the tracked recommendations each overlaps."""
    candidates = propose(document, Matcher.load())
    slug = source.slug if source is not None else slugify(source_name)
    assign_references(candidates, prefix=reference_prefix(source, slug or "source"))
    cell = source.slug if source is not None else source_name
    rows = [candidate_row(candidate, source=cell, language=document.language) for candidate in candidates]
    similar = similar_to_texts([candidate.excerpt for candidate in candidates], limit=overlaps) if candidates else []
    return Proposal(document=document, source_name=cell, candidates=candidates, rows=rows, overlaps=similar)
