"""Tell a gutted source from a real change: counts against the best recent run, and fields.

A feed can shrink step by step (halving each run drains it to nothing in ten runs while each
run loses "only" half) or keep its listings but lose their substance (slug and name only: no
address, coordinates or schedule). catalog.refresh_source asks `problem()` before writing; a
non-empty answer makes the run 'suspicious' and the previous listings stay.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from peerfind import vocab
from peerfind.models import Group

RECENT_RUNS = 10  # runs looked back at for the source's best count
MIN_RATIO = 0.5  # a run with fewer listings than this share of the best recent one is suspicious
FIELD_FLOOR = 0.2  # fields filled in less than this share before are not checked
FIELD_RATIO = 0.5  # a field now filled in under this share of its former rate is suspicious
SAMPLE = 2000  # listings of a run whose fields are counted (evenly spread)
FULL_RUNS = ("ok", "bundled")  # statuses of runs that wrote the source's whole listing set

# What a listing's substance is: (label, SQL test on a stored row); group_shares() applies the
# same tests to Group objects.
FIELDS = (
    ("address", "coalesce(address, '') != ''"),
    ("coordinates", "latitude IS NOT NULL"),
    (
        "schedule",
        "coalesce(days, '') != '' OR coalesce(schedule_text, '') != '' "
        "OR coalesce(start_time, '') != ''",
    ),
)


def best_recent(conn: sqlite3.Connection, source: str, runs: int = RECENT_RUNS) -> int:
    """Return the most listings one of the source's last `runs` full runs wrote (0: none)."""
    marks = ", ".join("?" * len(FULL_RUNS))
    row = conn.execute(
        f"SELECT max(n) FROM (SELECT coalesce(added, 0) + coalesce(updated, 0) "
        f"+ coalesce(unchanged, 0) AS n FROM runs WHERE source = ? AND status IN ({marks}) "
        "ORDER BY id DESC LIMIT ?)",
        (source, *FULL_RUNS, runs),
    ).fetchone()
    return int(row[0] or 0)


def field_shares(conn: sqlite3.Connection, source: str) -> tuple[int, dict[str, float]]:
    """Return the source's active listings and the share of them with each field filled."""
    tests = ", ".join(f"sum(CASE WHEN {sql} THEN 1 ELSE 0 END)" for _, sql in FIELDS)
    row = conn.execute(
        f"SELECT count(*), {tests} FROM groups WHERE source = ? AND status != ?",
        (source, vocab.REMOVED),
    ).fetchone()
    total = int(row[0] or 0)
    if not total:
        return 0, {}
    return total, {label: (row[i + 1] or 0) / total for i, (label, _) in enumerate(FIELDS)}


def group_shares(groups: Sequence[Group]) -> dict[str, float]:
    """Return the share of `groups` with each field filled."""
    if not groups:
        return {}
    address = coordinates = schedule = 0
    for g in groups:
        if g.address:
            address += 1
        if g.latitude is not None:
            coordinates += 1
        sched = g.schedule
        if sched.days or sched.text or sched.start:
            schedule += 1
    total = len(groups)
    return {
        "address": address / total,
        "coordinates": coordinates / total,
        "schedule": schedule / total,
    }


def problem(
    conn: sqlite3.Connection,
    source: str,
    groups: Sequence[Group],
    count: int,
    previous: int,
    min_ratio: float = MIN_RATIO,
) -> str:
    """Return why a run of `count` distinct listings looks gutted ('' when it does not).

    `previous` is the source's active listings now. Compared: the count against the previous
    one and against the best of the recent full runs, then each field's fill rate.
    """
    if previous and count < previous * min_ratio:
        return f"returned {count} listings, previously {previous}: kept the previous listings"
    best = best_recent(conn, source)
    if best and count < best * min_ratio:
        return (
            f"returned {count} listings, {best} in a recent run: kept the previous "
            "listings (a feed shrinking run after run)"
        )
    if not previous or not groups:
        return ""
    # Every n-th listing, at most SAMPLE of them: a drop from 20% to under 10% shows plainly.
    after = group_shares(groups[:: max(1, len(groups) // SAMPLE)])
    if all(share >= FIELD_RATIO for share in after.values()):
        return ""  # no field can have lost half its former rate: skip reading the catalog
    _, before = field_shares(conn, source)
    lost = [
        f"{label} in {after[label]:.0%} of listings, previously {share:.0%}"
        for label, share in before.items()
        if share >= FIELD_FLOOR and after.get(label, 0.0) < share * FIELD_RATIO
    ]
    if lost:
        return f"listings lost their {'; '.join(lost)}: kept the previous listings"
    return ""
