"""Background jobs of the recommendations app: checking the report's kept tallies against a full recount."""

from __future__ import annotations

import logging

from core.jobs import job

from .services.tallies import tallies_repair

logger = logging.getLogger(__name__)


@job(attempts=1)
def verify_report_tallies() -> int:
    """Compare the report's tallies with a full recount; on a difference, log it and rebuild them. Return how many
    tallies differed (0 when they were right)."""
    checked = tallies_repair()
    if checked.differences:
        logger.warning(
            "The report's tallies differed from a recount in %d places; rebuilt: %s",
            len(checked.differences),
            checked.differences[:20],
        )
    return len(checked.differences)
