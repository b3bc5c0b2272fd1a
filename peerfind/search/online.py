"""Listings without a distance (online, phone, or no place given), soonest next meeting first.

Called by search.search(). Every candidate is read with a few light columns and its stored
schedule; its next meeting comes from the query's NextMeetings (once per distinct schedule) and,
with the listing's rank tier, orders them. Full Results are built only for the best few, until
the `want` best are certain. That keeps `--format online` and free text without a place fast
over hundreds of thousands of listings.
Standard library and peerfind modules only: this is on the search start-up path.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from typing import TYPE_CHECKING

from peerfind import evidence
from peerfind.models import Schedule
from peerfind.search import query as s
from peerfind.search.text import TEXT_CAP, TEXT_SCAN_CAP

if TYPE_CHECKING:
    from peerfind.schedule.recurrence import NextMeetings
    from peerfind.search.query import Query, Result
    from peerfind.search.text import TextMatch

INF = float("inf")
_LIGHT = (
    "g.rowid, g.start_time, g.timezone, g.last_seen, g.last_verified, g.source_updated, g.schedule"
)


def remote_results(
    conn: sqlite3.Connection, q: Query, formats: list[str], want: int, text: TextMatch | None
) -> tuple[list[Result], bool]:
    """Return the `want` best listings matched without distance (sink, then next meeting) and
    whether the candidates were capped (TEXT_CAP / TEXT_SCAN_CAP or ONLINE_CAP, or `want`
    when that is larger, as for an export)."""
    where, args = s.filters(q, place_based=False)
    where.append(f"format IN ({','.join('?' * len(formats))})")
    args += formats
    if text is not None:
        sql = (
            f"SELECT {_LIGHT} FROM (SELECT rowid AS r FROM groups_fts WHERE groups_fts MATCH ? "
            "ORDER BY rowid DESC LIMIT ?) AS m JOIN groups AS g ON g.rowid = m.r "
            f"WHERE {' AND '.join(where)} LIMIT ?"
        )
        scan, cap = max(TEXT_SCAN_CAP, want), max(TEXT_CAP, want)  # an export wants them all
        params: list[object] = [text.expr, scan, *args, cap + 1]
        capped = text.count > scan
    else:
        sql = f"SELECT {_LIGHT} FROM groups AS g WHERE {' AND '.join(where)} LIMIT ?"
        cap = max(s.ONLINE_CAP, want)
        params = [*args, cap + 1]
        capped = False
    meetings = s.meetings_of(q)
    horizon = None
    if q.now is not None and q.within is not None:
        horizon = (q.now + q.within).timestamp()
    today = q.now.date() if q.now is not None else None
    tiers: dict[tuple[str | None, ...], int] = {}
    heap = []
    for pos, row in enumerate(conn.execute(sql, params)):
        rowid, start, tz, seen, verified, edited, stored = row
        if pos == cap:
            capped = True
            break
        if horizon is not None and not tz and start and _zoneless(stored):
            q.zoneless.add(rowid)  # might meet now, in some zone: left out, and counted
            continue
        when = _when(meetings, stored)
        if horizon is not None and when > horizon:
            continue  # does not meet within --within / --now
        key = (seen, verified, edited if not seen else None)  # an edit date counts only alone
        tier = tiers.get(key)
        if tier is None:
            tier = tiers[key] = evidence.tier_of(verified, seen, edited, today)
        heap.append((tier, when, pos, rowid))
    heapq.heapify(heap)
    return _best(conn, q, heap, want), capped


def _best(conn: sqlite3.Connection, q: Query, heap: list, want: int) -> list[Result]:
    """Build Results in lower-bound order until the `want` best are known."""
    results: list[Result] = []
    size = want + 5
    while heap:
        batch = [heapq.heappop(heap) for _ in range(min(size, len(heap)))]
        size *= 2
        rows = s.read_rows(conn, [c[3] for c in batch])
        for c in batch:
            if c[3] in rows and (r := s.result_of(rows[c[3]], q, None)) is not None:
                results.append(r)
        kept = s.dedup(sorted(results, key=s.sort_key))
        if len(kept) >= want and heap:
            sink, _, when = s.sort_key(kept[want - 1])
            if (sink, when) <= heap[0][:2]:
                break
    return results


def _when(meetings: NextMeetings | None, stored: str | None) -> float:
    """Return the next meeting (timestamp) of a stored schedule: INF when none, -INF when the
    schedule cannot be read here (the full read of the row then decides)."""
    if meetings is None or not stored:
        return INF
    try:
        found = meetings.of_stored(stored)
    except ValueError:
        return -INF
    return found.timestamp() if found is not None else INF


def _zoneless(stored: str | None) -> bool:
    """Return True when a stored schedule meets at set times but names no zone."""
    try:
        return s.schedule_zone_unknown(Schedule.from_dict(json.loads(stored or "")))
    except (ValueError, TypeError, AttributeError):
        return False
