"""The catalog's schema, created with sqlite-utils (tables, indexes) plus FTS5 and its triggers.

Migrations are numbered: MIGRATIONS[n] brings a catalog at user_version n to n + 1. Every step is
idempotent, so a step interrupted before user_version is written can simply run again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# Column name -> Python type (sqlite-utils maps str to TEXT, float to FLOAT, int to INTEGER).
GROUP_COLUMNS: dict[str, type] = (
    dict.fromkeys(
        (
            "id",
            "source",
            "source_key",
            "source_url",
            "organization",
            "name",
            "description",
            "populations",
            "topics",
            "languages",
            "accessibility",
            "cost",
            "format",
            "venue",
            "address",
            "city",
            "region",
            "postal_code",
            "country",
        ),
        str,
    )
    | {"latitude": float, "longitude": float, "geo_precision": str, "cell": int}
    | dict.fromkeys(
        (
            "join_url",
            "join_phone",
            "join_notes",
            "schedule",
            "schedule_text",
            "days",
            "start_time",
            "timezone",
            "phone",
            "email",
            "website",
            "status",
            "first_seen",
            "last_seen",
            "source_updated",
            "source_types",
            "dedup_key",
            "program",
            "openness",
            "last_verified",
            "feedback_url",
            "feedback_email",
        ),
        str,
    )
)

# Columns added after version 1, and the migration that added them (catalogs created later get
# them from GROUP_COLUMNS at once).
ADDED_IN_V2 = ("program", "openness", "last_verified", "feedback_url", "feedback_email")

GROUP_INDEXES: dict[str, tuple[str, ...]] = {
    # Radius search: grid cell first, then everything the filters test, so no row is fetched.
    "groups_geo": (
        "cell",
        "latitude",
        "longitude",
        "status",
        "format",
        "populations",
        "topics",
        "days",
        "start_time",
    ),
    "groups_format": ("format", "status"),
    "groups_source": ("source", "status"),
    "groups_dedup": ("dedup_key",),
}

# The insert trigger on its own: catalog_upsert recognises it to index new rows in bulk.
FTS_INSERT_TRIGGER = """CREATE TRIGGER IF NOT EXISTS groups_ai AFTER INSERT ON groups BEGIN
    INSERT INTO groups_fts (rowid, name, organization, description)
    VALUES (new.rowid, new.name, new.organization, new.description);
END"""

# The update trigger on its own: catalog_upsert recognises it to re-index rewrites in bulk.
FTS_UPDATE_TRIGGER = """CREATE TRIGGER IF NOT EXISTS groups_au
AFTER UPDATE OF name, organization, description ON groups BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, name, organization, description)
    VALUES ('delete', old.rowid, old.name, old.organization, old.description);
    INSERT INTO groups_fts (rowid, name, organization, description)
    VALUES (new.rowid, new.name, new.organization, new.description);
END"""

# columnsize=0: no per-listing row of column sizes, which only bm25 ranking reads (peerfind
# never ranks by it); a 100k ingest indexes 15% faster. Catalogs made before keep theirs.
_FTS = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS groups_fts USING fts5
    (name, organization, description, content="groups", content_rowid="rowid", columnsize=0);
{FTS_INSERT_TRIGGER};
CREATE TRIGGER IF NOT EXISTS groups_ad AFTER DELETE ON groups BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, name, organization, description)
    VALUES ('delete', old.rowid, old.name, old.organization, old.description);
END;
{FTS_UPDATE_TRIGGER};
"""


def create_v1(conn: sqlite3.Connection) -> None:
    """Create the listings, run-history and meta tables, their indexes, and the FTS5 index."""
    import sqlite_utils  # only when a catalog is created or migrated, never on the search path

    db = sqlite_utils.Database(conn)
    groups = db.table("groups")
    groups.create(
        GROUP_COLUMNS,
        pk="id",
        if_not_exists=True,
        not_null={"source", "source_key", "name", "format", "status"},
    )
    for name, columns in GROUP_INDEXES.items():
        groups.create_index(columns, index_name=name, if_not_exists=True)
    runs = db.table("runs")
    runs.create(
        {
            "id": int,
            "source": str,
            "started": str,
            "finished": str,
            "status": str,
            "added": int,
            "updated": int,
            "unchanged": int,
            "removed": int,
            "errors": int,
            "skipped": int,
            "error": str,
        },
        pk="id",
        not_null={"source"},
        if_not_exists=True,
    )
    runs.create_index(("source", "started"), index_name="runs_source", if_not_exists=True)
    db.table("meta").create({"key": str, "value": str}, pk="key", if_not_exists=True)
    conn.executescript(_FTS)


def add_v2_columns(conn: sqlite3.Connection) -> None:
    """Add the program, openness, verification and feedback columns to a version-1 catalog."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(groups)")}
    for column in ADDED_IN_V2:
        if column not in have:
            conn.execute(f"ALTER TABLE groups ADD COLUMN {column} TEXT")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: create_v1, 1: add_v2_columns}
