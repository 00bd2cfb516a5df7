"""Similar recommendations: TF-IDF over words and character n-grams, in either language, with bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.selectors import likely_duplicates, similar_recommendations, similar_to_texts
from recommendations.similarity import build_index, tokens
from tests.factories import RecommendationFactory, SourceFactory


def test_tokens_words_and_japanese_ngrams():
    assert tokens("The Coast Guard should act") == ["w:coast", "w:guard", "w:act"]
    assert tokens("日米同盟") == ["c:日米", "c:米同", "c:同盟", "c:日米同", "c:米同盟"]


def test_ranking_puts_the_closest_first():
    index = build_index(
        {1: "coast guard cooperation with the Philippines", 2: "cyber defence of Japan", 3: "coast guard training"}
    )
    ranked = index.most_similar(index.vector("expand coast guard cooperation"), limit=3)
    assert [key for key, _score in ranked][:2] == [1, 3]
    assert all(0 < score <= 1 for _key, score in ranked)


@pytest.mark.django_db
def test_similar_in_either_language_and_duplicates_across_sources():
    one, two = SourceFactory(), SourceFactory()
    alliance = RecommendationFactory(
        source=one,
        title_en="Update the Defense Guidelines",
        title_ja="防衛協力の指針を改定する",
        description_en="The guidelines should be updated.",
        description_ja="",
    )
    again = RecommendationFactory(
        source=two,
        title_en="Revise the Defense Guidelines",
        title_ja="",
        description_en="The Defense Guidelines should be revised and updated.",
        description_ja="",
    )
    RecommendationFactory(
        source=two, title_en="Cyber", title_ja="", description_en="Active cyber defence.", description_ja=""
    )
    assert [s.recommendation for s in similar_recommendations(recommendation=alliance)][0] == again
    [japanese] = similar_to_texts(["防衛協力の指針の改定が求められる。"])
    assert japanese[0].recommendation == alliance
    [pair] = likely_duplicates(minimum=0.2)
    assert {pair.first, pair.second} == {alliance, again}


@pytest.mark.django_db
def test_queries_are_bounded(make_recommendations):
    make_recommendations(5)
    with CaptureQueriesContext(connection) as five:
        similar_to_texts(["Japan should act", "another"])
    make_recommendations(20)
    with CaptureQueriesContext(connection) as more:
        similar_to_texts(["Japan should act", "another"])
    assert len(more) == len(five) <= 4
