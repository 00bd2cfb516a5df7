"""Proposing: sentences in both languages, recommending language, excerpts, titles, partners and themes."""

import pytest

from proposals.extraction import Document, extract_document
from proposals.proposer import Matcher, english_title, japanese_title, propose, recommends, split_sentences
from tests.factories import PartnerFactory, ThemeFactory


def test_english_sentences_keep_abbreviations_together():
    text = "The U.S. alliance should grow. Japan and the U.S. agreed (see p. 4). “Act now.” Then wait . . . and see."
    assert split_sentences(text) == [
        "The U.S. alliance should grow.",
        "Japan and the U.S. agreed (see p. 4).",
        "“Act now.”",
        "Then wait . . . and see.",
    ]


def test_japanese_sentences_end_with_closing_brackets():
    text = "政府は「対応すべきである。」と述べた。協力を強化すべきだ！本当か？（注記を参照する。）次の文"
    assert split_sentences(text) == [
        "政府は「対応すべきである。」",
        "と述べた。",
        "協力を強化すべきだ！",
        "本当か？",
        "（注記を参照する。）",
        "次の文",
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Japan should urgently revamp its military force.", True),
        ("The guidelines need to be reviewed.", True),
        ("It is critical to strengthen the alliance network.", True),
        ("Japan could be more involved in its promotion.", True),
        ("Cooperation on HA/DR is worth exploring.", True),
        ("The report calls for a new framework.", True),
        ("Should a contingency take place, the policy would cease to exist.", False),
        ("This article discusses how the alliance should proceed.", False),
        ("The NSS was released in December 2022.", False),
        ("日本は防衛力を強化すべきである。", True),
        ("政府は計画を見直す必要がある。", True),
        ("支援の効果を検証することが求められる。", True),
        ("指標を設けることが望まれる。", True),
        ("連絡体制を再構築しなければならない。", True),
        ("情報共有の必要性が指摘されてきた。", False),
        ("当局者は協力を拡大すべきだと述べた。", False),
        ("2024年には事案が増加した。", False),
    ],
)
def test_recommending_language(sentence, expected):
    assert recommends(sentence) is expected


def test_titles_are_short_imperatives_in_the_documents_language():
    assert english_title("Japan should urgently revamp its military force.") == "Urgently revamp its military force"
    assert english_title("In addition, the scope should be expanded.") == "The scope to be expanded"
    assert japanese_title("日本は防衛力を早急に強化すべきである。") == "日本は防衛力を早急に強化する"
    assert japanese_title("政府は計画を見直す必要がある。") == "政府は計画を見直す"
    assert len(english_title("Japan should " + "act and consider " * 20)) <= 120


def test_candidates_have_verbatim_excerpts_and_sections():
    text = (
        "Maritime security\n\nThe region matters. Japan should expand patrols. These must be regular.\n\nNothing else."
    )
    document = extract_document(content=text.encode(), filename="a.txt")
    [candidate] = propose(document)
    assert candidate.section == "Maritime security"
    assert candidate.excerpt == "Japan should expand patrols. These must be regular."
    assert document.text[candidate.start : candidate.end] == candidate.excerpt


@pytest.mark.django_db
def test_partners_by_alias_and_themes_by_keyword():
    korea = PartnerFactory(
        slug="south-korea",
        name_en="South Korea",
        name_ja="大韓民国",
        short_name_en="",
        short_name_ja="",
        aliases="ROK; Seoul\n韓国",
    )
    usa = PartnerFactory(slug="united-states", name_en="United States", name_ja="米国", aliases="アメリカ; U.S.")
    quad = PartnerFactory(slug="quad", name_en="Quad framework", name_ja="日米豪印", aliases="the Quad")
    cyber = ThemeFactory(
        slug="cyber", name_en="Cyber security", name_ja="サイバー", keywords="cyberattack; 能動的サイバー防御"
    )
    matcher = Matcher.load()
    assert matcher.partners_in("Seoul and the Quad should act.") == [quad, korea]
    assert matcher.partners_in("rok is a word here; Seoulite is not Seoul") == [korea]  # the second Seoul
    assert matcher.partners_in("Rokkasho should") == []
    assert matcher.partners_in("アメリカと韓国は協力すべきである。") == [korea, usa]
    assert matcher.themes_in("A cyberattack should be deterred.") == [cyber]
    assert matcher.themes_in("能動的サイバー防御を導入すべきである。") == [cyber]
    document = Document.from_blocks([("The U.S. should counter every cyberattack.", False)])
    [candidate] = propose(document, matcher)
    assert candidate.partners == [usa] and candidate.themes == [cyber]
