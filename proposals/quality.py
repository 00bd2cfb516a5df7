"""How well the proposer finds a document's recommendations: recall and precision against an answer key.

A recommendation of the key is found when a candidate's excerpt overlaps its excerpt in the document's text; a
candidate is right when it overlaps any of the key's. ``bench/proposer.py`` prints both for the shipped commentary
(against the bundle's recommendations) and for a Japanese test report (against its own key);
``tests/proposals/test_quality.py`` holds them to the goals.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .extraction import Document, extract_document
from .proposer import propose

ROOT = Path(__file__).resolve().parents[1]
#: The documents measured, with where their answer keys are.
COMMENTARY = next(
    (
        path
        for path in (ROOT.parent / "shared" / "source" / "commentary.txt", Path("/work/shared/source/commentary.txt"))
        if path.exists()
    ),
    ROOT.parent / "shared" / "source" / "commentary.txt",
)
BUNDLE = ROOT / "fixtures" / "tokuchi-2023-nss-commentary.json"
JAPANESE_REPORT = ROOT / "tests" / "proposals" / "data" / "japanese_report.txt"
JAPANESE_KEY = ROOT / "tests" / "proposals" / "data" / "japanese_report.key.json"


@dataclass(frozen=True)
class Score:
    """Recall and precision of one document's candidates."""

    found: int
    expected: int
    right: int
    candidates: int
    missed: tuple[str, ...]

    @property
    def recall(self) -> float:
        """Share of the key's recommendations that a candidate overlaps."""
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        """Share of the candidates that overlap one of the key's recommendations."""
        return self.right / self.candidates if self.candidates else 0.0


def _span(text: str, excerpt: str) -> tuple[int, int] | None:
    """Where an excerpt is in the text (white space compared loosely), or None."""
    position = text.find(excerpt)
    if position >= 0:
        return position, position + len(excerpt)
    pattern = r"\s+".join(re.escape(word) for word in excerpt.split())
    match = re.search(pattern, text)
    return match.span() if match else None


def score(document: Document, key: Sequence[tuple[str, str]]) -> Score:
    """Recall and precision of the proposer on a document, against (label, excerpt) pairs."""
    candidates = propose(document)
    spans = {label: _span(document.text, excerpt) for label, excerpt in key}
    found: set[str] = set()
    right = 0
    for candidate in candidates:
        hits = {
            label for label, span in spans.items() if span and span[0] < candidate.end and candidate.start < span[1]
        }
        found |= hits
        right += bool(hits)
    missed = tuple(sorted(label for label in spans if label not in found))
    return Score(found=len(found), expected=len(spans), right=right, candidates=len(candidates), missed=missed)


def commentary_score(path: Path = COMMENTARY) -> Score:
    """The commentary against the shipped bundle's recommendations (their ``source_excerpt``)."""
    document = extract_document(content=path.read_bytes(), filename=path.name)
    bundle = json.loads(BUNDLE.read_text(encoding="utf-8"))
    return score(document, [(item["reference"], item["source_excerpt"]) for item in bundle["recommendations"]])


def japanese_score() -> Score:
    """The Japanese test report against its answer key."""
    document = extract_document(content=JAPANESE_REPORT.read_bytes(), filename=JAPANESE_REPORT.name)
    key = json.loads(JAPANESE_KEY.read_text(encoding="utf-8"))["recommendations"]
    return score(document, [(f"JA-{number:02d}", excerpt) for number, excerpt in enumerate(key, start=1)])
