"""Recall and wrong readings of the schedule reader on real phrases, by kind of organization.

The table (tests/fixtures/schedule_phrases/phrases.tsv, see schedule_table.py) holds phrases copied
from organizations' pages with the reading expected before the reader ran; its held-out rows (split
by page, decided before tuning) were not used to tune the reader. Run with -s to see the tables;
bench/schedule_recall.py prints the same.
"""

from __future__ import annotations

import pytest
from schedule_table import Row, load, report, score, verdict

from peerfind.schedule.phrases import read_schedule

ROWS = load()
TRAIN = [r for r in ROWS if r.set == "train"]
HELDOUT = [r for r in ROWS if r.set == "heldout"]


def test_the_table_is_big_enough_and_split_by_page() -> None:
    assert len(ROWS) >= 150
    assert len({r.url for r in ROWS}) >= 60
    assert {r.set for r in ROWS} == {"train", "heldout"}
    assert not {r.url for r in TRAIN} & {r.url for r in HELDOUT}  # split by page
    assert 0.25 <= len(HELDOUT) / len(ROWS) <= 0.4
    kinds = {r.kind for r in ROWS}
    assert {
        "nami",
        "dbsa",
        "grief",
        "suicide_loss",
        "caregiver",
        "lgbtq",
        "veterans",
        "postpartum",
    } <= kinds


def test_recall_and_wrong_readings_by_kind_of_organization() -> None:
    print()
    print(report(TRAIN, "tuning rows"))
    print(report(HELDOUT, "held-out rows (not used for tuning)"))
    print(report(ROWS, "all rows"))
    every = score(ROWS)["all"]
    assert every["wrong"] == 0
    assert every["read"] / every["rules"] >= 0.90
    assert score(HELDOUT)["all"]["wrong"] == 0


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.set}:{r.phrase[:40]}" for r in ROWS])
def test_no_phrase_is_read_wrong(row: Row) -> None:
    got = read_schedule(row.phrase)
    assert verdict(row, got) != "wrong", (row.phrase, row.expected, got)
    assert got.problems() == []
