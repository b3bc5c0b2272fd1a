"""Search the catalog: place + radius, filters, free text, ranking and next meetings.

Imported on the start-up path of `peerfind search`: stdlib and peerfind modules only.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from peerfind import vocab
from peerfind.errors import UsageError
from peerfind.search.near import collect, near, snapshot
from peerfind.search.query import (
    EARTH_MI,
    KM_PER_MI,
    MAX_RADIUS_MI,
    ONLINE_CAP,
    SINK_DAYS,
    STALE_DAYS,
    Outcome,
    Query,
    Result,
    age_days,
    dedup,
    filters,
    haversine_mi,
    meetings_of,
    parse_radius,
    place_formats,
    read_rows,
    remote_formats,
    result_of,
    schedule_zone_unknown,
    sort_key,
    time_ok,
    zone_unknown,
)
from peerfind.search.text import TextMatch as _Text
from peerfind.search.text import fts_query as fts_query  # re-exported

# The query and result names are defined in peerfind.search.query; callers may take them here.
__all__ = [
    "EARTH_MI",
    "KM_PER_MI",
    "MAX_RADIUS_MI",
    "ONLINE_CAP",
    "Outcome",
    "Query",
    "Result",
    "SINK_DAYS",
    "STALE_DAYS",
    "age_days",
    "dedup",
    "filters",
    "fts_query",
    "haversine_mi",
    "meetings_of",
    "parse_radius",
    "place_formats",
    "read_rows",
    "remote_formats",
    "result_of",
    "schedule_zone_unknown",
    "search",
    "sort_key",
    "time_ok",
    "zone_unknown",
]

_GROWTH = (1.0, 3.0, 9.0, 25.0, 75.0, 250.0)


def search(conn: sqlite3.Connection, q: Query) -> Outcome:
    """Run a search and return ranked, de-duplicated results plus hints for an empty answer.

    It reads in one snapshot: a refresh committing meanwhile cannot mix two versions of a source.
    """
    if q.text and not fts_query(q.text):
        raise UsageError(f"no words to search for in {q.text!r}; use letters or digits.")
    with snapshot(conn):
        return _search(conn, q)


def _search(conn: sqlite3.Connection, q: Query) -> Outcome:
    """Run a search inside the caller's read transaction."""
    want = max(1, q.limit)
    results: list[Result] = []
    outcome = Outcome(results=[])
    place_fmts = place_formats(q)
    text = _Text(conn, q.text) if q.text else None
    if q.lat is not None and q.lon is not None and place_fmts:
        where, args = filters(q, place_based=True)
        radii = [r for r in _GROWTH if r < q.radius_mi] + [q.radius_mi]
        need = want
        memo: dict[int, Result | None] = {}
        for radius in radii:
            hits = near(conn, q, radius, place_fmts, where, args, text)
            if len(hits) >= need or radius == q.radius_mi:
                found, complete = collect(conn, q, hits, want, text, memo)
                if complete or radius == q.radius_mi:
                    results = found
                    break
                need *= 4
        if not results:
            outcome.nearest_mi = _nearest(conn, q, place_fmts, where, args, text)
    remote = remote_formats(q)
    if remote or q.lat is None:
        from peerfind.search.online import remote_results

        fmts = remote or list(vocab.FORMATS)
        found, outcome.capped = remote_results(conn, q, fmts, want, text)
        results += found
    elif not results:
        outcome.online_matches = _count_remote(conn, q, text)
    results = dedup(results)
    results.sort(key=sort_key)
    outcome.results = results[:want]
    outcome.zoneless_left_out = len(q.zoneless)
    return outcome


HINT_COUNT_CAP = 500  # most online listings built to count them against time filters


def _count_remote(conn: sqlite3.Connection, q: Query, text: _Text | None = None) -> int:
    """Return how many online or phone listings match the filters (for the no-result hint),
    meeting when the user asked (--now, --within, --day, --time); at most HINT_COUNT_CAP of
    those are counted one by one."""
    if q.within is not None or q.dates or q.window:
        from peerfind.search.online import remote_results

        fmts = [vocab.ONLINE, vocab.HYBRID, vocab.PHONE]
        probe = replace(q, limit=HINT_COUNT_CAP)
        found, _ = remote_results(conn, probe, fmts, HINT_COUNT_CAP, text)
        return len(dedup(found))
    where, args = filters(q, place_based=False)
    if text is not None:
        cond, params = text.condition()
        where.append(cond)
        args += params
    # Tag and day filters are columns of the covering geo index: scanning it is several times
    # cheaper than reading every online row through groups_format.
    index = ""
    if (q.populations or q.topics or q.days) and not (q.languages or q.accessibility):
        index = "INDEXED BY groups_geo "
    sql = f"SELECT count(*) FROM groups {index}WHERE format IN (?, ?, ?) AND {' AND '.join(where)}"
    return conn.execute(sql, [vocab.ONLINE, vocab.HYBRID, vocab.PHONE] + args).fetchone()[0]


def _nearest(
    conn: sqlite3.Connection,
    q: Query,
    formats: list[str],
    where: list[str],
    args: list[object],
    text: _Text | None = None,
) -> float | None:
    """Return the distance to the nearest matching listing beyond the radius (up to 500 mi)."""
    for radius in (q.radius_mi * 3, 150.0, MAX_RADIUS_MI):
        if radius <= q.radius_mi or radius > MAX_RADIUS_MI:
            continue
        hits = near(conn, q, radius, formats, where, args, text)
        if q.within is not None or q.dates:  # only what meets when the user asked counts
            found, _ = collect(conn, q, hits, 1, text)
            if found:
                return min(r.distance_mi or 0.0 for r in found)
            continue
        if text is not None and text.ids is None:
            for i in range(0, len(hits), 200):
                chunk = hits[i : i + 200]
                keep = text.check([rid for _, rid in chunk])
                hits_kept = [h for h in chunk if h[1] in keep]
                if hits_kept:
                    return hits_kept[0][0]
            continue
        if hits:
            return hits[0][0]
    return None
