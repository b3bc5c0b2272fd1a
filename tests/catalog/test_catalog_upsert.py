"""Bulk writes to the catalog (catalog.refresh_source / upsert, catalog_upsert): what is counted,
what is written and in which order, and that the full-text index stays consistent, whether the
rows go in one batch or in pipelined chunks."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from peerfind import vocab
from peerfind.catalog import db as catalog
from peerfind.catalog import upsert as catalog_upsert
from peerfind.models import Group, Schedule

SOURCE = "feed"


def group(i: int, **changes: object) -> Group:
    """Return listing number i of SOURCE (weekly, in person, placed), with some fields changed."""
    base = Group(
        source=SOURCE,
        source_key=f"k{i}",
        name=f"Peer support group {i}",
        organization="Peer Org",
        description=f"Listing {i}: we talk about recovery.",
        populations=("veterans",) if i % 2 else (),
        topics=("grief_loss", "depression") if i % 3 else ("anxiety",),
        city="Springfield",
        latitude=40.0 + i / 1000,
        longitude=-74.0,
        geo_precision="address",
        schedule=Schedule(
            "weekly",
            (i % 7,),
            start="19:00",
            end="20:00",
            timezone="America/New_York",
            text="Weekly",
        ),
        last_seen="2026-11-01",
    )
    return dataclasses.replace(base, **changes)


def open_catalog(tmp_path: Path, name: str = "c.db") -> sqlite3.Connection:
    """Return a connection to a new, empty catalog."""
    return catalog.connect(tmp_path / name, create=True)


def fts_ok(conn: sqlite3.Connection) -> None:
    """Fail unless the FTS5 index agrees with the listings table."""
    conn.execute("INSERT INTO groups_fts (groups_fts, rank) VALUES ('integrity-check', 1)")


def fts_state(conn: sqlite3.Connection) -> list[tuple]:
    """Return everything the full-text index stores (not its settings)."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE name IN "
            "('groups_fts_data', 'groups_fts_idx', 'groups_fts_docsize') ORDER BY name"
        )
    ]  # no docsize table in catalogs made with columnsize=0
    return [row for table in tables for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]


def counts(result: catalog.RefreshResult) -> tuple[int, int, int, int]:
    """Return (added, updated, unchanged, removed)."""
    return result.added, result.updated, result.unchanged, result.removed


def matches(conn: sqlite3.Connection, words: str) -> set[int]:
    """Return the rowids the full-text index finds for `words`."""
    return {
        r[0]
        for r in conn.execute("SELECT rowid FROM groups_fts WHERE groups_fts MATCH ?", (words,))
    }


def reference_row(g: Group) -> dict[str, object]:
    """Return the catalog row of a Group computed the slow, obvious way (from the model)."""
    data = g.to_dict()
    row: dict[str, object] = {c: data.get(c) for c in catalog.COLUMNS}
    for name in ("populations", "topics", "languages", "accessibility", "source_types"):
        row[name] = vocab.encode_tags(data[name]) if data[name] else ""
    row["cell"] = catalog.cell_of(g.latitude, g.longitude) if g.geo_precision != "none" else None
    row["schedule"] = json.dumps(g.schedule.to_dict(), sort_keys=True)
    row["schedule_text"] = g.schedule.text
    row["days"] = vocab.encode_tags([str(d) for d in g.schedule.days])
    row["start_time"] = g.schedule.start
    row["timezone"] = g.schedule.timezone
    row["dedup_key"] = catalog.dedup_key(g)
    return row


def test_row_values_match_the_model() -> None:
    odd = [
        group(1),
        group(2, name="Café Ñandú: Grupo de apoyo (Martes)", populations=("youth", "lgbtq")),
        group(3, name="\u212aelvin sign, Straße", geo_precision="none"),  # K lowers to ASCII k
        group(4, populations=["veterans", "veterans"], topics=["grief_loss"]),  # lists, repeats
        group(
            5,
            schedule=Schedule(
                "monthly_nth",
                (2,),
                nths=(1, -1),
                start="10:00",
                timezone="America/Chicago",
                text="1st and last Tuesday",
            ),
        ),
        group(6, schedule=Schedule("weekly", [1, 3], start="09:30")),  # unhashable days
        group(7, schedule=Schedule()),
        group(
            8,
            name="___",
            languages=("es",),
            accessibility=("wheelchair",),
            source_types=("meeting_guide",),
            latitude=None,
            longitude=None,
        ),
    ]
    memo = catalog.RowMemo()
    for g in odd + odd:  # the second time through, from the memo
        expected = reference_row(g)
        assert catalog.group_row(g) == expected
        assert dict(zip(catalog.COLUMNS, catalog.row_values(g, memo), strict=True)) == expected
        assert catalog.row_values(g, memo, g.id) == catalog.row_values(g)


def test_counts_and_stored_rows_through_a_refresh_cycle(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    first = [group(i) for i in range(6)]
    assert counts(catalog.refresh_source(conn, SOURCE, first)) == (6, 0, 0, 0)
    again = [dataclasses.replace(g, last_seen="2026-11-20") for g in first]
    again[1] = dataclasses.replace(again[1], description="Now about hoarding.")  # text
    again[2] = dataclasses.replace(again[2], city="Shelbyville")  # not text
    assert counts(catalog.refresh_source(conn, SOURCE, again[:5])) == (0, 2, 3, 1)
    rows = {r["id"]: r for r in conn.execute("SELECT * FROM groups")}
    for g in again[:5]:
        assert {k: rows[g.id][k] for k in catalog.COLUMNS if k != "first_seen"} == {
            k: v for k, v in catalog.group_row(g).items() if k != "first_seen"
        }
    assert rows[first[5].id]["status"] == vocab.REMOVED
    rowid = conn.execute("SELECT rowid FROM groups WHERE id = ?", (again[1].id,)).fetchone()[0]
    assert matches(conn, "hoarding") == {rowid}
    fts_ok(conn)


def test_empty_and_null_count_as_the_same(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    listings = [group(1), group(2)]
    catalog.refresh_source(conn, SOURCE, listings)
    with conn:  # as an older peerfind, or another tool, may have stored them
        conn.execute("UPDATE groups SET venue = NULL WHERE id = ?", (listings[0].id,))
        conn.execute("UPDATE groups SET organization = NULL WHERE id = ?", (listings[1].id,))
    before = fts_state(conn)
    same = [listings[0], dataclasses.replace(listings[1], organization="")]
    assert counts(catalog.refresh_source(conn, SOURCE, same)) == (0, 0, 2, 0)
    assert fts_state(conn) == before
    assert counts(catalog.refresh_source(conn, SOURCE, listings)) == (0, 1, 1, 0)  # NULL -> text
    fts_ok(conn)


def test_a_listing_given_twice_is_written_in_order(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    a, b = group(1), group(2)
    catalog.refresh_source(conn, SOURCE, [a])
    later = dataclasses.replace(a, description="The later copy talks about hoarding.")
    fresh = dataclasses.replace(b, description="First copy of a new listing.")
    fresh2 = dataclasses.replace(b, description="Second copy of a new listing, about grief.")
    result = catalog.refresh_source(conn, SOURCE, [a, later, fresh, fresh2, a])
    # each copy is counted against the catalog as it stood before the refresh
    assert counts(result) == (2, 1, 2, 0)
    stored = dict(conn.execute("SELECT id, description FROM groups"))
    assert stored == {a.id: a.description, b.id: fresh2.description}
    assert len(matches(conn, "hoarding")) == 0 and len(matches(conn, "grief")) == 1
    fts_ok(conn)


def test_rewrites_that_keep_the_text_leave_the_index_alone(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    listings = [group(i) for i in range(4)]
    catalog.refresh_source(conn, SOURCE, listings)
    before = fts_state(conn)
    moved = [dataclasses.replace(g, city="Capital City", last_seen="2026-11-30") for g in listings]
    assert counts(catalog.refresh_source(conn, SOURCE, moved)) == (0, 4, 0, 0)
    assert fts_state(conn) == before
    retitled = [dataclasses.replace(moved[0], name="Renamed group"), *moved[1:]]
    assert counts(catalog.refresh_source(conn, SOURCE, retitled)) == (0, 1, 3, 0)
    assert fts_state(conn) != before
    assert len(matches(conn, "renamed")) == 1
    fts_ok(conn)


def test_chunked_writes_store_what_one_batch_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = [group(i) for i in range(40)]
    second = [
        dataclasses.replace(
            g,
            last_seen="2026-11-20",
            description=g.description + (" Updated." if i % 4 == 0 else ""),
            city="Shelbyville" if i % 5 == 0 else g.city,
        )
        for i, g in enumerate(first)
    ] + [group(i) for i in range(40, 55)]
    tables = []
    for name, chunk in (("one.db", 10_000), ("chunked.db", 7)):
        monkeypatch.setattr(catalog_upsert, "CHUNK", chunk)
        monkeypatch.setattr(catalog_upsert, "FIRST_CHUNK", 3)
        conn = open_catalog(tmp_path, name)
        assert counts(catalog.refresh_source(conn, SOURCE, first)) == (40, 0, 0, 0)
        assert counts(catalog.refresh_source(conn, SOURCE, second[5:])) == (15, 14, 21, 5)
        fts_ok(conn)
        tables.append(
            (
                list(conn.execute("SELECT rowid, * FROM groups ORDER BY rowid")),
                {w: matches(conn, w) for w in ("updated", "recovery", "listing")},
            )
        )
        conn.close()
    assert tables[0] == tables[1]


def test_new_rows_indexed_in_bulk_keep_the_trigger(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    trigger = "SELECT sql FROM sqlite_master WHERE name = 'groups_ai'"
    stored = conn.execute(trigger).fetchone()[0]
    catalog.refresh_source(conn, SOURCE, [group(i) for i in range(5)])
    assert conn.execute(trigger).fetchone()[0] == stored
    with conn:  # a later insert through the trigger is indexed too
        conn.execute(
            "INSERT INTO groups (id, source, source_key, name, format, status, "
            "description) VALUES ('x1', 'other', 'x1', 'Hand made', 'online', 'active', "
            "'about hoarding')"
        )
    assert len(matches(conn, "hoarding")) == 1
    fts_ok(conn)


def test_a_failed_bulk_insert_restores_the_trigger(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    trigger = "SELECT sql FROM sqlite_master WHERE name = 'groups_ai'"
    stored = conn.execute(trigger).fetchone()[0]
    catalog.refresh_source(conn, SOURCE, [group(1)])
    broken = [group(2), dataclasses.replace(group(3), format=None)]  # NOT NULL fails mid-way
    with pytest.raises(sqlite3.IntegrityError), conn:
        catalog.upsert(conn, broken)
    assert conn.execute(trigger).fetchone()[0] == stored
    conn.execute("BEGIN")  # even a caller that goes on in the same transaction keeps it
    with pytest.raises(sqlite3.IntegrityError):
        catalog.upsert(conn, broken)
    assert conn.execute(trigger).fetchone()[0] == stored
    conn.commit()
    assert conn.execute("SELECT count(*) FROM groups").fetchone()[0] == 1
    fts_ok(conn)


def test_a_trigger_not_peerfinds_own_does_the_indexing(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    with conn:  # a customised trigger: indexes the name only
        conn.execute("DROP TRIGGER groups_ai")
        conn.execute(
            "CREATE TRIGGER groups_ai AFTER INSERT ON groups BEGIN INSERT INTO "
            "groups_fts (rowid, name) VALUES (new.rowid, new.name); END"
        )
    custom = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'groups_ai'").fetchone()[0]
    catalog.refresh_source(conn, SOURCE, [group(1), group(2)])
    assert (
        conn.execute("SELECT sql FROM sqlite_master WHERE name = 'groups_ai'").fetchone()[0]
        == custom
    )
    assert len(matches(conn, "peer")) == 2 and not matches(conn, "recovery")


def test_removed_listings_with_other_sources_and_statuses(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    listings = [group(i) for i in range(5)]
    catalog.refresh_source(conn, SOURCE, listings)
    elsewhere = dataclasses.replace(group(9), source="other")
    gone = dataclasses.replace(listings[1], status=vocab.REMOVED)
    closed = dataclasses.replace(listings[2], status=vocab.TEMPORARILY_CLOSED)
    result = catalog.refresh_source(
        conn, SOURCE, [listings[0], gone, closed, listings[3], elsewhere]
    )
    assert counts(result) == (1, 2, 2, 1)
    status = dict(conn.execute("SELECT source_key, status FROM groups"))
    assert status == {
        "k0": vocab.ACTIVE,
        "k1": vocab.REMOVED,
        "k2": vocab.TEMPORARILY_CLOSED,
        "k3": vocab.ACTIVE,
        "k4": vocab.REMOVED,
        "k9": vocab.ACTIVE,
    }
    assert counts(catalog.refresh_source(conn, SOURCE, [listings[0], closed, listings[3]])) == (
        0,
        0,
        3,
        0,
    )


def test_settings_are_restored_after_a_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_upsert, "CHUNK", 4)
    monkeypatch.setattr(catalog_upsert, "FIRST_CHUNK", 2)
    conn = open_catalog(tmp_path)
    caches = [conn.execute(f"PRAGMA {s}.cache_size").fetchone()[0] for s in ("main", "temp")]
    catalog.refresh_source(conn, SOURCE, [group(i) for i in range(10)])
    catalog.refresh_source(conn, SOURCE, [group(i) for i in range(12)])
    assert [
        conn.execute(f"PRAGMA {s}.cache_size").fetchone()[0] for s in ("main", "temp")
    ] == caches
    config = dict(conn.execute("SELECT k, v FROM groups_fts_config"))
    assert config["automerge"] == catalog_upsert.FTS_AUTOMERGE
    assert config["hashsize"] == catalog_upsert.FTS_HASHSIZE
    with conn:
        conn.execute("INSERT INTO groups_fts (groups_fts, rank) VALUES ('automerge', 2)")
    catalog.refresh_source(conn, SOURCE, [group(i) for i in range(3)], force=True)
    assert dict(conn.execute("SELECT k, v FROM groups_fts_config"))["automerge"] == 2
    fts_ok(conn)


def test_temporary_storage_moves_to_memory_only_when_nothing_is_lost(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    catalog.refresh_source(conn, SOURCE, [group(1)])
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # memory
    other = catalog.connect(tmp_path / "c.db")
    other.execute("CREATE TEMP TABLE mine (x)")
    other.execute("INSERT INTO mine VALUES (7)")
    other.commit()
    catalog.refresh_source(other, SOURCE, [group(1), group(2)])
    assert [tuple(r) for r in other.execute("SELECT x FROM mine")] == [(7,)]  # not dropped
    assert other.execute("PRAGMA temp_store").fetchone()[0] == 0
    third = catalog.connect(tmp_path / "c.db")
    third.execute("BEGIN")  # nor inside a caller's transaction, where SQLite refuses it
    catalog.upsert(third, [group(3)])
    third.commit()
    assert third.execute("PRAGMA temp_store").fetchone()[0] == 0
    assert [r[0] for r in conn.execute("SELECT source_key FROM groups ORDER BY 1")] == [
        "k1",
        "k2",
        "k3",
    ]
    fts_ok(conn)


def test_a_new_catalog_has_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    new = catalog.connect(tmp_path / "new.db", create=True)
    assert new.execute("PRAGMA page_size").fetchone()[0] == catalog.PAGE_SIZE == 16_384
    assert new.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    new.close()
    old_path = tmp_path / "old.db"
    catalog.connect(old_path, create=True).close()
    old = sqlite3.connect(old_path, isolation_level=None)  # as catalogs were made before
    for pragma in ("journal_mode = DELETE", "page_size = 4096", "journal_mode = WAL"):
        old.execute(f"PRAGMA {pragma}")
        if pragma.startswith("page_size"):
            old.execute("VACUUM")
    old.close()
    old = catalog.connect(old_path, create=True)
    catalog.refresh_source(old, SOURCE, [group(i) for i in range(50)])
    assert old.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert old.execute("SELECT count(*) FROM groups").fetchone()[0] == 50


def test_new_catalogs_index_text_without_column_sizes_and_old_ones_keep_them(
    tmp_path: Path,
) -> None:
    new = open_catalog(tmp_path, "new.db")
    catalog.refresh_source(new, SOURCE, [group(i) for i in range(30)])
    docsize = "SELECT 1 FROM sqlite_master WHERE name = 'groups_fts_docsize'"
    assert new.execute(docsize).fetchone() is None
    fts_ok(new)
    assert matches(new, "recovery") == set(range(1, 31))
    old = open_catalog(tmp_path, "old.db")  # the index as catalogs had it before: column sizes
    old.executescript(
        "DROP TABLE groups_fts; CREATE VIRTUAL TABLE groups_fts USING fts5 (name, organization, "
        "description, content='groups', content_rowid='rowid');"
    )
    catalog.refresh_source(old, SOURCE, [group(i) for i in range(30)])
    catalog.refresh_source(old, SOURCE, [group(i, name=f"Renamed {i}") for i in range(30)])
    fts_ok(old)
    assert matches(old, "renamed") == set(range(1, 31))
    assert old.execute("SELECT count(*) FROM groups_fts_docsize").fetchone()[0] == 30


def test_rewrites_are_indexed_in_bulk_and_keep_the_trigger(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    trigger = "SELECT sql FROM sqlite_master WHERE name = 'groups_au'"
    stored = conn.execute(trigger).fetchone()[0]
    catalog.refresh_source(conn, SOURCE, [group(i) for i in range(6)])
    renamed = [group(i, name=f"Renamed {i}") if i % 2 else group(i) for i in range(6)]
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    assert counts(catalog.refresh_source(conn, SOURCE, renamed)) == (0, 3, 3, 0)
    conn.set_trace_callback(None)
    assert "DROP TRIGGER main.groups_au" in statements  # set aside: indexed in bulk
    assert conn.execute(trigger).fetchone()[0] == stored
    assert matches(conn, "renamed") == {2, 4, 6}
    assert matches(conn, "support") == {1, 3, 5}  # the old names' terms are gone
    fts_ok(conn)
    with conn:  # a later rewrite by hand still goes through the trigger
        conn.execute("UPDATE groups SET name = 'Hoarding circle' WHERE rowid = 1")
    assert matches(conn, "hoarding") == {1}
    fts_ok(conn)


@pytest.mark.parametrize("goes_on", [False, True])
def test_a_failed_rewrite_restores_the_trigger_and_the_index(tmp_path: Path, goes_on: bool) -> None:
    conn = open_catalog(tmp_path)
    trigger = "SELECT sql FROM sqlite_master WHERE name = 'groups_au'"
    stored = conn.execute(trigger).fetchone()[0]
    catalog.refresh_source(conn, SOURCE, [group(i) for i in range(3)])
    broken = [group(0, name="Renamed 0"), group(1, name="Renamed 1", format=None)]  # NOT NULL
    if goes_on:  # a caller that goes on in the same transaction, then commits
        conn.execute("BEGIN")
        with pytest.raises(sqlite3.IntegrityError):
            catalog.upsert(conn, broken)
        conn.commit()
    else:
        with pytest.raises(sqlite3.IntegrityError), conn:
            catalog.upsert(conn, broken)
    assert conn.execute(trigger).fetchone()[0] == stored
    assert not matches(conn, "renamed")
    assert matches(conn, "support") == {1, 2, 3}
    fts_ok(conn)


def test_an_update_trigger_not_peerfinds_own_does_the_indexing(tmp_path: Path) -> None:
    conn = open_catalog(tmp_path)
    catalog.refresh_source(conn, SOURCE, [group(1), group(2)])
    with conn:  # a customised trigger: re-indexes the name only
        conn.execute("DROP TRIGGER groups_au")
        conn.execute(
            "CREATE TRIGGER groups_au AFTER UPDATE OF name ON groups BEGIN "
            "INSERT INTO groups_fts (groups_fts, rowid, name) "
            "VALUES ('delete', old.rowid, old.name); "
            "INSERT INTO groups_fts (rowid, name) VALUES (new.rowid, new.name); END"
        )
    custom = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'groups_au'").fetchone()[0]
    catalog.refresh_source(conn, SOURCE, [group(1, name="Renamed"), group(2)])
    assert (
        conn.execute("SELECT sql FROM sqlite_master WHERE name = 'groups_au'").fetchone()[0]
        == custom
    )
    assert matches(conn, "renamed") == {1}


def test_a_rewrite_whose_transaction_sqlite_rolled_back_leaves_the_index_alone(
    tmp_path: Path,
) -> None:
    conn = open_catalog(tmp_path)
    catalog.refresh_source(conn, SOURCE, [group(i) for i in range(3)])
    with conn:  # a trigger that rolls the whole transaction back, as a full disk can
        conn.execute(
            "CREATE TRIGGER stop BEFORE UPDATE ON groups WHEN new.name = 'Stop' "
            "BEGIN SELECT RAISE(ROLLBACK, 'stopped'); END"
        )
    conn.execute("BEGIN")
    with pytest.raises(sqlite3.IntegrityError, match="stopped"):
        catalog.upsert(conn, [group(0, name="Renamed"), group(1, name="Stop")])
    assert not conn.in_transaction
    assert matches(conn, "support") == {1, 2, 3} and not matches(conn, "renamed")
    fts_ok(conn)
