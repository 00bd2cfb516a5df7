"""Candidate recommendations in a document's text: the passages that recommend an action.

A sentence recommends when it uses directive or modal language (English: should, must, need(s) to, ought to, has to,
it is critical/essential/important to, calls for, recommends, urges, is worth exploring, Japan could …; Japanese:
べきである, 必要がある, 求められる, 望まれる, 期待される, なければならない, 不可欠である …) and is not a question, a
condition ("Should a crisis occur, …") or the document describing itself ("This article discusses how … should …").
Recommending sentences that follow one another in a paragraph make one candidate (at most three sentences); one
that begins by pointing back ("These changes should …") takes the sentence before it along. Each candidate carries
its excerpt (an exact substring of the document's text), its section heading, a short title in the document's
language, and the partners and themes its text names (by name, short name, alias or keyword).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from partners.models import Partner
from recommendations.models import Theme

from .extraction import Document

#: The longest proposed title.
TITLE_MAX = 120
#: The most sentences one candidate's excerpt holds.
MAX_SENTENCES = 3

# --- Sentences -------------------------------------------------------------------------------------------------

#: Words ending in a period that do not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "u.s",
        "u.k",
        "e.g",
        "i.e",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "no",
        "nos",
        "st",
        "vs",
        "etc",
        "al",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "ltd",
        "co",
        "corp",
        "gen",
        "col",
        "lt",
        "sen",
        "rep",
        "gov",
        "dept",
        "approx",
        "art",
        "para",
        "vol",
        "pp",
    ]
)
#: A possible end of an English sentence: the mark, closing quotes or brackets, then space.
_LATIN_END = re.compile(r"[.!?]['\"”’)\]]*(?=\s+)")
#: The end of a Japanese sentence: 。！？ (full- or half-width), with closing brackets that follow it.
_JAPANESE_END = re.compile(r"[。！？!?][」』）)】〕”’]*")


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the period at ``end`` closes an abbreviation ("U.S.", "e.g.", "Mr.") or a lone initial."""
    match = re.search(r"([A-Za-z.]+)\.$", text[: end + 1])
    if match is None:
        return False
    word = match.group(1).lower().strip(".")
    return word in _ABBREVIATIONS or len(word) == 1


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of a paragraph starts and ends, in English or Japanese (or both mixed)."""
    spans: list[tuple[int, int]] = []
    start = 0
    ends = sorted(
        {match.end() for match in _JAPANESE_END.finditer(text)}
        | {match.end() for match in _LATIN_END.finditer(text) if not _is_abbreviation(text, match.start())}
    )
    for end in ends:
        if end <= start:
            continue
        following = text[end:].lstrip()
        if following and text[end - 1] in '.!?"”’)]' and (following[0].islower() or following[0] == "."):
            continue  # "... the world . . . and expand": an ellipsis, not an end
        if text[start:end].strip():
            spans.append(_trimmed(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trimmed(text, start, len(text)))
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without the white space around it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[str]:
    """A paragraph's sentences."""
    return [text[start:end] for start, end in sentence_spans(text)]


# --- Recommending language -----------------------------------------------------------------------------------------

_ENGLISH_DIRECTIVES = re.compile(
    r"""\b(?:
        should | must | ought\ to | needs?\ to | need\ (?:not\ )?be | necessitates? | has\ to | have\ to
        | (?i:it)\ is\ (?:\w+\ )?(?:critical|essential|important|imperative|vital|necessary|natural|crucial
          |advisable|desirable)
          \ (?:for\ [^,.;]+?(?:,[^,.;]+?,)?\ )?to\b
        | (?:is|are)\ (?:also\ |particularly\ |especially\ )?important\b
        | of\ particular\ importance\ is
        | calls?\ for | recommends? | recommended | urges? | encourages?
        | (?:is|are)\ worth\ (?:\w+ing) | one\ possible\ idea | a\ possible\ (?:step|idea|option)
        | (?:Japan|Tokyo|both(?:\ countries)?|the\ two\ countries|they|we|[A-Z][\w.-]+\ and\ [A-Z][\w.-]+)\ could\b
        | (?:it|this)\ would\ be\ (?:wise|useful|desirable|advisable)
    )""",
    re.VERBOSE,
)
#: Sentences that describe the document itself, ask, or state a condition: never candidates.
_ENGLISH_NOT = re.compile(
    r"""^(?:Should|Must)\b | \?\s*$
    | \b(?i:this|the)\ (?:article|paper|report|commentary|chapter|section|study)\ (?:discusses|examines|describes
        |explores|outlines|considers|analy[sz]es)""",
    re.VERBOSE,
)
_JAPANESE_DIRECTIVES = re.compile(
    r"べき(?:である|だ|です|であろう|と考える|ではないか)?|必要(?:がある|である|です|があろう|不可欠)|求められ(?:る|ている)"
    r"|望まれ(?:る|ている)|期待され(?:る|ている)|(?:な|ね)ければならない|ねばならない|不可欠である|欠かせない"
    r"|肝要である|重要である|急務である|望ましい|提言する|提案する|強く求める|求めたい|検討すべき|図られたい"
)
#: Japanese sentences that only report what was done or said, or describe the document.
_JAPANESE_NOT = re.compile(
    r"本(?:報告書?|稿|章|節|論考)[はで](?:.{0,30})(?:概観|整理|述べ|紹介|論じ)|か[。？?]$|\?$|？$"
    r"|と(?:述べ|語っ|指摘し|主張し|発言し)た|との(?:意見|指摘|声|見方)"
)
#: Sentences that begin by pointing back at the one before.
_ANAPHORA = re.compile(r"^(?:This|These|Such|Those|That|It|They|Both)\b|^(?:この|これら|こうした|そのため|それら|同)")


def recommends(sentence: str) -> bool:
    """Whether a sentence recommends an action, in English or Japanese."""
    text = unicodedata.normalize("NFKC", sentence).strip()
    if _JAPANESE_DIRECTIVES.search(text):
        return not _JAPANESE_NOT.search(text)
    return bool(_ENGLISH_DIRECTIVES.search(text)) and not _ENGLISH_NOT.search(text)


# --- Partners and themes ---------------------------------------------------------------------------------------


def _is_japanese(term: str) -> bool:
    return bool(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", term))


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for a list of names: whole words for Latin ones (case-sensitive for all-capitals ones like
    "ROK", else not), substrings for Japanese ones (two characters at least)."""
    parts = []
    for term in sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True):
        term = unicodedata.normalize("NFKC", term)
        if _is_japanese(term):
            if len(term) >= 2:
                parts.append(re.escape(term))
        elif len(term) >= 2:
            escaped = re.escape(term)
            word = rf"(?<![\w-]){escaped}(?![\w-]|\.\w)" if term[-1].isalnum() else rf"(?<![\w-]){escaped}"
            parts.append(word if term.isupper() else f"(?i:{word})")
    return re.compile("|".join(parts)) if parts else None


@dataclass
class Matcher:
    """Finds partners and themes in a text by their names, short names, aliases and keywords."""

    partners: list[tuple[Partner, re.Pattern[str]]] = field(default_factory=list)
    themes: list[tuple[Theme, re.Pattern[str]]] = field(default_factory=list)

    @classmethod
    def load(cls) -> Matcher:
        """Every partner and theme (two queries)."""
        matcher = cls()
        for partner in Partner.objects.order_by("slug"):
            names = [partner.name_en, partner.name_ja, partner.short_name_en, partner.short_name_ja]
            pattern = term_pattern([n or "" for n in names] + partner.alias_list)
            if pattern is not None:
                matcher.partners.append((partner, pattern))
        for theme in Theme.objects.order_by("slug"):
            pattern = term_pattern([theme.name_en or "", theme.name_ja or "", *theme.keyword_list])
            if pattern is not None:
                matcher.themes.append((theme, pattern))
        return matcher

    def partners_in(self, text: str) -> list[Partner]:
        """The partners a text names."""
        text = unicodedata.normalize("NFKC", text)
        return [partner for partner, pattern in self.partners if pattern.search(text)]

    def themes_in(self, text: str) -> list[Theme]:
        """The themes a text is about."""
        text = unicodedata.normalize("NFKC", text)
        return [theme for theme, pattern in self.themes if pattern.search(text)]


# --- Titles ----------------------------------------------------------------------------------------------------

_LEADING_CONNECTIVES = re.compile(
    r"^(?:(?:In addition|Finally|Similarly|However|Moreover|Furthermore|At the same time|In this sense|Therefore|"
    r"Thus|Also|First|Second|Third|Meanwhile|Accordingly|In particular|That is why|But|And|So),?\s+)+",
    re.IGNORECASE,
)
#: A sentence that opens with an introductory clause ("Capitalizing on X, Y should ..."): its subject follows the
#: last comma.
_INTRODUCTORY = re.compile(
    r"^(?:Capitalizing|Capitalising|Given|Though|Although|While|As|In|With|Based|Building|Recognizing|To|For|After)\b"
)
_ENGLISH_MODAL = re.compile(
    r"\b(?:should|must|ought to|needs? to|has to|have to|will have to|could)\s+(?:also\s+)?",
    re.IGNORECASE,
)


def _shorten(text: str, limit: int = TITLE_MAX) -> str:
    """At most ``limit`` characters, cut at a clause or word boundary."""
    text = text.strip().rstrip(".。;；,、")
    if len(text) <= limit:
        return text
    cut = text[:limit]
    for mark in (", ", "、", "; ", " "):
        position = cut.rfind(mark)
        if position > limit // 2:
            return cut[:position].rstrip(" ,、")
    return cut


def english_title(sentence: str) -> str:
    """A short title from an English sentence: "Japan should urgently revamp X" → "Urgently revamp X"; passive
    "X should be updated" → "X to be updated"."""
    text = _LEADING_CONNECTIVES.sub("", sentence.strip())
    modal = _ENGLISH_MODAL.search(text)
    if modal is not None:
        rest = text[modal.end() :]
        if rest.startswith("be "):
            subject = text[: modal.start()].strip()
            clause = subject.rsplit(", ", 1)[-1]
            introduced = _INTRODUCTORY.match(subject) is not None
            pronoun = re.fullmatch(r"(?i)it|this|these|they|that|those", clause) is not None
            title = f"{clause if introduced and not pronoun else subject} to {rest}"
        else:
            title = rest
    else:
        title = re.sub(r"^(?:it is \w+(?: for [^,]+?)? to )", "", text, flags=re.IGNORECASE)
    title = title.strip()
    return _shorten(title[:1].upper() + title[1:])


_JAPANESE_ENDINGS = (
    (re.compile(r"(?:を|の)?(?:すべき|するべき)(?:である|だ|です)?[。．.]?$"), "する"),
    (re.compile(r"べき(?:である|だ|です)?[。．.]?$"), ""),
    (
        re.compile(
            r"(?:ことが|ことも)?(?:必要(?:がある|である|です)|求められる|求められている|望まれる|望ましい|期待される|"
            r"肝要である|重要である|不可欠である|急務である)[。．.]?$"
        ),
        "",
    ),
    (re.compile(r"しなければならない[。．.]?$"), "する"),
    (re.compile(r"(?:な|ね)ければならない[。．.]?$"), ""),
)


def japanese_title(sentence: str) -> str:
    """A short title from a Japanese sentence: its recommending ending turned into a plain verb ("強化すべきで
    ある" → "強化する"), the leading clause dropped when it is too long."""
    text = sentence.strip()
    for pattern, replacement in _JAPANESE_ENDINGS:
        if pattern.search(text):
            text = pattern.sub(replacement, text)
            break
    text = text.rstrip("。．.、")
    if len(text) > TITLE_MAX:
        clauses = text.split("、")
        while len(clauses) > 1 and len("、".join(clauses)) > TITLE_MAX:
            clauses.pop(0)
        text = "、".join(clauses)
    return _shorten(text)


def proposed_title(sentence: str, language: str) -> str:
    """A short title in the document's language from the sentence that recommends."""
    return japanese_title(sentence) if language == "ja" else english_title(sentence)


# --- Candidates ------------------------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A passage proposed as a recommendation."""

    excerpt: str
    section: str
    title: str
    start: int
    end: int
    partners: list[Partner] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    reference: str = ""

    @property
    def partner_slugs(self) -> str:
        """The partners as the import writes them."""
        return "; ".join(partner.slug for partner in self.partners)

    @property
    def theme_slugs(self) -> str:
        """The themes as the import writes them."""
        return "; ".join(theme.slug for theme in self.themes)


def _groups(flags: Sequence[bool], sentences: Sequence[str]) -> list[tuple[int, int, int]]:
    """Runs of recommending sentences, as (first, last, the one the title comes from) indices."""
    groups: list[tuple[int, int, int]] = []
    index = 0
    while index < len(flags):
        if not flags[index]:
            index += 1
            continue
        first = index
        last = index
        while last + 1 < len(flags) and flags[last + 1] and last + 1 - first < MAX_SENTENCES - 1:
            last += 1
        start = first
        if (
            first > 0
            and not flags[first - 1]
            and _ANAPHORA.match(sentences[first])
            and last - first < MAX_SENTENCES - 1
        ):
            start = first - 1
        groups.append((start, last, first))
        index = last + 1
    return groups


def propose(document: Document, matcher: Matcher | None = None) -> list[Candidate]:
    """The candidate recommendations of a document, in the order they appear."""
    candidates = []
    language = document.language
    section = ""
    for block in document.blocks:
        if block.heading:
            section = block.text
            continue
        spans = sentence_spans(block.text)
        sentences = [block.text[start:end] for start, end in spans]
        flags = [recommends(sentence) for sentence in sentences]
        for first, last, titled in _groups(flags, sentences):
            start, end = block.start + spans[first][0], block.start + spans[last][1]
            excerpt = document.text[start:end]
            candidate = Candidate(
                excerpt=excerpt,
                section=section,
                title=proposed_title(sentences[titled], language),
                start=start,
                end=end,
            )
            if matcher is not None:
                candidate.partners = matcher.partners_in(excerpt)
                candidate.themes = matcher.themes_in(excerpt)
            candidates.append(candidate)
    return candidates
