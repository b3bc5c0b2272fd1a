"""Search the catalog: place + radius, filters, free text, ranking and next meetings.

Imported on the start-up path of `peerfind search`: stdlib and peerfind modules only.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import replace

from peerfind import vocab
from peerfind.catalog import db as catalog
from peerfind.errors import UsageError
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
from peerfind.search.text import TEXT_SQL_LIMIT
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
CELL_LIST_MAX = 400  # boxes spanning up to this many grid cells list them one by one


def _bbox_ranges(
    lat: float, lon: float, r: float
) -> tuple[list[tuple[int, int]], tuple[float, ...]]:
    """Return the grid-cell ranges and the (lat, lon) box that contain a circle of r miles."""
    dlat = r / 69.0
    edge = min(89.9, abs(lat) + dlat)
    dlon = min(180.0, r / (69.0 * math.cos(math.radians(edge))))
    lat_lo, lat_hi = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    ranges = []
    row_lo = int((lat_lo + 90) / catalog.CELL)
    row_hi = int((lat_hi + 90) / catalog.CELL)
    col_lo = math.floor((lon - dlon + 180) / catalog.CELL)
    col_hi = math.floor((lon + dlon + 180) / catalog.CELL)
    n = catalog.LON_CELLS
    if col_hi - col_lo + 1 >= n:
        spans = [(0, n - 1)]
    elif col_lo < 0:  # the box crosses the antimeridian: two longitude spans
        spans = [(col_lo + n, n - 1), (0, col_hi)]
    elif col_hi >= n:
        spans = [(col_lo, n - 1), (0, col_hi - n)]
    else:
        spans = [(col_lo, col_hi)]
    for row in range(row_lo, row_hi + 1):
        ranges += [(row * catalog.LON_CELLS + a, row * catalog.LON_CELLS + b) for a, b in spans]
    return ranges, (lat_lo, lat_hi, lon - dlon, lon + dlon)


def _near(
    conn: sqlite3.Connection,
    q: Query,
    radius: float,
    formats: list[str],
    where: list[str],
    args: list[object],
    text: _Text | None = None,
) -> list[tuple[float, int]]:
    """Return (distance, rowid) of matching listings within `radius` miles, nearest first.

    Free text is applied here when it has at most TEXT_SET_LIMIT matches; for a more common
    word _collect checks it for the candidates it actually reads.
    """
    assert q.lat is not None and q.lon is not None
    ranges, (la0, la1, lo0, lo1) = _bbox_ranges(q.lat, q.lon, radius)
    count = sum(b - a + 1 for a, b in ranges)
    if count <= CELL_LIST_MAX:  # each cell by equality: the index then seeks on latitude too
        cell_list: list[object] = [c for a, b in ranges for c in range(a, b + 1)]
        cells = f"cell IN ({','.join('?' * count)})"
    else:  # a wide box: whole runs of cells
        cell_list = [v for pair in ranges for v in pair]
        cells = " OR ".join("cell BETWEEN ? AND ?" for _ in ranges)
    lon_cond = "longitude BETWEEN ? AND ?" if lo0 >= -180 and lo1 <= 180 else "1"
    sql = (
        f"SELECT rowid, latitude, longitude FROM groups INDEXED BY groups_geo WHERE ({cells})"
        f" AND latitude BETWEEN ? AND ? AND {lon_cond}"
        f" AND format IN ({','.join('?' * len(formats))})" + "".join(f" AND {w}" for w in where)
    )
    params: list[object] = [*cell_list, la0, la1]
    params += [lo0, lo1] if lon_cond != "1" else []
    params += formats + args
    ids = None
    if text is not None and text.count <= TEXT_SQL_LIMIT:  # SQLite holds the few matches
        cond, more = text.condition()
        sql += f" AND {cond}"
        params += more
    elif text is not None:
        ids = text.ids
    hits = []
    for rowid, lat, lon in conn.execute(sql, params):
        if ids is not None and rowid not in ids:
            continue
        d = haversine_mi(q.lat, q.lon, lat, lon)
        if d <= radius:
            hits.append((d, rowid))
    hits.sort()
    return hits


def _sunk(r: Result) -> bool:
    """Return True when a result sinks below fresher ones (unconfirmed for over SINK_DAYS)."""
    return (r.age_days or 0) > SINK_DAYS


def _collect(
    conn: sqlite3.Connection,
    q: Query,
    hits: list[tuple[float, int]],
    want: int,
    text: _Text | None = None,
    memo: dict[int, Result | None] | None = None,
) -> tuple[list[Result], bool]:
    """Turn (distance, rowid) hits, nearest first, into Results, reading rows in small batches.

    Stops once `want` results that do not sink survive the time filters and duplicate merging:
    nothing further away can then rank above them. Returns the Results and whether that
    happened. `memo` keeps the Results already built (by rowid) across growing radii.
    """
    memo = {} if memo is None else memo
    out: list[Result] = []
    pos, size = 0, want + 5
    while pos < len(hits):
        batch = hits[pos : pos + size]
        pos, size = pos + len(batch), size * 2
        ids = [rid for _, rid in batch]
        keep = text.check(ids) if text is not None and text.ids is None else None
        todo = [rid for rid in ids if rid not in memo and (keep is None or rid in keep)]
        rows = read_rows(conn, todo) if todo else {}
        dist = {rid: d for d, rid in batch}
        for rid in todo:
            memo[rid] = result_of(rows[rid], q, dist[rid]) if rid in rows else None
        out += [r for rid in ids if (keep is None or rid in keep) and (r := memo.get(rid))]
        if sum(1 for r in dedup(out) if not _sunk(r)) >= want:
            return out, True
    return out, False


def search(conn: sqlite3.Connection, q: Query) -> Outcome:
    """Run a search and return ranked, de-duplicated results plus hints for an empty answer.

    It reads in one snapshot: a refresh committing meanwhile cannot mix two versions of a source.
    """
    if q.text and not fts_query(q.text):
        raise UsageError(f"no words to search for in {q.text!r}; use letters or digits.")
    if conn.in_transaction:
        return _search(conn, q)
    conn.execute("BEGIN")
    try:
        return _search(conn, q)
    finally:
        conn.rollback()


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
            hits = _near(conn, q, radius, place_fmts, where, args, text)
            if len(hits) >= need or radius == q.radius_mi:
                found, complete = _collect(conn, q, hits, want, text, memo)
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
        hits = _near(conn, q, radius, formats, where, args, text)
        if q.within is not None or q.dates:  # only what meets when the user asked counts
            found, _ = _collect(conn, q, hits, 1, text)
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
