"""How alike two texts are, in either language: TF-IDF over words and character n-grams, compared by cosine.

Latin-script text is cut into lower-case words (short function words left out); Japanese and Chinese runs (kana and
kanji) into character 2- and 3-grams, since they have no spaces between words. A recommendation's text is its titles
and descriptions in both languages and its excerpt, so a Japanese passage finds a recommendation through its Japanese
columns and an English one through its English columns. Plain Python: no numerical library is needed at the sizes
the tracker holds (``make bench`` measures it at 1,000 recommendations).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: A Latin-script word (letters and digits, with inner hyphens or apostrophes).
_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
#: A run of Japanese or Chinese script: kanji, hiragana, katakana and the prolonged sound mark.
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30fc々〆ヶ]+")
#: English words too common to say anything about a text's subject.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "both",
        "but",
        "by",
        "can",
        "could",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "should",
        "that",
        "the",
        "their",
        "these",
        "this",
        "those",
        "to",
        "was",
        "were",
        "will",
        "with",
        "would",
        "not",
        "also",
        "more",
        "than",
        "such",
        "which",
    ]
)
#: Below this cosine, two texts are not called similar.
MIN_SIMILARITY = 0.12


def tokens(text: str) -> list[str]:
    """A text's terms: its Latin words and its Japanese character 2- and 3-grams (``w:`` and ``c:`` prefixed)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    terms = [f"w:{word}" for word in _WORD.findall(text) if word not in STOP_WORDS and len(word) > 1]
    for run in _CJK_RUN.findall(text):
        for size in (2, 3):
            terms.extend(f"c:{run[i : i + size]}" for i in range(len(run) - size + 1))
    return terms


Vector = dict[str, float]


@dataclass
class Index:
    """TF-IDF vectors of a collection of texts, each under its key, with the document frequencies they came from."""

    vectors: dict[int, Vector] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    #: For each term, the keys of the texts that have it (to compare one text with the few that share a term).
    postings: dict[str, list[int]] = field(default_factory=dict)

    def vector(self, text: str) -> Vector:
        """A new text's vector on this collection's weights (terms the collection never saw are left out)."""
        return _normalised(
            {
                term: (1 + math.log(count)) * self.idf[term]
                for term, count in Counter(tokens(text)).items()
                if term in self.idf
            }
        )

    def most_similar(
        self, vector: Mapping[str, float], *, limit: int, exclude: Iterable[int] = (), minimum: float = MIN_SIMILARITY
    ) -> list[tuple[int, float]]:
        """The keys of the texts most like ``vector``, best first, with their cosine (at least ``minimum``)."""
        scores: dict[int, float] = {}
        for term, weight in vector.items():
            for key in self.postings.get(term, ()):
                scores[key] = scores.get(key, 0.0) + weight * self.vectors[key][term]
        for key in exclude:
            scores.pop(key, None)
        ranked = sorted(
            ((score, key) for key, score in scores.items() if score >= minimum), key=lambda p: (-p[0], p[1])
        )
        return [(key, round(score, 4)) for score, key in ranked[:limit]]


def _normalised(weights: dict[str, float]) -> Vector:
    """The vector scaled to length 1 (an empty one stays empty)."""
    norm = math.sqrt(sum(value * value for value in weights.values()))
    return {term: value / norm for term, value in weights.items()} if norm else {}


def build_index(texts: Mapping[int, str]) -> Index:
    """The TF-IDF index of texts by key: sub-linear term frequency, smoothed inverse document frequency."""
    counted = {key: Counter(tokens(text)) for key, text in texts.items()}
    frequency: Counter[str] = Counter()
    for counts in counted.values():
        frequency.update(counts.keys())
    total = len(counted)
    idf = {term: math.log((1 + total) / (1 + df)) + 1 for term, df in frequency.items()}
    index = Index(idf=idf)
    for key, counts in counted.items():
        vector = _normalised({term: (1 + math.log(count)) * idf[term] for term, count in counts.items()})
        index.vectors[key] = vector
        for term in vector:
            index.postings.setdefault(term, []).append(key)
    return index


def similar_pairs(
    index: Index, *, groups: Mapping[int, object], minimum: float, limit: int, max_share: float = 0.2
) -> list[tuple[int, int, float]]:
    """Pairs of texts from different groups (sources) with a cosine of at least ``minimum``, best first.

    Terms that more than ``max_share`` of the texts have are left out of the comparison (they weigh little and
    would make every pair a candidate), so the cost grows with the pairs that share a distinctive term."""
    cutoff = max(2, int(len(index.vectors) * max_share))
    pairs: dict[tuple[int, int], float] = {}
    for term, keys in index.postings.items():
        if len(keys) < 2 or len(keys) > cutoff:
            continue
        for position, first in enumerate(keys):
            weight = index.vectors[first][term]
            for second in keys[position + 1 :]:
                if groups.get(first) == groups.get(second):
                    continue
                pair = (first, second) if first < second else (second, first)
                pairs[pair] = pairs.get(pair, 0.0) + weight * index.vectors[second][term]
    ranked = sorted(((score, pair) for pair, score in pairs.items() if score >= minimum), key=lambda p: (-p[0], p[1]))
    return [(first, second, round(score, 4)) for score, (first, second) in ranked[:limit]]


def recommendation_text(values: Sequence[str | None]) -> str:
    """One text from a recommendation's columns (titles, descriptions, excerpt), empty ones skipped."""
    return "\n".join(value for value in values if value)
