"""How many listings match in all, for "Showing 20 of 102" under a full result table.

Called only when a search filled its --limit. Exact (every match built, checked against the time
filters and merged across sources) up to EXACT_MAX candidates; beyond that, "more than EXACT_MAX"
after SQLite alone counted that many within the radius (or no number when free text or
--now/--within/--day could cut them down). Standard library and peerfind only.
"""

from __future__ import annotations

import math
import sqlite3

from peerfind import vocab
from peerfind.search import query as s
from peerfind.search.near import bbox_ranges, cell_condition, collect, near, snapshot
from peerfind.search.text import TextMatch

EXACT_MAX = 200
COUNT_CAP = EXACT_MAX  # SQLite counts no further: "more than 200" (more would cost time)


def total(conn: sqlite3.Connection, q: s.Query) -> tuple[int, bool]:
    """Return (how many listings match, True) or, when more match than are counted,
    (a number that many exceed, False); (0, False) when only "more" is known."""
    with snapshot(conn):
        return _total(conn, q)


def _total(conn: sqlite3.Connection, q: s.Query) -> tuple[int, bool]:
    """Count inside the caller's read transaction."""
    text = TextMatch(conn, q.text) if q.text else None
    results: list[s.Result] = []
    exact = True
    place_fmts = s.place_formats(q)
    if q.lat is not None and q.lon is not None and place_fmts:
        where, args = s.filters(q, place_based=True)
        approx = _circle_count(conn, q, place_fmts, where, args) if text is None else EXACT_MAX + 1
        if approx > EXACT_MAX:  # many: "more than EXACT_MAX" (unless time or text filters
            if text is not None or q.within is not None or q.dates:  # could cut them down)
                return 0, False  # say only that more match
            return EXACT_MAX, False
        else:
            hits = near(conn, q, q.radius_mi, place_fmts, where, args, text)
            found, _ = collect(conn, q, hits, len(hits) + 1, text)
            results += found
    remote = s.remote_formats(q)
    if remote or q.lat is None:
        from peerfind.search.online import remote_results

        fmts = remote or list(vocab.FORMATS)
        probe = s.Query(**{k: getattr(q, k) for k in _FIELDS})
        probe.limit = EXACT_MAX
        found, capped = remote_results(conn, probe, fmts, EXACT_MAX, text)
        results += found
        if capped or len(found) >= EXACT_MAX:
            exact = False
    if not exact:
        return EXACT_MAX, False
    return len(s.dedup(results)), True


def _circle_count(
    conn: sqlite3.Connection, q: s.Query, formats: list[str], where: list[str], args: list[object]
) -> int:
    """Return how many listings the filters match within the radius, counted inside SQLite on
    the covering index (flat-earth distance, which differs from the great circle by well under a
    percent at these radii)."""
    assert q.lat is not None and q.lon is not None
    ranges, (la0, la1, lo0, lo1) = bbox_ranges(q.lat, q.lon, q.radius_mi)
    cells, cell_list = cell_condition(ranges)
    east = 69.0 * math.cos(math.radians(q.lat))
    sql = (
        f"SELECT count(*) FROM (SELECT 1 FROM groups INDEXED BY groups_geo WHERE ({cells})"
        " AND latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?"
        f" AND format IN ({','.join('?' * len(formats))})"
        + "".join(f" AND {w}" for w in where)
        + " AND ((latitude - ?) * 69.0) * ((latitude - ?) * 69.0)"
        " + ((longitude - ?) * ?) * ((longitude - ?) * ?) <= ? LIMIT ?)"
    )
    params: list[object] = [*cell_list, la0, la1, lo0, lo1, *formats, *args]
    params += [q.lat, q.lat, q.lon, east, q.lon, east, q.radius_mi**2, COUNT_CAP + 1]
    return int(conn.execute(sql, params).fetchone()[0])


_FIELDS = tuple(f for f in s.Query.__dataclass_fields__ if s.Query.__dataclass_fields__[f].init)
