"""The refresh's quality gates (peerfind.sources.gates) on catalogs built from recorded feeds.

Feeds: tests/fixtures/meeting_guide (Atlanta AA, Al-Anon; see ATTRIBUTION.md).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from test_publish import build_catalog

from peerfind.catalog import db as catalog
from peerfind.sources import gates
from peerfind.sources.gates import SourceOutcome


@pytest.fixture()
def published(tmp_path: Path) -> Path:
    """A catalog with Atlanta (6 listings) and Al-Anon (360) as last published."""
    path = build_catalog(tmp_path / "published.db", "tsml-ui-al-anon.json", "al-anon")
    other = build_catalog(tmp_path / "atl.db", "tsml-ui-atlanta-aa.json", "atlanta")
    conn = catalog.connect(path)
    with conn:
        conn.execute("ATTACH DATABASE ? AS o", (str(other),))
        cols = ", ".join(catalog.COLUMNS)
        conn.execute(f"INSERT INTO groups ({cols}) SELECT {cols} FROM o.groups")
    conn.execute("DETACH DATABASE o")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def changed(published: Path, tmp_path: Path, sql: str) -> Path:
    """Return a copy of the published catalog with `sql` applied (what a refresh left)."""
    current = tmp_path / "current.db"
    shutil.copy(published, current)
    conn = sqlite3.connect(current)
    with conn:
        conn.execute(sql)
    conn.close()
    return current


OK = [SourceOutcome("al-anon", "ok"), SourceOutcome("atlanta", "ok")]


def test_unchanged_catalog_passes(published: Path, tmp_path: Path) -> None:
    current = changed(published, tmp_path, "UPDATE groups SET last_seen = '2026-12-05'")
    verdict = gates.evaluate(published, current, OK)
    assert verdict.passed, verdict.failures
    assert (verdict.before, verdict.after) == (366, 366)
    assert verdict.named == []


def test_losing_over_a_tenth_stops(published: Path, tmp_path: Path) -> None:
    current = changed(
        published,
        tmp_path,
        "UPDATE groups SET status = 'removed' WHERE rowid IN "
        "(SELECT rowid FROM groups WHERE source = 'al-anon' LIMIT 40)",
    )
    verdict = gates.evaluate(published, current, OK)
    assert verdict.failures == [
        "the catalog lost 40 of 366 listings (11%), more than the 10% allowed"
    ]
    assert gates.evaluate(published, current, OK, max_loss=0.2).passed


def test_gutted_fields_stop(published: Path, tmp_path: Path) -> None:
    current = changed(
        published,
        tmp_path,
        "UPDATE groups SET address = '', latitude = NULL, "
        "longitude = NULL WHERE source = 'al-anon'",
    )
    verdict = gates.evaluate(published, current, OK)
    assert len(verdict.failures) == 1
    assert verdict.failures[0].startswith("source gutted: al-anon: listings with address 0% (was")
    assert "coordinates 0%" in verdict.failures[0]


def test_gutted_count_stops(published: Path, tmp_path: Path) -> None:
    current = changed(
        published,
        tmp_path,
        "UPDATE groups SET status = 'removed' WHERE rowid IN "
        "(SELECT rowid FROM groups WHERE source = 'atlanta' LIMIT 4)",
    )
    verdict = gates.evaluate(published, current, OK)
    assert verdict.failures == ["source gutted: atlanta: 2 listings, 6 published"]


def test_failed_share(published: Path, tmp_path: Path) -> None:
    current = changed(published, tmp_path, "UPDATE groups SET last_seen = '2026-12-05'")
    runs = [
        SourceOutcome("a", "failed", message="HTTP 404"),
        SourceOutcome("b", "ok"),
        SourceOutcome("c", "suspicious", message="returned 1 listings, previously 9"),
        SourceOutcome("d", "ok"),
    ]
    verdict = gates.evaluate(published, current, runs)
    assert verdict.passed  # one in four is not more than a quarter
    assert verdict.named == [
        "a (failed: HTTP 404)",
        "c (suspicious: returned 1 listings, previously 9)",
    ]
    verdict = gates.evaluate(published, current, runs[:3])
    assert verdict.failures == ["1 of 3 sources failed (33%), more than the 25% allowed: a"]


def test_integrity_failure_stops(published: Path, tmp_path: Path) -> None:
    current = tmp_path / "current.db"
    data = bytearray(published.read_bytes())
    data[20_000:60_000] = b"\xa5" * 40_000  # pages of listings overwritten
    current.write_bytes(bytes(data))
    verdict = gates.evaluate(published, current, OK)
    assert len(verdict.failures) == 1
    assert verdict.failures[0].startswith("integrity check failed")


def test_coverage_against_published(published: Path, tmp_path: Path) -> None:
    current = changed(
        published,
        tmp_path,
        "UPDATE groups SET status = 'removed' WHERE rowid IN "
        "(SELECT rowid FROM groups WHERE source = 'atlanta' LIMIT 1)",
    )
    report = gates.coverage_report(published, current)
    assert set(report) == {"state", "organization", "format"}
    fmt = {row[0]: row[1:] for row in report["format"]}
    assert sum(was for was, _ in fmt.values()) == 366
    assert sum(now for _, now in fmt.values()) == 365
    text = gates.coverage_markdown(report)
    assert "## By state" in text and "| -1 |" in text


def test_run_report_is_committed_and_pushed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--commit-report: the run report lands in the repository (what keeps a schedule alive)."""
    import subprocess

    from peerfind.sources.refresh import commit_report

    def git(*args: str, cwd: Path) -> str:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout

    remote, clone = tmp_path / "remote.git", tmp_path / "clone"
    git("init", "-q", "--bare", "-b", "main", str(remote), cwd=tmp_path)
    git("clone", "-q", str(remote), str(clone), cwd=tmp_path)
    for key, value in (("user.name", "test"), ("user.email", "test@example.org")):
        git("config", key, value, cwd=clone)
    (clone / "README").write_text("x\n")
    git("add", "README", cwd=clone)
    git("commit", "-q", "-m", "first", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)
    report = tmp_path / "run-report.md"
    report.write_text("# Catalog refresh\n- Result: **published**\n")
    monkeypatch.chdir(clone)
    said = commit_report(report, Path("refresh/last-run.md"), "Catalog refresh: published")
    assert said.startswith("run report committed")
    assert git("log", "-1", "--format=%s", "main", cwd=remote).strip() == (
        "Catalog refresh: published"
    )
    assert "Result: **published**" in git("show", "main:refresh/last-run.md", cwd=remote)
