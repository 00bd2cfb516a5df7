"""Fixtures of the recommendation tests beyond the shared ones in tests/conftest.py."""

import pytest

from recommendations.choices import Status
from recommendations.services import recommendation_change_status, recommendation_create


@pytest.fixture
def implemented(policy_user, source, partner, theme):
    """A second recommendation, already implemented (a closed status: reopening it needs a note)."""
    rec = recommendation_create(
        actor=policy_user,
        source=source,
        reference="TST-02",
        title="Hold a yearly dialogue",
        description="Hold a yearly maritime dialogue.",
        partners=[(partner, "")],
        themes=[theme],
    )
    recommendation_change_status(recommendation=rec, actor=policy_user, status=Status.IMPLEMENTED)
    rec.refresh_from_db()
    return rec
