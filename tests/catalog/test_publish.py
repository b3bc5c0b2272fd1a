"""Publishing a catalog snapshot and updating from it over a local HTTP server.

Catalogs are built from real feeds in tests/fixtures/meeting_guide (see ATTRIBUTION.md).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import json
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import load_page
from typer.testing import CliRunner

from peerfind.catalog import channel, publish
from peerfind.catalog import db as catalog
from peerfind.errors import CatalogError, FetchError, UsageError
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.scraping import SourceConfig


def build_catalog(path: Path, feed: str, source: str) -> Path:
    """Create a catalog at `path` holding the listings of one fixture feed."""
    scraper = MeetingGuide(SourceConfig(name=source, program="aa", timezone="America/New_York"))
    groups = scraper.parse_groups(load_page(f"meeting_guide/{feed}"))
    conn = catalog.connect(path, create=True)
    catalog.refresh_source(conn, source, groups, force=True)
    conn.close()
    return path


def names(path: Path) -> list[str]:
    """Return the sorted listing names in a catalog file."""
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute("SELECT name FROM groups"))
    finally:
        conn.close()


def digest(path: Path) -> str:
    """Return the sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve a folder on 127.0.0.1 (port chosen by the OS); yield (base URL, folder)."""
    folder = tmp_path / "site"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/snap", folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def setup(tmp_path: Path, served: tuple[str, Path]) -> tuple[str, Path, Path, Path]:
    """Publish the Atlanta catalog into the served folder; the user's catalog has another feed.

    Returns (base URL, published folder, user's catalog, published source catalog).
    """
    base, folder = served
    source = build_catalog(tmp_path / "source.db", "tsml-ui-atlanta-aa.json", "atlanta-aa")
    publish.publish(source, folder / "snap")
    # The same source name: a snapshot dropping a source whole would be refused (test_guard.py).
    user = build_catalog(
        tmp_path / "home" / "catalog.db", "tsml-ui-timezones.test.json", "atlanta-aa"
    )
    return base, folder / "snap", user, source


def snapfile(folder: Path) -> Path:
    """Return the snapshot file the manifest in `folder` names."""
    return folder / json.loads((folder / "manifest.json").read_text())["snapshot"]


def edit_manifest(folder: Path, **changes: object) -> None:
    """Change fields of a published manifest."""
    path = folder / "manifest.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_publish_writes_snapshot_and_manifest(setup: tuple[str, Path, Path, Path]) -> None:
    _, snap, _, source = setup
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["format"] == "peerfind-catalog-snapshot"
    assert manifest["counts"] == {"atlanta-aa": 6}
    assert manifest["total"] == 6
    assert manifest["last_confirmed"] == "2026-11-01"  # the fixture's fetch date
    assert manifest["schema_version"] == catalog.SCHEMA_VERSION
    assert manifest["peerfind_version"] == "0.1.0"
    assert manifest["sha256"] == digest(snapfile(snap))
    assert manifest["size"] == (snapfile(snap)).stat().st_size
    raw = gzip.decompress((snapfile(snap)).read_bytes())
    assert hashlib.sha256(raw).hexdigest() == manifest["db_sha256"]
    assert manifest["snapshot"] == f"catalog-{manifest['sha256'][:16]}.db.gz"
    assert sorted(p.name for p in snap.iterdir()) == [manifest["snapshot"], "manifest.json"]


def test_update_swaps_in_snapshot_and_keeps_previous(setup: tuple[str, Path, Path, Path]) -> None:
    base, _, user, source = setup
    before = names(user)
    assert before == ["PA meeting at 11:45", "San Francisco meeting at 9:00"]
    result = publish.update(base, user)
    assert result.listings == 6
    assert names(user) == names(source)
    assert "Early Sunday Morning" in names(user)
    assert result.previous == user.with_name("catalog.db.previous")
    assert names(result.previous) == before
    conn = catalog.connect(user)  # a usable catalog: schema and full-text index work
    hit = conn.execute("SELECT name FROM groups_fts WHERE groups_fts MATCH 'serenity'").fetchall()
    assert [r[0] for r in hit] == ["Sunday Serenity and Spirituality"]
    conn.close()


def test_rollback_restores_previous_and_twice_undoes(setup: tuple[str, Path, Path, Path]) -> None:
    base, _, user, source = setup
    before = names(user)
    publish.update(base, user)
    publish.rollback(user)
    assert names(user) == before
    assert names(publish.previous_path(user)) == names(source)
    publish.rollback(user)
    assert names(user) == names(source)


def test_rollback_without_previous_fails(tmp_path: Path) -> None:
    user = build_catalog(tmp_path / "c.db", "tsml-ui-timezones.test.json", "tz")
    with pytest.raises(CatalogError, match="no previous catalog"):
        publish.rollback(user)


def untouched(user: Path, before: tuple[str, list[str]]) -> None:
    """Assert the user's catalog is byte-identical, readable, and no update left files behind."""
    assert (digest(user), names(user)) == before
    assert not publish.previous_path(user).exists()
    assert sorted(p.name for p in user.parent.iterdir()) == ["catalog.db"]


def test_wrong_checksum_leaves_catalog(setup: tuple[str, Path, Path, Path]) -> None:
    base, snap, user, _ = setup
    before = (digest(user), names(user))
    edit_manifest(snap, sha256="0" * 64)
    with pytest.raises(CatalogError, match="checksum .* does not match"):
        publish.update(base, user)
    untouched(user, before)


def test_truncated_download_leaves_catalog(setup: tuple[str, Path, Path, Path]) -> None:
    base, snap, user, _ = setup
    before = (digest(user), names(user))
    gz = snapfile(snap)
    gz.write_bytes(gz.read_bytes()[: gz.stat().st_size // 2])
    with pytest.raises(CatalogError, match="incomplete"):
        publish.update(base, user)
    untouched(user, before)
    # A manifest that matches the cut file still fails: the gzip stream is truncated.
    edit_manifest(snap, size=gz.stat().st_size, sha256=digest(gz))
    with pytest.raises(CatalogError, match="truncated"):
        publish.update(base, user)
    untouched(user, before)


def test_newer_schema_refused(setup: tuple[str, Path, Path, Path]) -> None:
    base, snap, user, _ = setup
    before = (digest(user), names(user))
    edit_manifest(snap, schema_version=catalog.SCHEMA_VERSION + 1)
    with pytest.raises(CatalogError, match="newer than this peerfind"):
        publish.update(base, user)
    untouched(user, before)


def test_newer_schema_inside_snapshot_refused(
    setup: tuple[str, Path, Path, Path], tmp_path: Path
) -> None:
    base, snap, user, source = setup
    before = (digest(user), names(user))
    bumped = tmp_path / "bumped.db"
    shutil.copy(source, bumped)
    conn = sqlite3.connect(bumped)
    conn.execute(f"PRAGMA user_version = {catalog.SCHEMA_VERSION + 1}")
    conn.close()
    gz = snapfile(snap)
    gz.write_bytes(gzip.compress(bumped.read_bytes()))
    edit_manifest(snap, size=gz.stat().st_size, sha256=digest(gz))
    with pytest.raises(CatalogError, match=f"schema {catalog.SCHEMA_VERSION + 1}, newer"):
        publish.update(base, user)
    untouched(user, before)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<html>503 Service Unavailable</html>", "not gzip"),
        (gzip.compress(b"SQLite format 3\x00" + b"\x00" * 200), "not a usable SQLite"),
        (gzip.compress(b"just some text, not a database at all\n" * 50), "not a usable SQLite"),
    ],
)
def test_garbage_snapshot_leaves_catalog(
    setup: tuple[str, Path, Path, Path], payload: bytes, message: str
) -> None:
    base, snap, user, _ = setup
    before = (digest(user), names(user))
    gz = snapfile(snap)
    gz.write_bytes(payload)
    edit_manifest(snap, size=len(payload), sha256=hashlib.sha256(payload).hexdigest())
    with pytest.raises(CatalogError, match=message):
        publish.update(base, user)
    untouched(user, before)


def test_sqlite_but_not_a_catalog_refused(
    setup: tuple[str, Path, Path, Path], tmp_path: Path
) -> None:
    base, snap, user, _ = setup
    before = (digest(user), names(user))
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    gz = snapfile(snap)
    gz.write_bytes(gzip.compress(other.read_bytes()))
    edit_manifest(snap, size=gz.stat().st_size, sha256=digest(gz))
    with pytest.raises(CatalogError, match="not a peerfind catalog"):
        publish.update(base, user)
    untouched(user, before)


def test_missing_manifest_and_bad_manifest(setup: tuple[str, Path, Path, Path]) -> None:
    base, snap, user, _ = setup
    before = (digest(user), names(user))
    with pytest.raises(FetchError, match="HTTP 404"):
        publish.update(base + "/nowhere", user)
    good = (snap / "manifest.json").read_text()
    (snap / "manifest.json").write_text("<html>not json</html>")
    with pytest.raises(CatalogError, match="not a peerfind snapshot manifest"):
        publish.update(base, user)
    (snap / "manifest.json").write_text(good)
    edit_manifest(snap, snapshot="../../etc/passwd")
    with pytest.raises(CatalogError, match="malformed"):
        publish.update(base, user)
    untouched(user, before)


def test_oversized_snapshot_refused(
    setup: tuple[str, Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, _, user, _ = setup
    before = (digest(user), names(user))
    monkeypatch.setattr(publish, "MAX_SNAPSHOT_BYTES", 100)
    with pytest.raises(CatalogError, match="over the 100 cap"):
        publish.update(base, user)
    untouched(user, before)


def test_no_configured_url_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEERFIND_UPDATE_URL", raising=False)
    monkeypatch.delenv("PEERFIND_CHANNEL", raising=False)
    assert channel.CHANNEL == ""  # the project has no published channel of its own yet
    with pytest.raises(UsageError, match="pass --from URL .* or set PEERFIND_CHANNEL=URL"):
        publish.update(None, tmp_path / "c.db")
    assert not (tmp_path / "c.db").exists()


def test_env_url_and_fresh_install(
    setup: tuple[str, Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, _, _, source = setup
    monkeypatch.setenv("PEERFIND_UPDATE_URL", base + "/manifest.json")
    fresh = tmp_path / "new" / "catalog.db"
    result = publish.update(None, fresh)
    assert result.previous is None
    assert names(fresh) == names(source)


def test_update_from_local_folder(setup: tuple[str, Path, Path, Path]) -> None:
    _, snap, user, source = setup
    publish.update(str(snap), user)
    assert names(user) == names(source)


def test_cli_publish_update_rollback(setup: tuple[str, Path, Path, Path], tmp_path: Path) -> None:
    from peerfind.cli.app import app

    base, _, user, source = setup
    before = names(user)
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(app, ["--db", str(source), "publish", str(out)])
    assert res.exit_code == 0, res.output
    assert "Published 6 listings from 1 sources" in res.output
    assert json.loads((out / "manifest.json").read_text())["counts"] == {"atlanta-aa": 6}
    assert f"to {snapfile(out)} (" in res.output  # the file it wrote, named by its content
    res = runner.invoke(app, ["--db", str(user), "update", "--from", base])
    assert res.exit_code == 0, res.output
    assert "6 listings" in res.output and "catalog.db.previous" in res.output
    assert names(user) == names(source)
    res = runner.invoke(app, ["--db", str(user), "update", "--rollback"])
    assert res.exit_code == 0, res.output
    assert names(user) == before
    res = runner.invoke(
        app, ["--db", str(user), "update"], env={"PEERFIND_UPDATE_URL": "", "PEERFIND_CHANNEL": ""}
    )
    assert res.exit_code == 2
    assert "no update channel configured" in res.output
