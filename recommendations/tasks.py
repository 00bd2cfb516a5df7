"""Background jobs of the recommendations app: checking the report's kept tallies against a full recount."""

from __future__ import annotations

import logging

from core.jobs import job

from . import tallies
from .services.tallies import tallies_rebuild

logger = logging.getLogger(__name__)


@job(attempts=1)
def verify_report_tallies() -> int:
    """Compare the report's tallies with a full recount; on a difference, log it and rebuild them. Return how many
    tallies differed (0 when they were right)."""
    expected, _marks = tallies.recount()
    found = tallies.differences(expected, tallies.kept())
    if found:
        logger.warning(
            "The report's tallies differed from a recount in %d places; rebuilt them: %s", len(found), found[:20]
        )
        tallies_rebuild()
    return len(found)
