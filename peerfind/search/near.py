"""Which listings lie within a circle, and the Results they make: the radius machinery (and the
read snapshot) shared by search (engine) and the "Showing 20 of 102" count (total).

Imported on the start-up path of `peerfind search`: stdlib and peerfind modules only.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from peerfind.catalog import db as catalog
from peerfind.search.query import (
    SINK_DAYS,
    Query,
    Result,
    dedup,
    haversine_mi,
    read_rows,
    result_of,
)
from peerfind.search.text import TEXT_SQL_LIMIT, TextMatch

CELL_LIST_MAX = 400  # boxes spanning up to this many grid cells list them one by one


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Read in one snapshot: the caller's transaction if one is open, else a read transaction
    begun here and rolled back after (a refresh committing meanwhile cannot mix two versions
    of a source)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.rollback()


def bbox_ranges(
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


def cell_condition(ranges: list[tuple[int, int]]) -> tuple[str, list[object]]:
    """Return the SQL condition on `cell` that covers the grid-cell ranges, and its parameters."""
    count = sum(b - a + 1 for a, b in ranges)
    if count <= CELL_LIST_MAX:  # each cell by equality: the index then seeks on latitude too
        return f"cell IN ({','.join('?' * count)})", [c for a, b in ranges for c in range(a, b + 1)]
    # a wide box: whole runs of cells
    return " OR ".join("cell BETWEEN ? AND ?" for _ in ranges), [v for p in ranges for v in p]


def near(
    conn: sqlite3.Connection,
    q: Query,
    radius: float,
    formats: list[str],
    where: list[str],
    args: list[object],
    text: TextMatch | None = None,
) -> list[tuple[float, int]]:
    """Return (distance, rowid) of matching listings within `radius` miles, nearest first.

    Free text is applied here when it has at most TEXT_SET_LIMIT matches; for a more common
    word collect checks it for the candidates it actually reads.
    """
    assert q.lat is not None and q.lon is not None
    ranges, (la0, la1, lo0, lo1) = bbox_ranges(q.lat, q.lon, radius)
    cells, cell_list = cell_condition(ranges)
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


def collect(
    conn: sqlite3.Connection,
    q: Query,
    hits: list[tuple[float, int]],
    want: int,
    text: TextMatch | None = None,
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
