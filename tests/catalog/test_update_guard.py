"""`update` and `publish` hardening: shrink guard, --check, atomic pair, stale temps, full disk.

Issue 17 items 8, 12 (update/publish part) and 13; issue 19's `update --check`. Catalogs are
built from real feeds in tests/fixtures/meeting_guide (see ATTRIBUTION.md).
"""

from __future__ import annotations

import errno
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from local_hosts import closed_port
from test_publish import build_catalog, digest, names
from typer.testing import CliRunner

from peerfind.catalog import db as catalog
from peerfind.catalog import publish
from peerfind.cli.app import app
from peerfind.errors import CatalogError, FetchError

ATLANTA = "tsml-ui-atlanta-aa.json"  # 6 meetings
TZ = "tsml-ui-timezones.test.json"  # 2 meetings


def two_sources(path: Path) -> Path:
    """Build a catalog with the Atlanta feed as 'atlanta' and the time-zone feed as 'tz'."""
    build_catalog(path, ATLANTA, "atlanta")
    other = build_catalog(path.with_name("tz-only.db"), TZ, "tz")
    conn = catalog.connect(path)
    with conn:
        conn.execute("ATTACH DATABASE ? AS o", (str(other),))
        cols = ", ".join(catalog.COLUMNS)
        conn.execute(f"INSERT INTO groups ({cols}) SELECT {cols} FROM o.groups")
    conn.execute("DETACH DATABASE o")
    conn.close()
    return path


def test_update_refuses_an_empty_snapshot_unless_forced(tmp_path: Path) -> None:
    user = build_catalog(tmp_path / "home" / "catalog.db", ATLANTA, "atlanta")
    empty = tmp_path / "empty.db"
    catalog.connect(empty, create=True).close()
    publish.publish(empty, tmp_path / "site")
    before = digest(user)
    with pytest.raises(
        CatalogError,
        match=r"refused: the snapshot has no listings \(your "
        r"catalog has 6\).*--force",
    ):
        publish.update(str(tmp_path / "site"), user)
    assert digest(user) == before
    assert sorted(p.name for p in user.parent.iterdir()) == ["catalog.db"]
    assert publish.update(str(tmp_path / "site"), user, force=True).listings == 0


def test_update_refuses_a_snapshot_with_under_half_the_listings(tmp_path: Path) -> None:
    user = build_catalog(tmp_path / "home" / "catalog.db", ATLANTA, "atlanta")
    publish.publish(build_catalog(tmp_path / "small.db", TZ, "atlanta"), tmp_path / "site")
    with pytest.raises(CatalogError, match="has 2 listings, fewer than 50% of your catalog's 6"):
        publish.update(str(tmp_path / "site"), user)
    assert len(names(user)) == 6


def test_update_refuses_a_snapshot_dropping_a_source(tmp_path: Path) -> None:
    user = two_sources(tmp_path / "home" / "catalog.db")
    assert len(names(user)) == 8
    publish.publish(build_catalog(tmp_path / "a.db", ATLANTA, "atlanta"), tmp_path / "site")
    runner = CliRunner()
    res = runner.invoke(app, ["--db", str(user), "update", "--from", str(tmp_path / "site")])
    assert res.exit_code == 1
    assert "drops every listing of 1 source(s): tz" in res.output
    assert len(names(user)) == 8
    res = runner.invoke(
        app, ["--db", str(user), "update", "--force", "--from", str(tmp_path / "site")]
    )
    assert res.exit_code == 0, res.output
    assert len(names(user)) == 6


def test_check_says_age_and_whether_newer_without_downloading(tmp_path: Path) -> None:
    site = tmp_path / "site"
    user = build_catalog(tmp_path / "home" / "catalog.db", ATLANTA, "atlanta")
    publish.publish(user, site)
    runner = CliRunner()
    base = ["--db", str(user), "update", "--check", "--from", str(site)]
    res = runner.invoke(app, base)
    assert res.exit_code == 0, res.output
    assert "Installed catalog of unknown date" in res.output
    assert "A newer catalog is published" in res.output
    assert names(user) == names(tmp_path / "home" / "catalog.db")
    assert not publish.previous_path(user).exists()  # --check installed nothing
    publish.update(str(site), user)
    res = runner.invoke(app, base)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert f"Installed catalog from {today} (0 days old)" in res.output
    assert "No newer catalog is published." in res.output
    time.sleep(1.1)  # manifest dates have one-second resolution
    publish.publish(two_sources(tmp_path / "more.db"), site)
    res = runner.invoke(app, base)
    assert "8 listings. A newer catalog is published" in res.output


def test_check_offline_says_no_network(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/channel/"
    with pytest.raises(FetchError, match="no network: cannot reach 127.0.0.1"):
        publish.check(url, tmp_path / "c.db")
    res = CliRunner().invoke(
        app, ["--db", str(tmp_path / "c.db"), "update", "--check"], env={"PEERFIND_CHANNEL": url}
    )
    assert res.exit_code == 1
    assert res.output.startswith("peerfind: no network: cannot reach 127.0.0.1")
    assert "Traceback" not in res.output


def test_publish_killed_between_snapshot_and_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed before the manifest is replaced, clients still get the old pair, whole."""
    site = tmp_path / "site"
    old = build_catalog(tmp_path / "old.db", TZ, "atlanta")
    publish.publish(old, site)
    real_replace = os.replace

    def killed_at_manifest(src: Any, dst: Any) -> None:
        if Path(dst).name == publish.MANIFEST:
            raise KeyboardInterrupt  # the process dies here
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", killed_at_manifest)
    with pytest.raises(KeyboardInterrupt):
        publish.publish(build_catalog(tmp_path / "new.db", ATLANTA, "atlanta"), site)
    monkeypatch.setattr(publish.os, "replace", real_replace)
    user = tmp_path / "home" / "catalog.db"
    assert publish.update(str(site), user).listings == 2  # the old pair, checksum and all
    assert names(user) == names(old)


def test_publish_keeps_one_older_snapshot_and_prunes_the_rest(tmp_path: Path) -> None:
    site = tmp_path / "site"
    firsts = []
    for i, (feed, src) in enumerate([(TZ, "a"), (ATLANTA, "a"), (TZ, "b")]):
        firsts.append(publish.publish(build_catalog(tmp_path / f"{i}.db", feed, src), site))
    snaps = sorted(p.name for p in site.glob("catalog*.db.gz"))
    assert snaps == sorted([firsts[1]["snapshot"], firsts[2]["snapshot"]])


def old_temp(folder: Path, name: str, age: float) -> Path:
    """Create a temporary file as a killed run leaves it, `age` seconds old."""
    path = folder / name
    path.write_bytes(b"x" * 1000)
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def test_stale_temps_of_killed_runs_are_removed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    stale = [
        old_temp(site, ".catalog.db.gz.0123456789ab.tmp", 7200),
        old_temp(home, ".snapshot.0123456789ab.tmp", 7200),
        old_temp(home, ".catalog.abcdef012345.tmp-wal", 7200),
    ]
    young = old_temp(home, ".catalog.fedcba987654.tmp", 10)  # another run may own it
    mine = old_temp(home, "notes.tmp", 7200)  # not a peerfind temp name
    publish.publish(build_catalog(tmp_path / "c.db", ATLANTA, "atlanta"), site)
    publish.update(str(site), home / "catalog.db")
    assert not any(p.exists() for p in stale)
    assert young.exists() and mine.exists()


class FullDisk(io.RawIOBase):
    """A writable file that fails like a full disk once `room` bytes are written."""

    def __init__(self, room: int) -> None:
        """Accept `room` bytes, then ENOSPC."""
        self.room = room

    def writable(self) -> bool:
        """Return True: this is a file open for writing."""
        return True

    def write(self, data: Any) -> int:
        """Take bytes until the disk is full."""
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return len(data)


def full_disk_for(monkeypatch: pytest.MonkeyPatch, marker: str) -> None:
    """Make publish's writes to files whose name contains `marker` hit a full disk."""
    real_open = open

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode and marker in Path(file).name:
            return FullDisk(room=1000)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(publish, "open", fake_open, raising=False)


def test_update_on_a_full_disk_says_so_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    publish.publish(two_sources(tmp_path / "src.db"), site)
    user = build_catalog(tmp_path / "home" / "catalog.db", ATLANTA, "atlanta")
    before = (digest(user), names(user))
    full_disk_for(monkeypatch, ".catalog.")  # the unpacked snapshot
    res = CliRunner().invoke(app, ["--db", str(user), "update", "--from", str(site)])
    assert res.exit_code == 1
    assert res.output.startswith("peerfind: disk full")
    assert "not changed" in res.output and "gzip" not in res.output
    assert (digest(user), names(user)) == before
    assert sorted(p.name for p in user.parent.iterdir()) == ["catalog.db"]


def test_publish_on_a_full_disk_says_so_and_keeps_the_published_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    publish.publish(build_catalog(tmp_path / "old.db", TZ, "a"), site)
    before = sorted((p.name, digest(p)) for p in site.iterdir())
    full_disk_for(monkeypatch, ".catalog.db.gz.")  # the packed snapshot
    new = build_catalog(tmp_path / "new.db", ATLANTA, "a")
    res = CliRunner().invoke(app, ["--db", str(new), "publish", str(site)])
    assert res.exit_code == 1
    assert res.output.startswith("peerfind: disk full while publishing")
    assert sorted((p.name, digest(p)) for p in site.iterdir()) == before
    assert json.loads((site / "manifest.json").read_text())["total"] == 2


def test_full_disk_while_keeping_the_previous_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No room for the copy kept for --rollback: 'disk full', nothing changed, no temp left."""
    site = tmp_path / "site"
    publish.publish(two_sources(tmp_path / "src.db"), site)
    user = build_catalog(tmp_path / "home" / "catalog.db", ATLANTA, "atlanta")
    before = (digest(user), names(user))

    def no_link(src: Any, dst: Any) -> None:
        raise OSError(errno.EXDEV, "cross-device link")  # so a real copy is needed

    def no_room(src: Any, dst: Any, **kwargs: Any) -> None:
        Path(dst).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(publish.os, "link", no_link)
    monkeypatch.setattr(publish.shutil, "copy2", no_room)
    with pytest.raises(CatalogError, match="^disk full: .* your catalog was not changed"):
        publish.update(str(site), user)
    assert (digest(user), names(user)) == before
    assert sorted(p.name for p in user.parent.iterdir()) == ["catalog.db"]
