"""The SQLite catalog: schema and migrations, connections, and writing one source's listings."""

from __future__ import annotations

import json
import operator
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from peerfind import catalog_schema, vocab
from peerfind.catalog_rows import group_dict as group_dict  # re-exported
from peerfind.catalog_rows import row_group as row_group  # re-exported
from peerfind.catalog_rows import schedule_dict
from peerfind.errors import CatalogError
from peerfind.models import Group, Schedule

SCHEMA_VERSION = 2
# Bytes per page of a new catalog. Rows are about 1 KB; against 4 KB pages, 16 KB ones wrote
# 100k listings 15-20% faster (fewer pages to split, log and sync) and searched as fast
# (bench/README.md).
PAGE_SIZE = 16_384
_ALNUM = re.compile(r"[^\W_]+")  # runs of letters and digits (what str.isalnum() accepts)
CELL = 0.25  # degrees per grid cell side
LON_CELLS = int(360 / CELL)

COLUMNS = tuple(catalog_schema.GROUP_COLUMNS)  # the listings table's columns, in order
# Columns compared to tell an updated listing from an unchanged one (not the seen-dates).
CONTENT_COLUMNS = tuple(c for c in COLUMNS if c not in ("id", "first_seen", "last_seen"))

# Migrations (peerfind/catalog_schema.py): MIGRATIONS[n] upgrades user_version n to n + 1.
MIGRATIONS = catalog_schema.MIGRATIONS


def cell_of(lat: float | None, lon: float | None) -> int | None:
    """Return the grid cell number of a point (None without coordinates)."""
    if lat is None or lon is None:
        return None
    row = int((lat + 90.0) / CELL)
    col = int((lon + 180.0) / CELL) % LON_CELLS
    return row * LON_CELLS + col


def connect(
    path: Path | str, *, create: bool = False, readonly: bool = False
) -> sqlite3.Connection:
    """Open a catalog, creating or migrating it when `create`; raise CatalogError when unusable."""
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
    except sqlite3.DatabaseError as exc:
        raise CatalogError(_describe(path, exc)) from None
    if version > SCHEMA_VERSION:
        raise CatalogError(
            f"{path} has catalog schema {version}, newer than this peerfind knows "
            f"({SCHEMA_VERSION}). Upgrade peerfind."
        )
    if version < SCHEMA_VERSION:
        if not create and version == 0 and not _has_table(conn, "groups"):
            raise CatalogError(f"{path} is not a peerfind catalog. Run `peerfind doctor`.")
        _migrate(conn, version, path)
    return conn


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    """Return True when the database has a table called `name`."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,))
    return row.fetchone() is not None


def _migrate(conn: sqlite3.Connection, version: int, path: Path) -> None:
    """Bring the catalog from `version` up to SCHEMA_VERSION, in one transaction per step."""
    try:
        if version == 0 and not _has_table(conn, "groups"):  # a new file: before WAL sets it
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.commit()
            version += 1
    except sqlite3.DatabaseError as exc:
        raise CatalogError(_describe(path, exc)) from None


def _describe(path: Path, exc: sqlite3.DatabaseError) -> str:
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


def dedup_key(group: Group) -> str:
    """Return the key under which one real meeting published by several sources collides."""
    words = "".join(_ALNUM.findall(group.name.lower()))  # the characters that are isalnum()
    days = "".join(str(d) for d in group.schedule.days)
    return f"{words}|{days}|{group.schedule.start or ''}"


_GROUP_FIELDS = tuple(f.name for f in fields(Group))
_LIST_COLUMNS = ("populations", "topics", "languages", "accessibility", "source_types")
_SCHEDULE_COLUMNS = ("schedule", "schedule_text", "days", "start_time", "timezone")
_DIRECT = tuple(c for c in COLUMNS if c in _GROUP_FIELDS and c not in ("schedule", *_LIST_COLUMNS))
_GET_DIRECT = operator.attrgetter(*_DIRECT)
_GET_TAGS = operator.attrgetter(*_LIST_COLUMNS)
_GET_SCHEDULE = operator.attrgetter(*(f.name for f in fields(Schedule)))  # the memo's key
# row_values joins these parts into one tuple, then puts it in COLUMNS order with one itemgetter.
_PARTS = (*_DIRECT, *_LIST_COLUMNS, *_SCHEDULE_COLUMNS, "id", "cell", "dedup_key")
assert sorted(_PARTS) == sorted(COLUMNS), "row_values must produce every column once"
_IN_ORDER = operator.itemgetter(*(_PARTS.index(c) for c in COLUMNS))
_SOURCE_STATUS = operator.attrgetter("source", "status")
_SCHEDULE_JSON = json.JSONEncoder(sort_keys=True).encode  # = json.dumps(..., sort_keys=True)
_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())  # ASCII bytes dedup drops


class _Encoded(dict):
    """Map tag lists to their catalog text ('|a|b|'), computing each on first use."""

    def __missing__(self, tags: tuple[str, ...]) -> str:
        text = self[tags] = vocab.encode_tags(tags) if tags else ""
        return text


class RowMemo:
    """Columns already computed for schedules and tag lists (many listings share them)."""

    __slots__ = ("schedules", "tags")

    def __init__(self) -> None:
        self.schedules: dict[tuple[object, ...], tuple[tuple[object, ...], str]] = {}
        self.tags: dict[tuple[str, ...], str] = _Encoded()


def group_row(group: Group) -> dict[str, object]:
    """Return the catalog row for a Group."""
    return dict(zip(COLUMNS, row_values(group), strict=True))


def row_values(
    group: Group, memo: RowMemo | None = None, ident: str | None = None
) -> tuple[object, ...]:
    """Return the catalog row for a Group as a tuple in COLUMNS order (what upsert writes).

    `memo` keeps the columns of schedules and tag lists already seen; `ident` is group.id when
    the caller has computed it already.
    """
    if memo is None:
        memo = RowMemo()
    sched = group.schedule
    try:
        tags = tuple(map(memo.tags.__getitem__, _GET_TAGS(group)))
        key = _GET_SCHEDULE(sched)
        found = memo.schedules.get(key)
        if found is None:
            found = memo.schedules[key] = _schedule_columns(sched)
    except TypeError:  # unhashable values (lists instead of tuples): not memoised
        tags = tuple(vocab.encode_tags(t) if t else "" for t in _GET_TAGS(group))
        found = _schedule_columns(sched)
    columns, day_start = found
    cell = cell_of(group.latitude, group.longitude) if group.geo_precision != "none" else None
    name = group.name.lower()
    if name.isascii():
        words = name.encode().translate(None, _NOT_ALNUM).decode()
    else:
        words = "".join(_ALNUM.findall(name))  # as dedup_key() does
    extra = (ident or group.id, cell, words + day_start)
    return _IN_ORDER(_GET_DIRECT(group) + tags + columns + extra)


def _schedule_columns(sched: Schedule) -> tuple[tuple[object, ...], str]:
    """Return the schedule's columns (JSON, text, days tags, start, zone) and the dedup key's
    end ('|' day digits '|' start)."""
    days = vocab.encode_tags([str(d) for d in sched.days])
    digits = "".join(str(d) for d in sched.days)
    text = _SCHEDULE_JSON(schedule_dict(sched))
    return (text, sched.text, days, sched.start, sched.timezone), f"|{digits}|{sched.start or ''}"


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
    from peerfind.catalog_upsert import write_groups

    result = result or RefreshResult()
    added, updated, unchanged = write_groups(conn, list(groups), ids)
    result.added += added
    result.updated += updated
    result.unchanged += unchanged
    return result


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
    (peerfind.gutting; unless `force`), nothing is written and the result is 'suspicious'.
    """
    from peerfind import gutting

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
        raise CatalogError(_describe(Path(_db_file(conn)), exc)) from None
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


def _db_file(conn: sqlite3.Connection) -> str:
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
