"""Listings without a distance (online, phone, or no place given), soonest next meeting first.

Called by search.search(). Every candidate is read with a few light columns only; a lower bound
on its next meeting, worked out once per distinct (weekdays, start, end, zone), orders them, and
full Results are built only for the best few, until the `want` best are certain. That keeps
`--format online` and free text without a place fast over hundreds of thousands of listings.
Standard library and peerfind modules only: this is on the search start-up path.
"""

from __future__ import annotations

import heapq
import json
import re
import sqlite3
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peerfind import evidence
from peerfind.models import Schedule
from peerfind.search import engine as s
from peerfind.search.text import TEXT_CAP, TEXT_SCAN_CAP

if TYPE_CHECKING:
    from peerfind.search.engine import Query, Result
    from peerfind.search.text import TextMatch

INF = float("inf")
_DAYS = [timedelta(days=n) for n in range(8)]
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")
# Light columns: `exact` carries the schedule JSON only where weekdays cannot bound the next
# meeting (no weekdays, or a monthly-by-date / dated schedule), `end` the end time if any.
_LIGHT = (
    "g.rowid, g.days, g.start_time, g.timezone, g.last_seen, g.last_verified, g.source_updated, "
    "CASE WHEN instr(g.schedule, '\"end\": \"') > 0 "
    "THEN substr(g.schedule, instr(g.schedule, '\"end\": \"') + 8, 5) END, "
    "CASE WHEN coalesce(g.days, '') = '' OR instr(g.schedule, '\"kind\": \"monthly_date\"') > 0 "
    "OR instr(g.schedule, '\"kind\": \"once\"') > 0 THEN g.schedule END"
)


def remote_results(
    conn: sqlite3.Connection, q: Query, formats: list[str], want: int, text: TextMatch | None
) -> tuple[list[Result], bool]:
    """Return the `want` best listings matched without distance (sink, then next meeting) and
    whether the candidates were capped (TEXT_CAP / TEXT_SCAN_CAP or ONLINE_CAP, or `want`
    when that is larger, as for an export)."""
    where, args = s._filters(q, place_based=False)
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
    bounds = _Bounds(q)
    heap = []
    for pos, row in enumerate(conn.execute(sql, params)):
        rowid, days, start, tz, seen, verified, edited, end, exact = row
        if pos == cap:
            capped = True
            break
        if bounds.horizon is not None and not tz and exact is None and start:
            q.zoneless.add(rowid)  # might meet now, in some zone: left out, and counted
            continue
        bound = bounds.exact(exact) if exact is not None else bounds.weekly(days, start, end, tz)
        if bounds.horizon is not None and bound > bounds.horizon:
            continue  # cannot meet within --within / --now
        heap.append((bounds.sink(seen, verified, edited), bound, pos, rowid))
    heapq.heapify(heap)
    return _best(conn, q, heap, want), capped


def _best(conn: sqlite3.Connection, q: Query, heap: list, want: int) -> list[Result]:
    """Build Results in lower-bound order until the `want` best are known."""
    results: list[Result] = []
    size = want + 5
    while heap:
        batch = [heapq.heappop(heap) for _ in range(min(size, len(heap)))]
        size *= 2
        rows = s._rows(conn, [c[3] for c in batch])
        for c in batch:
            if c[3] in rows and (r := s._result(rows[c[3]], q, None)) is not None:
                results.append(r)
        kept = s._dedup(sorted(results, key=s._sort_key))
        if len(kept) >= want and heap:
            sink, _, when = s._sort_key(kept[want - 1])
            if (sink, when) <= heap[0][:2]:
                break
    return results


class _Bounds:
    """Memoised per-query helpers: lower bounds on next meetings, and the sink flag."""

    def __init__(self, q: Query) -> None:
        """Remember the query's clock and zone."""
        self.q = q
        self.now = q.now
        self.horizon = None
        if q.now is not None and q.within is not None:
            self.horizon = (q.now + q.within).timestamp()
        self.now_ts = q.now.timestamp() if q.now is not None else INF
        self._weekly: dict[tuple, float] = {}
        self._slots: dict[tuple, float] = {}
        self._firsts: dict[tuple, date] = {}
        self._days: dict[str, list[int]] = {}
        self._clock: dict[str | None, int | None] = {}
        self._exact: dict[str, float] = {}
        self._sink: dict[tuple[str | None, ...], int] = {}
        self._zones: dict[str | None, ZoneInfo] = {}

    def sink(self, seen: str | None, verified: str | None = None, edited: str | None = None) -> int:
        """Return the rank tier of a listing from its dates (see search._sort_key)."""
        key = (seen, verified, edited if not seen else None)  # an edit date counts only alone
        if key not in self._sink:
            today = self.now.date() if self.now is not None else None
            self._sink[key] = evidence.tier_of(verified, seen, edited, today)
        return self._sink[key]

    def exact(self, schedule: str) -> float:
        """Return the next meeting (timestamp) of a schedule given as JSON, or INF."""
        if self.now is None:
            return INF
        if schedule not in self._exact:
            from peerfind.schedule.recurrence import next_occurrences

            try:
                sched = Schedule.from_dict(json.loads(schedule))
            except (ValueError, TypeError):
                self._exact[schedule] = -INF  # unreadable here: let the full read decide
                return -INF
            found = next_occurrences(sched, self.now, 1, default_tz=self.q.user_tz)
            self._exact[schedule] = found[0].timestamp() if found else INF
        return self._exact[schedule]

    def weekly(self, days: str | None, start: str | None, end: str | None, tz: str | None) -> float:
        """Return a lower bound on the next meeting of a listing meeting on `days` at `start`.

        Exact for a plain weekly schedule; monthly, every-N-weeks, `until` and skipped dates can
        only make the real next meeting later.
        """
        if self.now is None:
            return INF
        key = (days, start, end, tz)
        found = self._weekly.get(key)
        if found is None:
            found = self._weekly[key] = self._first_slot(days or "", start, end, tz)
        return found

    def _zone(self, name: str | None) -> ZoneInfo:
        """Return the zone of a listing (its own, else the user's, else UTC), memoised."""
        zone = self._zones.get(name)
        if zone is None:
            zone = _zone(name) or _zone(self.q.user_tz) or ZoneInfo("UTC")
            self._zones[name] = zone
        return zone

    def _first_slot(self, days: str, start: str | None, end: str | None, tz: str | None) -> float:
        """Return when the first weekly slot ending after now begins (as schedule.py counts)."""
        begin_min = self._minutes(start)
        if begin_min is None:
            return INF
        if end is None:
            length = 60  # schedule.DEFAULT_MINUTES when there is no end time
        elif (end_min := self._minutes(end)) is None:
            length = 1440  # unreadable here: assume the longest, which keeps the bound low
        else:
            length = (end_min - begin_min) % 1440 or 60
        zone = self._zone(tz)
        weekdays = self._days.get(days)
        if weekdays is None:
            weekdays = self._days[days] = [
                w for w in {int(d) for d in days.split("|") if d.isdigit()} if w <= 6
            ]
        return min((self._slot(w, begin_min, length, zone) for w in weekdays), default=INF)

    def _minutes(self, hhmm: str | None) -> int | None:
        """Return _minutes(hhmm), memoised."""
        if hhmm not in self._clock:
            self._clock[hhmm] = _minutes(hhmm)
        return self._clock[hhmm]

    def _slot(self, weekday: int, begin_min: int, length: int, zone: ZoneInfo) -> float:
        """Return the start (timestamp) of the first meeting on `weekday` ending after now."""
        key = (weekday, begin_min, length, zone)
        found = self._slots.get(key)
        if found is None:
            first = self._firsts.get((zone, length))
            if first is None:  # where schedule.next_occurrences starts looking
                assert self.now is not None
                local = self.now.astimezone(zone) - timedelta(minutes=length)
                first = self._firsts[(zone, length)] = local.date() - timedelta(days=1)
            day = first + _DAYS[(weekday - (first.weekday() + 1) % 7) % 7]
            hour, minute = divmod(begin_min, 60)
            found = INF
            for _ in range(3):  # this weekday's slot, or the next week's
                begin = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                stamp = begin.timestamp()
                if stamp + length * 60 > self.now_ts:
                    found = stamp
                    break
                day += _DAYS[7]
            self._slots[key] = found
        return found


def _zone(name: str | None) -> ZoneInfo | None:
    """Return the ZoneInfo for an IANA name, or None when empty or unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        return None


def _minutes(hhmm: str | None) -> int | None:
    """Return minutes since midnight for "HH:MM" (as schedule.py reads it), else None."""
    match = _HHMM.fullmatch(hhmm or "")
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return int(match[1]) * 60 + int(match[2])
