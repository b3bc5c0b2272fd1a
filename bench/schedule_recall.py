"""Print the schedule reader's recall and wrong readings on the real-phrase table, by organization.

    python bench/schedule_recall.py

The table is tests/fixtures/schedule_phrases/phrases.tsv (real phrases with the reading expected
before the reader ran; held-out rows were not used for tuning). Scoring is tests/schedule_table.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from schedule_table import load, report  # noqa: E402


def main() -> None:
    """Print one table for the tuning rows, one for the held-out rows and one for all."""
    rows = load()
    print(report([r for r in rows if r.set == "train"], "tuning rows"))
    print()
    print(report([r for r in rows if r.set == "heldout"], "held-out rows (not used for tuning)"))
    print()
    print(report(rows, "all rows"))


if __name__ == "__main__":
    main()
