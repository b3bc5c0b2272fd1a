"""Write many listings into the catalog at once: stage, compare in SQL, write per kind.

catalog.upsert() hands over its rows here. They go into a temporary table; one statement marks
each as new, changed, changed-but-same-text or unchanged by comparing it with the stored row
('' and NULL alike); then one statement per kind writes them. Unchanged listings only get their
last_seen date, and rewrites that keep name, organization and description do not touch the
full-text index. One statement per kind matters: FTS5 flushes its pending terms after every
statement, so a statement per row costs several times more (see bench/README.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from peerfind.catalog import COLUMNS, CONTENT_COLUMNS, row_values
from peerfind.models import Group, Schedule

TEXT_COLUMNS = ("name", "organization", "description")  # what the FTS index holds
CHUNK = 20_000  # rows staged and written per round in large batches
BULK_CACHE_KIB = 65_536  # page cache while bulk-writing: index pages stay in memory
FTS_HASHSIZE = 16 * 1024 * 1024  # bytes of pending full-text terms FTS5 holds before writing
_KEEP = ("id", "first_seen")  # never rewritten when a listing is updated
_STAGE = "peerfind_upsert"  # a temporary table (per connection)
_NEW, _REWRITE, _KEEP_TEXT, _SEEN = 0, 1, 2, 3  # new; changed; changed but same text; unchanged
_UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33, 0)  # UPDATE ... FROM


def _kind_sql(staged: str) -> str:
    """Return SQL giving a staged row's kind, comparing it with the stored row `g` ('' and NULL
    alike, as the old per-row comparison did)."""

    def same(columns: tuple[str, ...]) -> str:
        return " AND ".join(f"nullif(g.{c}, '') IS nullif({staged}.{c}, '')" for c in columns)

    identical = " AND ".join(f"g.{c} IS {staged}.{c}" for c in CONTENT_COLUMNS)  # cheap, usual
    return (
        f"CASE WHEN ({identical}) OR ({same(CONTENT_COLUMNS)}) THEN {_SEEN} "
        f"WHEN {same(TEXT_COLUMNS)} THEN {_KEEP_TEXT} ELSE {_REWRITE} END"
    )


if _UPDATE_FROM:
    _CLASSIFY = (
        f"UPDATE temp.{_STAGE} AS s SET kind = {_kind_sql('s')} "
        "FROM main.groups AS g WHERE g.id = s.id"
    )
    _CONFIRM = (
        f"UPDATE main.groups AS g SET last_seen = s.last_seen FROM temp.{_STAGE} AS s "
        f"WHERE s.kind = {_SEEN} AND g.id = s.id"
    )
else:  # SQLite before 3.33: correlated subqueries
    _CLASSIFY = (
        f"UPDATE temp.{_STAGE} SET kind = (SELECT {_kind_sql(f'temp.{_STAGE}')} "
        f"FROM main.groups AS g WHERE g.id = temp.{_STAGE}.id) "
        f"WHERE EXISTS (SELECT 1 FROM main.groups AS g WHERE g.id = temp.{_STAGE}.id)"
    )
    _CONFIRM = (
        f"UPDATE main.groups SET last_seen = (SELECT s.last_seen FROM temp.{_STAGE} AS s "
        f"WHERE s.id = main.groups.id AND s.kind = {_SEEN}) "
        f"WHERE id IN (SELECT id FROM temp.{_STAGE} WHERE kind = {_SEEN})"
    )


def _write_sql(kind: int) -> str:
    """Return the statement writing every staged row of one kind into groups, in order."""
    skip = _KEEP + (TEXT_COLUMNS if kind == _KEEP_TEXT else ())
    sets = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c not in skip)
    cols = ", ".join(COLUMNS)
    return (
        f"INSERT INTO main.groups ({cols}) SELECT {cols} FROM temp.{_STAGE} WHERE kind = {kind} "
        f"ORDER BY seq ON CONFLICT(id) DO UPDATE SET {sets}"
    )


def write_groups(conn: sqlite3.Connection, groups: list[Group]) -> tuple[int, int, int]:
    """Write listings; return (added, updated, unchanged).

    Large batches go in chunks: while SQLite (which releases the GIL) compares and writes one
    chunk, a worker thread builds the rows of the next. A listing given twice is written as one
    batch, in order, so both copies are counted against the catalog as it stood before.
    """
    memo: dict[Schedule, tuple] = {}
    ids = [group.id for group in groups]
    if len(groups) <= CHUNK or len(set(ids)) != len(ids):
        rows = _rows(groups, memo)
        return stage_and_write(conn, rows) if rows else (0, 0, 0)
    from concurrent.futures import Future, ThreadPoolExecutor

    chunks = [groups[i : i + CHUNK] for i in range(0, len(groups), CHUNK)]
    totals = [0, 0, 0]
    rows = _rows(chunks[0], memo)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="peerfind-rows") as pool:
        for i in range(len(chunks)):
            following: list[Future[list[tuple[object, ...]]]] = []

            def start_next(i: int = i, following: list = following) -> None:
                if i + 1 < len(chunks):  # staged: build the next rows while SQLite writes
                    following.append(pool.submit(_rows, chunks[i + 1], memo))

            for k, count in enumerate(stage_and_write(conn, rows, start_next)):
                totals[k] += count
            rows = following[0].result() if following else []
    return totals[0], totals[1], totals[2]


def _rows(groups: list[Group], memo: dict[Schedule, tuple]) -> list[tuple[object, ...]]:
    """Return the catalog rows of some listings."""
    return [row_values(group, memo) for group in groups]


def stage_and_write(
    conn: sqlite3.Connection,
    rows: list[tuple[object, ...]],
    staged: Callable[[], None] | None = None,
) -> tuple[int, int, int]:
    """Write catalog rows (tuples in COLUMNS order); return (added, updated, unchanged).

    `staged` is called once the rows are in the staging table, before the SQL-only work.
    """
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    if 0 > cache > -BULK_CACHE_KIB or 0 < cache < BULK_CACHE_KIB // 4:
        conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        _tune_fts(conn)
        cols = ", ".join(COLUMNS)
        conn.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (seq INTEGER PRIMARY KEY, kind INTEGER, "
            f"{cols})"
        )
        conn.execute(f"DELETE FROM temp.{_STAGE}")
        conn.executemany(
            f"INSERT INTO temp.{_STAGE} (kind, {cols}) "
            f"VALUES ({_NEW}, {', '.join('?' for _ in COLUMNS)})",
            rows,
        )
        if staged is not None:
            staged()
        conn.execute(_CLASSIFY)
        kinds = dict(conn.execute(f"SELECT kind, count(*) FROM temp.{_STAGE} GROUP BY kind"))
        counts = (
            kinds.get(_NEW, 0),
            kinds.get(_REWRITE, 0) + kinds.get(_KEEP_TEXT, 0),
            kinds.get(_SEEN, 0),
        )
        if len({row[0] for row in rows}) != len(rows):  # a listing given twice: all in order
            conn.execute(f"UPDATE temp.{_STAGE} SET kind = {_NEW}")
            kinds = {_NEW: len(rows)}
        if kinds.get(_SEEN):
            conn.execute(_CONFIRM)
        for kind in (_NEW, _REWRITE, _KEEP_TEXT):
            if kinds.get(kind):
                conn.execute(_write_sql(kind))
        conn.execute(f"DELETE FROM temp.{_STAGE}")
    finally:
        conn.execute(f"PRAGMA cache_size = {cache}")
    return counts


def _tune_fts(conn: sqlite3.Connection) -> None:
    """Let FTS5 buffer more terms in memory before writing a segment (fewer merges on bulk
    writes; the setting is stored in the catalog). Older SQLite without it: nothing changes."""
    try:
        row = conn.execute("SELECT v FROM groups_fts_config WHERE k = 'hashsize'").fetchone()
        if row is None or not isinstance(row[0], int) or row[0] < FTS_HASHSIZE:
            conn.execute(
                "INSERT INTO groups_fts (groups_fts, rank) VALUES ('hashsize', ?)", (FTS_HASHSIZE,)
            )
    except sqlite3.DatabaseError:
        pass
