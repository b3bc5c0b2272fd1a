"""The SQLite catalog: schema and migrations, connections, and writing one source's listings."""

from __future__ import annotations

import operator
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from peerfind import vocab
from peerfind.catalog import schema as catalog_schema

# Row encoding lives in peerfind.catalog.rows; these names stay importable from here.
from peerfind.catalog.rows import (
    CELL as CELL,
)
from peerfind.catalog.rows import (
    COLUMNS as COLUMNS,
)
from peerfind.catalog.rows import (
    CONTENT_COLUMNS as CONTENT_COLUMNS,
)
from peerfind.catalog.rows import (
    LON_CELLS as LON_CELLS,
)
from peerfind.catalog.rows import (
    RowMemo as RowMemo,
)
from peerfind.catalog.rows import (
    cell_of as cell_of,
)
from peerfind.catalog.rows import (
    dedup_key as dedup_key,
)
from peerfind.catalog.rows import group_dict as group_dict  # re-exported
from peerfind.catalog.rows import (
    group_row as group_row,
)
from peerfind.catalog.rows import row_group as row_group  # re-exported
from peerfind.catalog.rows import (
    row_values as row_values,
)
from peerfind.catalog.rows import (
    schedule_dict as schedule_dict,
)
from peerfind.errors import CatalogError
from peerfind.models import Group

SCHEMA_VERSION = 2
# Bytes per page of a new catalog. Rows are about 1 KB; against 4 KB pages, 16 KB ones wrote
# 100k listings 15-20% faster (fewer pages to split, log and sync) and searched as fast
# (bench/README.md).
PAGE_SIZE = 16_384
# Migrations (peerfind/catalog/schema.py): MIGRATIONS[n] upgrades user_version n to n + 1.
MIGRATIONS = catalog_schema.MIGRATIONS


def connect(
    path: Path | str, *, create: bool = False, readonly: bool = False
) -> sqlite3.Connection:
    """Open a catalog, creating or migrating it when `create`; raise CatalogError when unusable.

    A catalog is recognised by its own marker (APPLICATION_ID in the file header), or, for a
    catalog made before the marker existed, by user_version >= 1 with peerfind's meta and groups
    tables; such a catalog gets the marker on its first write. A read never migrates or marks
    anything, and any other SQLite file is refused untouched (peerfind never writes to it).
    """
    path = Path(path)
    if not path.exists() and not create:
        raise CatalogError(f"no catalog at {path}. Run `peerfind doctor` or `peerfind scrape`.")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if readonly or (path.exists() and not os.access(path, os.W_OK)):
            # On read-only storage a WAL catalog without its -shm file opens only as immutable.
            frozen = not Path(f"{path}-shm").exists() and not os.access(path.parent, os.W_OK)
            mode = "ro&immutable=1" if frozen else "ro"
            uri = f"{path.resolve().as_uri()}?mode={mode}"  # as_uri escapes ? # % in names
            conn = sqlite3.connect(uri, uri=True, timeout=10)
        else:
            conn = sqlite3.connect(path, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 10000")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        kind = _kind(conn, version)
    except sqlite3.DatabaseError as exc:
        raise CatalogError(describe_error(path, exc)) from None
    if kind == "foreign" or (kind == "blank" and not create):
        conn.close()
        raise CatalogError(
            f"{path} is not a peerfind catalog; it was left untouched. Choose another --db "
            "or run `peerfind doctor`."
        )
    if version > SCHEMA_VERSION:
        conn.close()
        raise CatalogError(
            f"{path} has catalog schema {version}, newer than this peerfind knows "
            f"({SCHEMA_VERSION}). Upgrade peerfind."
        )
    if not create:
        if version < SCHEMA_VERSION:  # a read never migrates
            conn.close()
            raise CatalogError(
                f"{path} has catalog schema {version}, older than this peerfind "
                f"({SCHEMA_VERSION}); run `peerfind scrape` once (any write upgrades it)."
            )
        return conn
    _migrate(conn, version, path, new=kind == "blank")
    if kind != "marked":
        _mark(conn, path)
    return conn


# The catalog's own marker in the SQLite header (PRAGMA application_id): "PFND".
APPLICATION_ID = 0x50464E44


def _kind(conn: sqlite3.Connection, version: int) -> str:
    """Tell what the database is: 'marked' (a peerfind catalog), 'legacy' (a peerfind catalog
    made before the marker), 'blank' (no schema at all) or 'foreign' (anything else)."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return "marked"
    if app_id != 0:
        return "foreign"
    if version >= 1 and _has_table(conn, "meta") and _has_table(conn, "groups"):
        return "legacy"
    if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
        return "blank"
    return "foreign"


def _mark(conn: sqlite3.Connection, path: Path) -> None:
    """Write peerfind's marker into the catalog's header (one small transaction)."""
    try:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.commit()
    except sqlite3.DatabaseError as exc:
        raise CatalogError(describe_error(path, exc)) from None


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    """Return True when the database has a table called `name`."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,))
    return row.fetchone() is not None


def _migrate(conn: sqlite3.Connection, version: int, path: Path, *, new: bool = False) -> None:
    """Bring the catalog from `version` up to SCHEMA_VERSION, in one transaction per step."""
    try:
        if new:  # a new file: the page size must be set before WAL and the first table
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.commit()
            version += 1
    except sqlite3.DatabaseError as exc:
        raise CatalogError(describe_error(path, exc)) from None


def describe_error(path: Path, exc: sqlite3.DatabaseError) -> str:
    """Return a one-line explanation of an SQLite error on the catalog at `path`."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"the catalog {path} is locked by another peerfind; try again in a moment."
    if "readonly" in text or "read-only" in text:
        return f"the catalog {path} is read-only; cannot write to it."
    if "not a database" in text or "malformed" in text or "disk image" in text:
        return f"{path} is damaged or not a peerfind catalog. Run `peerfind doctor`."
    if "unable to open" in text:
        return f"cannot open the catalog {path} (check the folder exists and permissions)."
    if "full" in text:
        return f"the disk holding {path} is full; nothing was changed."
    return f"catalog error on {path}: {text}"


@dataclass
class RefreshResult:
    """What refreshing one source changed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    status: str = "ok"  # ok | suspicious | failed
    message: str = ""


def upsert(
    conn: sqlite3.Connection,
    groups: Iterable[Group],
    *,
    seen: str | None = None,
    result: RefreshResult | None = None,
    ids: list[str] | None = None,
) -> RefreshResult:
    """Insert or update listings inside the caller's transaction, counting what changed.

    Unchanged listings only get their last_seen date; see catalog_upsert for how the rows are
    staged and written in a few statements. `ids` are the listings' ids, when already known.
    """
    from peerfind.catalog.upsert import write_groups

    result = result or RefreshResult()
    added, updated, unchanged = write_groups(conn, list(groups), ids)
    result.added += added
    result.updated += updated
    result.unchanged += unchanged
    return result


_SOURCE_STATUS = operator.attrgetter("source", "status")


def _same(a: object, b: object) -> bool:
    """Return True when two stored values are equal, treating '' and None alike."""
    return (a if a != "" else None) == (b if b != "" else None)


def refresh_source(
    conn: sqlite3.Connection,
    source: str,
    groups: list[Group],
    *,
    min_ratio: float = 0.5,
    force: bool = False,
) -> RefreshResult:
    """Replace one source's listings in one transaction; vanished ones are marked removed.

    When the source now returns fewer than `min_ratio` of its previous active listings or of
    its best recent run, or its listings lost most of their addresses, coordinates or schedules
    (peerfind.catalog.gutting; unless `force`), nothing is written and the result is 'suspicious'.
    """
    from peerfind.catalog import gutting

    previous = conn.execute(
        "SELECT count(*) FROM groups WHERE source = ? AND status != ?", (source, vocab.REMOVED)
    ).fetchone()[0]
    id_list = [g.id for g in groups]
    ids = set(id_list)
    if not force:
        why = gutting.problem(conn, source, groups, len(ids), previous, min_ratio)
        if why:
            return RefreshResult(status="suspicious", message=why)
    try:
        with conn:
            result = upsert(conn, groups, ids=id_list)
            stale = _stale(conn, source, groups, id_list, ids)
            conn.executemany(
                "UPDATE groups SET status = ? WHERE id = ?", [(vocab.REMOVED, i) for i in stale]
            )
            result.removed = len(stale)
    except sqlite3.DatabaseError as exc:
        raise CatalogError(describe_error(Path(db_file(conn)), exc)) from None
    return result


def _stale(
    conn: sqlite3.Connection, source: str, groups: list[Group], id_list: list[str], ids: set[str]
) -> list[str]:
    """Return the ids of the source's listings, not removed, that a refresh did not include.

    Each listing just written is stored with the source and status of its last copy, so when
    the source has as many listings not removed as were written with that source and not
    removed, none is left over and the source's ids need not be read.
    """
    last = groups if len(ids) == len(id_list) else dict(zip(id_list, groups, strict=True)).values()
    pairs = Counter(map(_SOURCE_STATUS, last))  # the last copy of each listing wins
    written = sum(n for (src, st), n in pairs.items() if src == source and st != vocab.REMOVED)
    query = "FROM groups WHERE source = ? AND status != ?"
    count = conn.execute(f"SELECT count(*) {query}", (source, vocab.REMOVED)).fetchone()[0]
    if count == written:
        return []
    rows = conn.execute(f"SELECT id {query}", (source, vocab.REMOVED))
    return [r[0] for r in rows if r[0] not in ids]


def db_file(conn: sqlite3.Connection) -> str:
    """Return the file name of the main database of a connection."""
    row = conn.execute("PRAGMA database_list").fetchone()
    return row[2] or ":memory:"


def record_run(
    conn: sqlite3.Connection,
    source: str,
    started: str,
    finished: str,
    status: str,
    result: RefreshResult | None = None,
    *,
    errors: int = 0,
    skipped: int = 0,
    error: str = "",
) -> None:
    """Append a row to the run history."""
    r = result or RefreshResult()
    with conn:
        conn.execute(
            "INSERT INTO runs (source, started, finished, status, added, updated, unchanged,"
            " removed, errors, skipped, error) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                source,
                started,
                finished,
                status,
                r.added,
                r.updated,
                r.unchanged,
                r.removed,
                errors,
                skipped,
                error[:2000],
            ),
        )


def get_group(conn: sqlite3.Connection, ident: str) -> Group | None:
    """Return the listing with this id (or unique id prefix of at least 6 characters)."""
    if len(ident) > 200:  # ids are 12-64 characters; a longer one matches nothing
        return None
    row = conn.execute("SELECT * FROM groups WHERE id = ?", (ident,)).fetchone()
    if row is None and len(ident) >= 6 and ident.isalnum():
        rows = conn.execute(
            "SELECT * FROM groups WHERE id LIKE ? LIMIT 2", (ident + "%",)
        ).fetchall()
        row = rows[0] if len(rows) == 1 else None
    return row_group(row) if row is not None else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Store a catalog-level setting (e.g. where the bundled listings came from)."""
    with conn:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """Return a catalog-level setting, or None."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def has_tag(conn: sqlite3.Connection, column: str, term: str) -> bool:
    """Return whether any listing not removed carries the population/topic `term`."""
    if column not in ("populations", "topics"):
        raise ValueError(f"not a tag column: {column}")
    row = conn.execute(
        f"SELECT 1 FROM groups WHERE {column} LIKE ? AND status != 'removed' LIMIT 1",
        (f"%|{term}|%",),
    ).fetchone()
    return row is not None
