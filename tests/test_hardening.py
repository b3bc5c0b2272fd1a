"""Issue 17 (hardening): what an attacker's feed, a foreign file or a broken terminal must not do.

Each test here failed on the code before its fix. With PEERFIND_RELIABILITY_OUT set, the tests
add their counts to that JSON file (see docs/make_reliability.py).
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peerfind import catalog
from peerfind.cli import app
from peerfind.errors import CatalogError
from tests.test_faults import build, one_line_error, record, search_cli

cli = CliRunner()


def digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- 1. a foreign SQLite file is never changed ---------------------------------------------


def foreign_databases(tmp_path: Path) -> list[Path]:
    """Return SQLite files of other programs, some with a table called `groups`."""
    made = []
    for label, sql in (
        ("groups-v0", "CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT);"
                      "INSERT INTO groups (name) VALUES ('chess club');"),
        ("groups-v1", "CREATE TABLE groups (id, name); PRAGMA user_version = 1;"),
        ("groups-meta-app", "CREATE TABLE groups (id); CREATE TABLE meta (key, value);"
                            "PRAGMA user_version = 1; PRAGMA application_id = 1179603;"),
        ("notes", "CREATE TABLE notes (x);"),
    ):
        path = tmp_path / f"{label}.db"
        conn = sqlite3.connect(path)
        conn.executescript(sql)
        conn.commit()
        conn.close()
        made.append(path)
    return made


def test_foreign_database_is_refused_untouched(tmp_path: Path) -> None:
    tried = 0
    for path in foreign_databases(tmp_path):
        before = digest(path)
        one_line_error(search_cli(path), "not a peerfind catalog", "untouched")
        out = str(tmp_path / f"{path.stem}.csv")
        for args in (["show", "abcdef"], ["export", "--format", "online", out], ["tags"]):
            result = cli.invoke(app, ["--db", str(path), *args])
            assert result.exit_code != 0 and "not a peerfind catalog" in result.stderr
        with pytest.raises(CatalogError, match="not a peerfind catalog"):
            catalog.connect(path, create=True)  # a write refuses it too
        assert digest(path) == before, path.name
        assert {p.name for p in tmp_path.glob(f"{path.name}*")} == {path.name}
        other = sqlite3.connect(path)  # the other program can still write its table
        other.execute("CREATE TABLE IF NOT EXISTS t (x)")
        other.execute("INSERT INTO t VALUES (1)")
        other.commit()
        other.close()
        tried += 1
    record("foreign_databases", tried)


def test_catalog_carries_its_marker_and_older_catalogs_still_open(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == catalog.APPLICATION_ID
    # A catalog made by an earlier peerfind: user_version 1 and a meta table, no marker.
    conn.execute("PRAGMA application_id = 0")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = digest(db)
    assert search_cli(db).exit_code == 0
    assert digest(db) == before  # a read does not mark or migrate
    catalog.connect(db, create=True).close()  # the first write marks it
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == catalog.APPLICATION_ID
    conn.close()
    assert search_cli(db).exit_code == 0
