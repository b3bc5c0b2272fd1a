"""The catalog and place index shipped ready built (data/prebuilt/) match a fresh build.

When one of these fails, the bundled data or the code that builds it changed without the
shipped copies: run `python -m peerfind.sources.prebuilt` and commit data/prebuilt/.
"""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest

from peerfind import paths
from peerfind.places import index as gazetteer_index
from peerfind.sources import bundle, prebuilt


def dump(db: Path, skip: tuple[str, ...] = ()) -> list[str]:
    """Return the SQL text of a database's content (schema and rows), minus tables in `skip`."""
    conn = sqlite3.connect(db)
    try:
        return [
            line
            for line in conn.iterdump()
            if not any(f'"{t}"' in line or f" {t} " in line or f" {t}(" in line for t in skip)
        ]
    finally:
        conn.close()


def unpacked(name: str, tmp_path: Path) -> Path:
    """Return the shipped prebuilt file `name`, decompressed into tmp_path."""
    target = tmp_path / name.removesuffix(".gz")
    target.write_bytes(gzip.decompress(paths.prebuilt_path(name).read_bytes()))
    return target


def test_shipped_place_index_matches_a_fresh_build(tmp_path: Path) -> None:
    shipped = unpacked(paths.PREBUILT_INDEX, tmp_path)
    fresh = tmp_path / "fresh.sqlite"
    gazetteer_index.build_file(fresh)
    assert paths.prebuilt_meta(shipped, "fingerprint") == gazetteer_index.fingerprint()
    assert dump(shipped) == dump(fresh)


def test_shipped_catalog_matches_a_fresh_build(tmp_path: Path) -> None:
    shipped = unpacked(paths.PREBUILT_CATALOG, tmp_path)
    fresh = tmp_path / "fresh.db"
    bundle.build_from_feeds(fresh)
    assert paths.prebuilt_meta(shipped, paths.INPUTS_KEY) == prebuilt.bundle_inputs()
    # The full-text index's internal segments may be laid out differently by another SQLite
    # version; the rows it indexes are compared, and a query on it checks it works.
    internals = ("groups_fts_data", "groups_fts_idx")
    assert dump(shipped, internals) == dump(fresh, internals)
    conn = sqlite3.connect(shipped)
    try:
        hits = conn.execute("SELECT count(*) FROM groups_fts WHERE groups_fts MATCH 'serenity'")
        assert hits.fetchone()[0] > 0
    finally:
        conn.close()


def test_first_run_unpacks_instead_of_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def parse_feeds(*_: object) -> int:
        raise AssertionError("the feeds were parsed on a first run")

    monkeypatch.setattr(bundle, "build_from_feeds", parse_feeds)
    assert bundle.build_file(tmp_path / "catalog.db") >= 6500


def test_a_stale_copy_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A shipped copy built from other data is not used: the feeds are parsed instead."""
    calls = []
    monkeypatch.setattr(bundle, "bundle_inputs", lambda: "other-data")
    monkeypatch.setattr(
        bundle, "build_from_feeds", lambda path, progress=None: calls.append(path) or 0
    )
    target = tmp_path / "catalog.db"
    assert bundle.build_file(target) == 0
    assert calls == [target] and list(tmp_path.iterdir()) == []  # nothing left behind
