"""Write many listings into the catalog at once: stage, compare in SQL, write per kind.

catalog.upsert() hands over its rows here. They go into a temporary table; one statement notes,
for each staged listing already in the catalog, whether it changed, changed but kept its text,
or is unchanged ('' and NULL alike), in a narrow second table; then one statement per kind
writes them. Unchanged listings only get their last_seen date, and rewrites that keep name,
organization and description do not touch the full-text index. One statement per kind matters:
FTS5 flushes its pending terms after every statement, so a statement per row costs several times
more. New listings are indexed in one statement after they are written, with the insert trigger
set aside meanwhile (see fts_for_new_rows). Timings and what each step saved: bench/README.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from peerfind.catalog.rows import COLUMNS, CONTENT_COLUMNS, RowMemo, row_values
from peerfind.catalog.schema import FTS_INSERT_TRIGGER, FTS_UPDATE_TRIGGER
from peerfind.models import Group

TEXT_COLUMNS = ("name", "organization", "description")  # what the FTS index holds
CHUNK = 20_000  # rows staged and written per round in large batches
FIRST_CHUNK = 5_000  # a smaller first round, so SQLite starts while the next rows are built
BULK_CACHE_KIB = 262_144  # page cache while bulk-writing: changed pages stay in memory
TEMP_CACHE_KIB = 65_536  # the same for the staging tables (else they spill to a temp file)
FTS_HASHSIZE = 16 * 1024 * 1024  # bytes of pending full-text terms FTS5 holds before writing
FTS_AUTOMERGE = 16  # segments per level before FTS5 merges them (its default 4 merges more)
_KEEP = ("id", "first_seen")  # never rewritten when a listing is updated
_STAGE = "peerfind_upsert"  # a temporary table (per connection): the rows
_KINDS = "peerfind_upsert_kind"  # another: kind and rowid of the staged rows already stored
_NEW, _REWRITE, _KEEP_TEXT, _SEEN = 0, 1, 2, 3  # new; changed; changed but same text; unchanged
_UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33, 0)  # UPDATE ... FROM
_COLS = ", ".join(COLUMNS)
_OWN_TRIGGERS = {  # as SQLite stores them, spaces folded
    "groups_ai": " ".join(FTS_INSERT_TRIGGER.replace(" IF NOT EXISTS", "").split()),
    "groups_au": " ".join(FTS_UPDATE_TRIGGER.replace(" IF NOT EXISTS", "").split()),
}


def _kind_sql() -> str:
    """Return SQL giving a staged row's kind, comparing it (`s`) with the stored row `g` ('' and
    NULL alike, as the old per-row comparison did)."""

    def same(columns: tuple[str, ...]) -> str:
        return " AND ".join(f"nullif(g.{c}, '') IS nullif(s.{c}, '')" for c in columns)

    identical = " AND ".join(f"g.{c} IS s.{c}" for c in CONTENT_COLUMNS)  # cheap, usual
    return (
        f"CASE WHEN ({identical}) OR ({same(CONTENT_COLUMNS)}) THEN {_SEEN} "
        f"WHEN {same(TEXT_COLUMNS)} THEN {_KEEP_TEXT} ELSE {_REWRITE} END"
    )


_CLASSIFY = (
    f"INSERT INTO temp.{_KINDS} (seq, kind, rid) SELECT s.seq, {_kind_sql()}, g.rowid "
    f"FROM temp.{_STAGE} AS s JOIN main.groups AS g ON g.id = s.id"
)
if _UPDATE_FROM:
    _CONFIRM = (
        f"UPDATE main.groups AS g SET last_seen = s.last_seen FROM temp.{_KINDS} AS k "
        f"JOIN temp.{_STAGE} AS s ON s.seq = k.seq WHERE k.kind = {_SEEN} AND g.rowid = k.rid"
    )
else:  # SQLite before 3.33: a correlated subquery
    _CONFIRM = (
        f"UPDATE main.groups SET last_seen = (SELECT s.last_seen FROM temp.{_KINDS} AS k "
        f"JOIN temp.{_STAGE} AS s ON s.seq = k.seq WHERE k.rid = main.groups.rowid) "
        f"WHERE rowid IN (SELECT rid FROM temp.{_KINDS} WHERE kind = {_SEEN})"
    )


def _write_sql(kind: int | None) -> str:
    """Return the statement writing staged rows into groups in order: the new ones (no kind
    noted), those of another `kind`, or all of them (None: a listing was given twice)."""
    skip = _KEEP + (TEXT_COLUMNS if kind == _KEEP_TEXT else ())
    sets = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c not in skip)
    picked = ", ".join(f"s.{c}" for c in COLUMNS)
    if kind is None:
        rows = f"temp.{_STAGE} AS s WHERE true"
    elif kind == _NEW:
        rows = f"temp.{_STAGE} AS s WHERE s.seq NOT IN (SELECT seq FROM temp.{_KINDS})"
    else:
        rows = f"temp.{_STAGE} AS s JOIN temp.{_KINDS} AS k USING (seq) WHERE k.kind = {kind}"
    return (
        f"INSERT INTO main.groups ({_COLS}) SELECT {picked} FROM {rows} ORDER BY s.seq "
        f"ON CONFLICT(id) DO UPDATE SET {sets}"
    )


def write_groups(
    conn: sqlite3.Connection, groups: list[Group], ids: list[str] | None = None
) -> tuple[int, int, int]:
    """Write listings (`ids`: their ids, when known); return (added, updated, unchanged).

    Large batches go in chunks: while SQLite (which releases the GIL) compares and writes one
    chunk, a worker thread builds the rows of the next. A listing given twice is written as one
    batch, in order, so both copies are counted against the catalog as it stood before.
    """
    if not groups:
        return 0, 0, 0
    ids = [group.id for group in groups] if ids is None else ids
    memo = RowMemo()
    with _bulk(conn):
        if len(groups) <= CHUNK or len(set(ids)) != len(ids):
            return stage_and_write(conn, _rows(groups, ids, memo))
        return _pipelined(conn, groups, ids, memo)


def _pipelined(
    conn: sqlite3.Connection, groups: list[Group], ids: list[str], memo: RowMemo
) -> tuple[int, int, int]:
    """Write distinct listings in chunks, building each chunk's rows while SQLite writes the
    previous one; return (added, updated, unchanged)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    starts = [0, *range(FIRST_CHUNK, len(groups), CHUNK)]
    bounds = list(zip(starts, [*starts[1:], len(groups)], strict=True))
    totals = [0, 0, 0]
    rows = _rows(groups[: bounds[0][1]], ids[: bounds[0][1]], memo)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="peerfind-rows") as pool:
        for i in range(len(bounds)):
            following: list[Future[list[tuple[object, ...]]]] = []

            def start_next(i: int = i, following: list = following) -> None:
                if i + 1 < len(bounds):  # staged: build the next rows while SQLite writes
                    a, b = bounds[i + 1]
                    following.append(pool.submit(_rows, groups[a:b], ids[a:b], memo))

            for k, count in enumerate(stage_and_write(conn, rows, start_next)):
                totals[k] += count
            rows = following[0].result() if following else []
    return totals[0], totals[1], totals[2]


def _rows(groups: list[Group], ids: list[str], memo: RowMemo) -> list[tuple[object, ...]]:
    """Return the catalog rows of some listings."""
    return [row_values(group, memo, ident) for group, ident in zip(groups, ids, strict=True)]


@contextmanager
def _bulk(conn: sqlite3.Connection) -> Iterator[None]:
    """Raise the page caches and tune FTS5 for a bulk write; empty the staging tables and
    restore the caches after.

    The connection's temporary storage stays in memory from then on (see _temp_in_memory): on
    disk, the staging tables' journal was the largest share of the write's file traffic.
    """
    _temp_in_memory(conn)
    _staging_tables(conn)  # opens the temporary database, so that its settings hold
    conn.execute("PRAGMA temp.journal_mode = MEMORY")  # kept; refused inside some transactions
    saved = {}
    for schema, kib in (("main", BULK_CACHE_KIB), ("temp", TEMP_CACHE_KIB)):
        saved[schema] = cache = conn.execute(f"PRAGMA {schema}.cache_size").fetchone()[0]
        if -kib < cache <= 0 or 0 < cache < kib // 4:  # negative: KiB; positive: pages
            conn.execute(f"PRAGMA {schema}.cache_size = -{kib}")
    try:
        _tune_fts(conn)
        yield
        conn.execute(f"DELETE FROM temp.{_STAGE}")  # each chunk empties them before it starts
        conn.execute(f"DELETE FROM temp.{_KINDS}")
    finally:
        for schema, cache in saved.items():
            conn.execute(f"PRAGMA {schema}.cache_size = {cache}")


def stage_and_write(
    conn: sqlite3.Connection,
    rows: list[tuple[object, ...]],
    staged: Callable[[], None] | None = None,
) -> tuple[int, int, int]:
    """Write catalog rows (tuples in COLUMNS order); return (added, updated, unchanged).

    `staged` is called once the rows are in the staging table, before the SQL-only work.
    """
    _staging_tables(conn)
    conn.execute(f"DELETE FROM temp.{_STAGE}")
    conn.execute(f"DELETE FROM temp.{_KINDS}")
    conn.executemany(
        f"INSERT INTO temp.{_STAGE} ({_COLS}) VALUES ({', '.join('?' for _ in COLUMNS)})", rows
    )
    if staged is not None:
        staged()
    conn.execute(_CLASSIFY)
    kinds = dict(conn.execute(f"SELECT kind, count(*) FROM temp.{_KINDS} GROUP BY kind"))
    added = len(rows) - sum(kinds.values())
    counts = (added, kinds.get(_REWRITE, 0) + kinds.get(_KEEP_TEXT, 0), kinds.get(_SEEN, 0))
    if len({row[0] for row in rows}) != len(rows):  # a listing given twice: all, in order
        conn.execute(_write_sql(None))
        return counts
    if kinds.get(_SEEN):
        conn.execute(_CONFIRM)
    if added:
        with fts_for_new_rows(conn):
            conn.execute(_write_sql(_NEW))
    if kinds.get(_REWRITE):
        with fts_for_rewrites(conn):
            conn.execute(_write_sql(_REWRITE))
    if kinds.get(_KEEP_TEXT):
        conn.execute(_write_sql(_KEEP_TEXT))
    return counts


def _temp_in_memory(conn: sqlite3.Connection) -> None:
    """Keep the connection's temporary tables and statement journals in memory (temp_store), when
    that can be switched: outside a transaction, not chosen otherwise, and with no temporary
    objects but the staging tables (switching deletes them)."""
    if conn.in_transaction or conn.execute("PRAGMA temp_store").fetchone()[0] != 0:
        return
    others = conn.execute(
        "SELECT count(*) FROM temp.sqlite_master WHERE name NOT IN (?, ?)", (_STAGE, _KINDS)
    ).fetchone()[0]
    if not others:
        with suppress(sqlite3.OperationalError):
            conn.execute("PRAGMA temp_store = MEMORY")


def _staging_tables(conn: sqlite3.Connection) -> None:
    """Create the temporary staging tables of this connection unless they exist."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (seq INTEGER PRIMARY KEY, {_COLS})")
    conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {_KINDS} "
        "(seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL, rid INTEGER NOT NULL)"
    )


@contextmanager
def fts_for_new_rows(conn: sqlite3.Connection) -> Iterator[None]:
    """Index the rows inserted inside this block in one FTS5 statement afterwards, instead of
    through the insert trigger row by row (cheaper: bench/README.md, "What made the difference").

    Only done when the trigger is peerfind's own (the same index entries result) and new rowids
    follow the largest one; otherwise the trigger does the work.
    """
    top = conn.execute("SELECT coalesce(max(rowid), 0) FROM main.groups").fetchone()[0]
    stored = _own_trigger(conn, "groups_ai") if top < 2**62 else None
    with _set_aside(conn, "groups_ai", stored):
        yield
        if stored is not None:
            conn.execute(
                "INSERT INTO main.groups_fts (rowid, name, organization, description) "
                "SELECT rowid, name, organization, description FROM main.groups WHERE rowid > ?",
                (top,),
            )


@contextmanager
def fts_for_rewrites(conn: sqlite3.Connection) -> Iterator[None]:
    """Re-index the staged rows of kind _REWRITE, rewritten inside this block, in two FTS5
    statements (their old text out before, their new text in after) instead of through the
    update trigger row by row. Only when the trigger is peerfind's own; otherwise it works.

    If the block fails, its statement has been undone, so the rows hold their old text again
    and its terms go back in (unless SQLite rolled the whole transaction back).
    """
    stored = _own_trigger(conn, "groups_au")
    if stored is None:
        yield
        return
    rows = (
        f"SELECT g.rowid, g.name, g.organization, g.description FROM temp.{_KINDS} AS k "
        f"JOIN main.groups AS g ON g.rowid = k.rid WHERE k.kind = {_REWRITE}"
    )
    index = f"INSERT INTO main.groups_fts (rowid, name, organization, description) {rows}"
    conn.execute(
        f"INSERT INTO main.groups_fts (groups_fts, rowid, name, organization, "
        f"description) SELECT 'delete', * FROM ({rows})"
    )
    try:
        with _set_aside(conn, "groups_au", stored):
            yield
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.DatabaseError):
                conn.execute(index)
        raise
    conn.execute(index)


def _own_trigger(conn: sqlite3.Connection, name: str) -> str | None:
    """Return the stored text of trigger `name` when it is peerfind's own, else None."""
    row = conn.execute(
        "SELECT sql FROM main.sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
    ).fetchone()
    return row[0] if row is not None and " ".join(row[0].split()) == _OWN_TRIGGERS[name] else None


@contextmanager
def _set_aside(conn: sqlite3.Connection, name: str, stored: str | None) -> Iterator[None]:
    """Drop trigger `name` for the block and re-create it from its stored text (None: leave it),
    inside the caller's transaction, so a failure rolls both back."""
    if stored is None:
        yield
        return
    conn.execute(f"DROP TRIGGER main.{name}")
    try:
        yield
    except BaseException:
        # The transaction is still open unless SQLite rolled it back (and the drop with it).
        with suppress(sqlite3.DatabaseError):
            conn.execute(stored)
        raise
    conn.execute(stored)


def _tune_fts(conn: sqlite3.Connection) -> None:
    """Let FTS5 buffer more terms in memory before writing a segment and merge segments less
    often (settings stored in the catalog; an automerge set otherwise is kept). Older SQLite
    without them: nothing changes."""
    try:
        config = dict(conn.execute("SELECT k, v FROM main.groups_fts_config"))
        size = config.get("hashsize")
        if not isinstance(size, int) or size < FTS_HASHSIZE:
            conn.execute(
                "INSERT INTO groups_fts (groups_fts, rank) VALUES ('hashsize', ?)", (FTS_HASHSIZE,)
            )
        if "automerge" not in config:
            conn.execute(
                "INSERT INTO groups_fts (groups_fts, rank) VALUES ('automerge', ?)",
                (FTS_AUTOMERGE,),
            )
    except sqlite3.DatabaseError:
        pass
