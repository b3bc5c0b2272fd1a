"""Catalogs made by an earlier peerfind gain the columns added since, and keep their listings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from peerfind.catalog import db as catalog
from peerfind.catalog import schema as catalog_schema
from peerfind.models import Group


def _v1_catalog(path: Path) -> None:
    """Write a version-1 catalog (no program/openness/verification/feedback columns) by hand."""
    conn = catalog.connect(path, create=True)
    catalog.upsert(conn, [Group(source="s", source_key="k", name="Tuesday Night Group")])
    conn.commit()
    for column in catalog_schema.ADDED_IN_V2:
        conn.execute(f"ALTER TABLE groups DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_version_1_catalog_gains_the_v2_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _v1_catalog(path)
    conn = catalog.connect(path, create=True)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(groups)")}
    assert set(catalog_schema.ADDED_IN_V2) <= columns
    assert conn.execute("PRAGMA user_version").fetchone()[0] == catalog.SCHEMA_VERSION == 2
    group = catalog.get_group(conn, Group(source="s", source_key="k", name="x").id)
    assert group is not None and group.name == "Tuesday Night Group" and group.program == ""


def test_new_fields_round_trip_through_the_catalog(tmp_path: Path) -> None:
    conn = catalog.connect(tmp_path / "new.db", create=True)
    made = Group(
        source="s",
        source_key="k",
        name="Open Step Group",
        program="aa",
        openness="closed",
        last_verified="2025-03-02",
        feedback_url="https://example.org/feedback",
        feedback_email="info@example.org",
    )
    catalog.upsert(conn, [made.cleaned()])
    conn.commit()
    got = catalog.get_group(conn, made.id)
    assert got is not None
    assert (got.program, got.openness, got.last_verified, got.feedback_url, got.feedback_email) == (
        "aa",
        "closed",
        "2025-03-02",
        "https://example.org/feedback",
        "info@example.org",
    )


def test_feedback_link_and_address_are_vetted() -> None:
    bad = Group(
        source="s",
        source_key="k",
        name="n",
        feedback_url="javascript:alert(1)",
        feedback_email="not an address",
    ).cleaned()
    assert bad.feedback_url == "" and bad.feedback_email == ""
    assert (
        "openness 'sometimes'"
        in Group(source="s", source_key="k", name="n", openness="sometimes").problems()
    )
    assert sqlite3.sqlite_version_info >= (3, 35)  # DROP COLUMN, used above to make a v1 file
