"""The proposer meets its goals on fixed documents: recall ≥ 90 % with precision ≥ 60 % (a quality test, not timed)."""

import pytest

from proposals.quality import COMMENTARY, commentary_score, japanese_score


def test_japanese_report():
    score = japanese_score()
    assert score.expected == 12
    assert score.recall >= 0.9, score
    assert score.precision >= 0.6, score


@pytest.mark.skipif(not COMMENTARY.exists(), reason="the commentary's text is not beside the project (shared/)")
def test_commentary_against_the_bundle():
    score = commentary_score()
    assert score.expected == 32
    assert score.recall >= 0.9, score
    assert score.precision >= 0.6, score
