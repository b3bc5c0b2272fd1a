"""Faults around the catalog: a refresh killed at many points, a full disk, damaged, locked and
read-only catalogs, `peerfind doctor`, and searches running while a refresh writes.

Two real Meeting Guide feeds are refreshed as alternating versions: "old" (every meeting, recorded
2026-03-02) and "new" (a fifth of the meetings gone, notes carrying a marker, recorded 2026-04-06).
After any fault each source must hold exactly the old or exactly the new listings: same ids,
statuses, dates and descriptions, and a full-text index that agrees.

With PEERFIND_RELIABILITY_OUT set, the tests add their counts to that JSON file (see
docs/make_reliability.py).
"""

from __future__ import annotations

import functools
import json
import os
import select
import signal
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peerfind.catalog import db as catalog
from peerfind.catalog import doctor
from peerfind.cli.app import app
from peerfind.errors import CatalogError
from peerfind.models import Group, Page
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.scraping import Scraper, SourceConfig
from peerfind.search import engine as s
from peerfind.sources import bundle, runner

FEEDS = Path(__file__).parents[1] / "fixtures" / "meeting_guide"
SOURCES = {  # source name -> (fixture, zone, organization)
    "eda": ("tsml-ui-eda.json", "America/New_York", "Eating Disorders Anonymous"),
    "kc-aa": ("spec-kansas-city-data-sample.json", "America/Chicago", "Kansas City AA"),
}
RECORDED = {
    "old": datetime(2026, 3, 2, 12, tzinfo=UTC),
    "new": datetime(2026, 4, 6, 12, tzinfo=UTC),
}
MARK = "Generation B"
REFRESHES = 12  # refreshes while searches run
cli = CliRunner()


def record(key: str, value: object) -> None:
    """Add a count to the reliability results file when PEERFIND_RELIABILITY_OUT names one."""
    out = os.environ.get("PEERFIND_RELIABILITY_OUT")
    if not out:
        return
    path = Path(out)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=2, sort_keys=True))


@functools.cache
def feed_text(name: str, gen: str) -> str:
    """Return one version of a source's real feed: 'old' as published, 'new' changed."""
    rows = json.loads((FEEDS / SOURCES[name][0]).read_text(encoding="utf-8"))
    if gen == "new":
        rows = [r for i, r in enumerate(rows) if i % 5 != 4]
        for row in rows:
            row["notes"] = f"{row.get('notes') or ''}\n{MARK}".strip()
    return json.dumps(rows)


def config(name: str) -> SourceConfig:
    """Return the source configuration the tests refresh `name` with."""
    _, zone, org = SOURCES[name]
    return SourceConfig(name=name, platform="meeting-guide", organization=org, timezone=zone)


def parse(name: str, gen: str) -> tuple[list[Group], MeetingGuide]:
    """Parse one version of a source's feed."""
    page = Page(
        url=f"https://feeds.example.org/{name}.json",
        text=feed_text(name, gen),
        fetched_at=RECORDED[gen],
    )
    scraper = MeetingGuide(config(name))
    return scraper.parse_groups(page), scraper


def refresh(conn: sqlite3.Connection, name: str, gen: str) -> runner.SourceRun:
    """Parse a version of a source and store it the way `peerfind scrape` does."""
    groups, scraper = parse(name, gen)
    return runner.store(
        conn, runner.SourceRun(config=config(name), groups=groups, report=scraper.report)
    )


@functools.cache
def expected(name: str) -> dict[str, dict[str, tuple[str, str, str]]]:
    """Return the exact rows (id -> status, last_seen, description) of each generation."""
    old = {g.id: (g.status, g.last_seen, g.description) for g in parse(name, "old")[0]}
    new = {g.id: (g.status, g.last_seen, g.description) for g in parse(name, "new")[0]}
    for ident, (_, seen, desc) in old.items():
        new.setdefault(ident, ("removed", seen, desc))
    assert old != new and MARK not in str(old)
    return {"old": old, "new": new}


def state(conn: sqlite3.Connection, name: str) -> dict[str, tuple[str, str, str]]:
    """Return a source's rows as stored (one statement: one snapshot)."""
    rows = conn.execute(
        "SELECT id, status, last_seen, description FROM groups WHERE source = ?", (name,)
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def generation(conn: sqlite3.Connection, name: str) -> str:
    """Return 'old' or 'new' when a source holds exactly one version; fail on anything else."""
    now = state(conn, name)
    for gen, rows in expected(name).items():
        if now == rows:
            return gen
    mixed = {r[1] for r in now.values()}
    raise AssertionError(f"{name}: {len(now)} rows match neither version (dates {mixed})")


def verify(db: Path) -> dict[str, str]:
    """Open a catalog after a fault; check integrity, the FTS index and each source's version."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO groups_fts (groups_fts, rank) VALUES ('integrity-check', 1)")
        gens = {name: generation(conn, name) for name in SOURCES}
        marked = {
            r[0]
            for r in conn.execute(
                "SELECT g.id FROM groups_fts f JOIN groups g ON g.rowid = f.rowid "
                "WHERE groups_fts MATCH ?",
                (f'"{MARK}"',),
            )
        }
        want = {
            i for n, gen in gens.items() for i, row in expected(n)[gen].items() if MARK in row[2]
        }
        assert marked == want
        return gens
    finally:
        conn.close()


def build(db: Path, gen: str = "old") -> None:
    """Create a catalog holding one version of every test source."""
    conn = catalog.connect(db, create=True)
    for name in SOURCES:
        assert refresh(conn, name, gen).status == "ok"
    conn.close()


# --- SIGKILL at many points --------------------------------------------------------------


def _current(conn: sqlite3.Connection, name: str) -> str:
    """Return which version a source holds, by its newest confirmation date."""
    seen = conn.execute(
        "SELECT max(last_seen) FROM groups WHERE source = ? AND status != 'removed'", (name,)
    ).fetchone()[0]
    return "new" if seen == RECORDED["new"].date().isoformat() else "old"


WRITES = ("BEGIN", "COMMIT", "INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "RELEASE")


def _kind(sql: str) -> str:
    """Return 'sql:' + the first three words of a writing or transaction statement, else ''."""
    words = sql.replace("(", " ").split()[:3]
    return "sql:" + " ".join(words) if words and words[0].upper() in WRITES else ""


def _loop(db: Path, mode: str, at: int, wfd: int | None, iterations: int = 6) -> dict[str, int]:
    """Refresh every source in turn, flipping versions; kill this process at the `at`-th event.

    mode: 'parse' (records built by the parser), 'progress' (SQLite VM progress callbacks),
    'sql:<statement kind>' (just before SQLite runs such a statement), or 'none'. Phase bytes go
    to `wfd`: P parsing, W writing, C stored. Returns the event counts when never killed.
    """
    counts: dict[str, int] = {}

    def event(kind: str) -> None:
        counts[kind] = counts.get(kind, 0) + 1
        if kind == mode and counts[kind] == at:
            os.kill(os.getpid(), signal.SIGKILL)

    def statement(sql: str) -> None:
        if kind := _kind(sql):
            event(kind)

    def note(byte: bytes) -> None:
        if wfd is not None:
            os.write(wfd, byte)

    conn = catalog.connect(db)
    conn.set_progress_handler(lambda: event("progress") or 0, 100)
    conn.set_trace_callback(statement)
    original = Scraper.group

    def counted(self: Scraper, page: Page, **values: object) -> Group:
        event("parse")
        return original(self, page, **values)

    Scraper.group = counted  # type: ignore[method-assign]
    try:
        note(b"R")
        gens = {n: "new" if _current(conn, n) == "old" else "old" for n in SOURCES}
        for _ in range(iterations):
            for name in SOURCES:
                note(b"P")
                groups, scraper = parse(name, gens[name])
                note(b"W")
                run = runner.SourceRun(config=config(name), groups=groups, report=scraper.report)
                assert runner.store(conn, run).status == "ok", run.fatal
                note(b"C")
                gens[name] = "new" if gens[name] == "old" else "old"
    finally:
        Scraper.group = original  # type: ignore[method-assign]
        conn.close()
    return counts


def _trial(db: Path, mode: str, at: int, delay: float = 0.0) -> str:
    """Run the refresh loop in a forked child, kill it, return the phase it died in."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns to pytest
        code = 4
        try:
            os.close(rfd)
            _loop(db, mode, at, wfd)
        except BaseException:
            code = 3
        os._exit(code)
    os.close(wfd)
    if mode == "timed":
        select.select([rfd], [], [], 20)
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)
    phases = b""
    while chunk := os.read(rfd, 4096):
        phases += chunk
    os.close(rfd)
    status = done[1]
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
        f"{mode}@{at}: the worker was not killed (status {status}, phases {phases[-5:]!r})"
    )
    last = phases[-1:]
    return {b"R": "start", b"P": "parse", b"W": "write", b"C": "between"}.get(last, "start")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_refresh_killed_at_many_points_keeps_old_or_new(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    assert verify(db) == {"eda": "old", "kc-aa": "old"}
    # Calibrate: count the events of one old -> new -> old cycle of both sources.
    clock = time.monotonic()
    counts = _loop(db, "none", 0, None, iterations=2)
    cycle = time.monotonic() - clock
    assert verify(db) == {"eda": "old", "kc-aa": "old"}
    plan: list[tuple[str, int, float]] = []
    plan += [("parse", 1 + k * counts["parse"] // 12, 0.0) for k in range(12)]
    plan += [("progress", 1 + k * counts["progress"] // 16, 0.0) for k in range(16)]
    kinds = sorted(k for k in counts if k.startswith("sql:"))
    assert {"sql:BEGIN", "sql:COMMIT"} <= set(kinds) and len(kinds) >= 4, kinds
    for kind in kinds:  # every kind of write, at its first, last and three middle occurrences
        n = counts[kind]
        plan += [(kind, nth, 0.0) for nth in sorted({1, n, *(1 + j * n // 4 for j in (1, 2, 3))})]
    plan += [("timed", 0, cycle * (k + 0.5) / 12) for k in range(12)]
    assert len(plan) >= 50
    phases: dict[str, int] = {}
    seen: dict[str, int] = {"old": 0, "new": 0}
    for mode, at, delay in plan:
        phase = _trial(db, mode, at, delay)
        phases[phase] = phases.get(phase, 0) + 1
        for gen in verify(db).values():
            seen[gen] += 1
    assert phases.get("parse", 0) >= 12 and phases.get("write", 0) >= 30, phases
    assert seen["old"] and seen["new"]  # kills landed before and after commits
    report = doctor.check_catalog(db)
    assert report.healthy, report.problems
    record("kill_trials", len(plan))
    record("kill_phases", phases)
    record("kill_injected", len(plan) - 12)
    record("kill_statement_kinds", len(kinds))


# --- a full disk --------------------------------------------------------------------------


def _fill(conn: sqlite3.Connection) -> None:
    """Make the catalog unable to grow: compact it and cap its size at its current pages."""
    conn.execute("VACUUM")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def test_full_disk_rolls_back_and_keeps_listings(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    conn = catalog.connect(db)
    before = {n: state(conn, n) for n in SOURCES}
    _fill(conn)
    groups, _ = parse("eda", "new")
    with pytest.raises(CatalogError, match=r"disk .* full; nothing was changed"):
        catalog.refresh_source(conn, "eda", groups)
    assert not conn.in_transaction
    assert {n: state(conn, n) for n in SOURCES} == before
    run = refresh(conn, "eda", "new")  # the scrape runner's path: the source fails, others go on
    assert run.status == "failed" and "full" in run.fatal
    assert state(conn, "eda") == before["eda"] == expected("eda")["old"]
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert refresh(conn, "eda", "new").status == "ok"  # room again: the same refresh succeeds
    conn.close()
    assert verify(db)["eda"] == "new"


def test_full_disk_through_scrape_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    feed = tmp_path / "eda.json"
    feed.write_text(feed_text("eda", "new"), encoding="utf-8")
    real = catalog.connect

    def full_connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = real(*args, **kwargs)  # type: ignore[arg-type]
        _fill(conn)
        return conn

    monkeypatch.setattr(catalog, "connect", full_connect)
    result = cli.invoke(
        app,
        [
            "--db",
            str(db),
            "scrape",
            "--platform",
            "meeting-guide",
            "--url",
            feed.as_uri(),
            "--name",
            "eda",
            "--cache",
            str(tmp_path / "c"),
        ],
    )
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "eda: FAILED: catalog: the disk holding" in result.stdout
    assert "is full; nothing was changed" in result.stdout
    assert verify(db) == {"eda": "old", "kc-aa": "old"}


# --- damaged, locked and read-only catalogs through `peerfind search` ---------------------


def search_cli(db: Path, *extra: str):  # type: ignore[no-untyped-def]
    """Run `peerfind search` on a catalog (JSON output, a fixed clock)."""
    return cli.invoke(
        app,
        ["--db", str(db), "search", "--format", "online", "-o", "json", "--limit", "500", *extra],
        env={"PEERFIND_NOW": "2026-04-07T18:00:00-04:00", "TZ": "America/New_York"},
    )


def one_line_error(result, *words: str) -> None:  # type: ignore[no-untyped-def]
    """Assert a clean failure: non-zero exit, one 'peerfind:' line on stderr, no traceback."""
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("peerfind: "), result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    for word in words:
        assert word in lines[0]


def test_damaged_catalogs_give_one_clear_line(tmp_path: Path) -> None:
    db = tmp_path / "good.db"
    build(db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = db.read_bytes()
    tried = 0
    for cut in (1, 50, 100, 1024, 4096, 8192, len(data) // 3, len(data) // 2):
        bad = tmp_path / f"cut-{cut}.db"
        bad.write_bytes(data[:cut])
        one_line_error(search_cli(bad), str(bad), "peerfind doctor")
        assert not doctor.check_catalog(bad).healthy
        tried += 1
    for label, body in (
        ("garbage", bytes(range(256)) * 40),
        ("text", b"name,city\nA,B\n"),
        ("empty", b""),
        ("html", b"<!doctype html><title>404</title>"),
    ):
        bad = tmp_path / f"{label}.db"
        bad.write_bytes(body)
        one_line_error(search_cli(bad), str(bad), "doctor")
        tried += 1
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE notes (x)").connection.commit()
    one_line_error(search_cli(other), "not a peerfind catalog")
    one_line_error(search_cli(tmp_path / "missing.db"), "no catalog at")
    assert not (tmp_path / "missing.db").exists()
    record("damaged_catalogs", tried + 2)


class _QuickBusy(sqlite3.Connection):
    """A connection that gives up on a lock after 0.3 s instead of 10 (keeps the test short)."""

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:  # type: ignore[override]
        """Run SQL, shortening the busy timeout peerfind sets."""
        if sql.startswith("PRAGMA busy_timeout"):
            sql = "PRAGMA busy_timeout = 300"
        return super().execute(sql, *args)  # type: ignore[arg-type]


def test_locked_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    unlocked = search_cli(db)
    assert unlocked.exit_code == 0 and len(json.loads(unlocked.stdout)) > 20
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE groups SET name = 'held' WHERE source = 'eda'")
    # WAL: a writer holding BEGIN EXCLUSIVE does not stop readers, who see the last commit.
    during = search_cli(db)
    assert during.exit_code == 0 and during.stdout == unlocked.stdout
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", functools.partial(real, factory=_QuickBusy))
    feed = tmp_path / "eda.json"
    feed.write_text(feed_text("eda", "new"), encoding="utf-8")
    scrape = cli.invoke(
        app,
        [
            "--db",
            str(db),
            "scrape",
            "--platform",
            "meeting-guide",
            "--url",
            feed.as_uri(),
            "--name",
            "eda",
            "--cache",
            str(tmp_path / "c"),
        ],
    )
    assert scrape.exit_code == 1 and "Traceback" not in scrape.output
    assert "is locked by another peerfind; try again in a moment." in scrape.output
    holder.execute("ROLLBACK")
    holder.close()
    monkeypatch.undo()
    assert verify(db) == {"eda": "old", "kc-aa": "old"}
    assert {p.name for p in tmp_path.glob("catalog.db*")} <= {
        "catalog.db",
        "catalog.db-shm",
        "catalog.db-wal",
    }


def test_exclusively_locked_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    # A program holding the file in exclusive locking mode stops readers too: a clear line.
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE meta SET value = value")
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", functools.partial(real, factory=_QuickBusy))
    one_line_error(search_cli(db), f"the catalog {db} is locked by another peerfind")
    report = doctor.check_catalog(db)
    assert report.locked and not report.healthy
    with pytest.raises(CatalogError, match="in use by another program"):
        doctor.rebuild(db, build=bundle.build_file)
    rebuilt = doctor_cli(db, "--rebuild", "--yes")
    assert rebuilt.exit_code == 1 and "in use by another program" in rebuilt.stderr
    holder.execute("ROLLBACK")
    holder.close()
    monkeypatch.undo()
    assert verify(db) == {"eda": "old", "kc-aa": "old"}
    assert not list(tmp_path.glob("*.damaged-*"))


def _without_write_access(func):  # type: ignore[no-untyped-def]
    """Run func() where the catalog is not writable: as 'nobody' in a forked child when root."""
    if os.geteuid() != 0:
        return func()
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(rfd)
            os.setgid(65534)
            os.setuid(65534)
            os.write(wfd, json.dumps(func()).encode())
        finally:
            os._exit(0)
    os.close(wfd)
    data = b""
    while chunk := os.read(rfd, 65536):
        data += chunk
    os.close(rfd)
    os.waitpid(pid, 0)
    return json.loads(data)


def test_read_only_catalog() -> None:
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="peerfind-ro-"))  # reachable by 'nobody' (not 0700)
    try:
        db = folder / "catalog.db"
        build(db)
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        feed = folder / "eda.json"
        feed.write_text(feed_text("eda", "new"), encoding="utf-8")
        cache = folder / "cache"
        cache.mkdir()
        writable = search_cli(db)
        scrape_args = [
            "--db",
            str(db),
            "scrape",
            "--platform",
            "meeting-guide",
            "--url",
            feed.as_uri(),
            "--name",
            "eda",
            "--cache",
            str(cache),
        ]
        scratch = folder / "scratch.db"  # load every module the child will need while we can
        shutil.copy(db, scratch)
        cli.invoke(app, [*scrape_args[:1], str(scratch), *scrape_args[2:]])
        cli.invoke(app, ["--db", str(scratch), "doctor"])
        scratch.unlink()
        for leftover in folder.glob("scratch.db-*"):
            leftover.unlink()
        os.chmod(cache, 0o777)
        os.chmod(db, 0o444)
        os.chmod(folder, 0o555)

        def attempt() -> list[object]:
            found = search_cli(db)
            scrape = cli.invoke(app, scrape_args)
            doc = cli.invoke(app, ["--db", str(db), "doctor"])
            return [
                found.exit_code,
                found.output,
                scrape.exit_code,
                scrape.output,
                doc.exit_code,
                doc.stdout,
            ]

        found_rc, found_out, scrape_rc, scrape_out, doc_rc, doc_out = _without_write_access(attempt)
        assert found_rc == 0, found_out
        assert found_out == writable.stdout  # searching needs no write access
        assert scrape_rc == 1 and "Traceback" not in scrape_out
        assert f"the catalog {db} is read-only; cannot write to it." in scrape_out
        assert doc_rc == 0 and "not checked: the file is read-only" in doc_out
        os.chmod(folder, 0o755)
        assert verify(db) == {"eda": "old", "kc-aa": "old"}
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


# --- peerfind doctor ----------------------------------------------------------------------


def doctor_cli(db: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    """Run `peerfind doctor` on a catalog."""
    return cli.invoke(app, ["--db", str(db), "doctor", *args], input=input)


def test_doctor_healthy_catalog(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    result = doctor_cli(db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Catalog {db}"
    assert [ln.split()[:2] for ln in lines[1:7]] == [
        ["ok", "exists"],
        ["ok", "opens"],
        ["ok", "integrity"],
        ["ok", "schema"],
        ["ok", "fts"],
        ["ok", "listings"],
    ]
    total = sum(len(expected(n)["old"]) for n in SOURCES)
    assert f"{total} listings" in lines[6] and "from 2 sources; 2 runs" in lines[6]
    assert lines[-1] == "The catalog is healthy."
    again = doctor_cli(db, "--rebuild", "--yes")  # healthy: nothing is rebuilt
    assert again.exit_code == 0 and verify(db) == {"eda": "old", "kc-aa": "old"}


def test_doctor_finds_fts_and_schema_damage(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT rowid, name, organization, description FROM groups LIMIT 1")
    rowid, name, org, desc = row.fetchone()
    conn.execute(
        "INSERT INTO groups_fts (groups_fts, rowid, name, organization, description) "
        "VALUES ('delete', ?, ?, ?, ?)",
        (rowid, name, org, desc),
    )
    conn.commit()
    result = doctor_cli(db)
    assert result.exit_code == 1
    assert "FAIL  fts        the full-text index does not match the listings" in result.stdout
    conn.execute("DROP TRIGGER groups_au")
    conn.commit()
    conn.close()
    result = doctor_cli(db)
    assert result.exit_code == 1
    assert "FAIL  schema     missing trigger(s) groups_au" in result.stdout
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE notes (x)").connection.commit()
    assert "not a peerfind catalog: missing table(s) groups" in doctor_cli(other).stdout


def test_doctor_rebuilds_a_truncated_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for leftover in tmp_path.glob("catalog.db-*"):
        leftover.unlink()
    damaged = db.read_bytes()[: db.stat().st_size // 2]
    db.write_bytes(damaged)
    (tmp_path / "notes.txt").write_text("keep me")
    checked = doctor_cli(db)
    assert checked.exit_code == 1 and "FAIL" in checked.stdout
    assert "doctor --rebuild" in checked.stderr
    refused = doctor_cli(db, "--rebuild")  # no terminal, no --yes: nothing changes
    assert refused.exit_code == 1 and "add --yes" in refused.stderr
    assert db.read_bytes() == damaged
    import peerfind.cli.doctor as cli_doctor

    monkeypatch.setattr(cli_doctor, "_interactive", lambda: True)
    declined = doctor_cli(db, "--rebuild", input="n\n")
    assert declined.exit_code == 1 and db.read_bytes() == damaged
    fixed = doctor_cli(db, "--rebuild", input="y\n")
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stdout.strip().endswith("The catalog is healthy.")
    moved = sorted(p for p in tmp_path.glob("catalog.db.damaged-*") if p.name.endswith("Z"))
    assert len(moved) == 1 and moved[0].read_bytes() == damaged
    assert moved[0].name.startswith("catalog.db.damaged-20")
    companions = {
        f"{moved[0].name}-wal",
        f"{moved[0].name}-shm",
        "catalog.db-wal",
        "catalog.db-shm",
    }
    names = {p.name for p in tmp_path.iterdir()} - companions
    assert names == {"catalog.db", moved[0].name, "notes.txt"}
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    report = doctor.check_catalog(db)
    assert report.healthy and report.counts["sources"] >= 3  # the bundled feeds
    result = search_cli(db, "--near", "Boston, MA")
    assert result.exit_code == 0 and json.loads(result.stdout)


def test_doctor_creates_a_missing_catalog(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "catalog.db"
    assert doctor_cli(db).exit_code == 1
    assert not db.exists()
    result = doctor_cli(db, "--rebuild", "--yes")
    assert result.exit_code == 0, result.output
    assert doctor.check_catalog(db).healthy
    assert not list(db.parent.glob("*.damaged-*"))


# --- searching while a refresh writes -----------------------------------------------------


def test_searches_during_refreshes_see_one_version(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    when = datetime(2026, 4, 7, 18, tzinfo=UTC)
    query = s.Query(formats=["online", "phone"], limit=1000, now=when, user_tz="America/New_York")
    wanted: dict[str, set[tuple[str, str]]] = {}
    for gen in ("old", "new"):  # what a search returns on a catalog holding one version
        single = tmp_path / f"{gen}.db"
        build(single, gen)
        conn = catalog.connect(single)
        wanted[gen] = {
            (r.group.id, r.group.last_seen)
            for r in s.search(conn, query).results
            if r.group.source == "eda"
        }
        conn.close()
    assert wanted["old"] != wanted["new"] and all(wanted.values())
    errors: list[BaseException] = []
    reads = {"search": 0, "rows": 0}
    stop = threading.Event()

    def reader(kind: str) -> None:
        conn = catalog.connect(db)
        try:
            while not stop.is_set():
                if kind == "search":
                    got = {
                        (r.group.id, r.group.last_seen)
                        for r in s.search(conn, query).results
                        if r.group.source == "eda"
                    }
                    assert got in (wanted["old"], wanted["new"]), "a torn search result"
                else:
                    generation(conn, "eda")
                reads[kind] += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            stop.set()
        finally:
            conn.close()

    threads = [threading.Thread(target=reader, args=(k,)) for k in ("search", "rows")]
    for t in threads:
        t.start()
    writer = catalog.connect(db)
    refreshes = 0
    try:
        for i in range(REFRESHES):
            if stop.is_set():
                break
            assert refresh(writer, "eda", "new" if i % 2 == 0 else "old").status == "ok"
            refreshes += 1
    finally:
        stop.set()
        for t in threads:
            t.join()
        writer.close()
    assert not errors, errors[0]
    assert refreshes == REFRESHES and reads["search"] > 0 and reads["rows"] > 0
    assert verify(db)["eda"] == "old"
    record("concurrent_refreshes", refreshes)
    record("concurrent_reads", reads["search"] + reads["rows"])


def test_read_only_catalog_with_uri_characters_in_its_name(tmp_path: Path) -> None:
    """A catalog whose file name holds ?, # or % still opens read-only (the URI is escaped)."""
    from peerfind.catalog import db as cat

    odd = tmp_path / "odd?name#50%.db"
    conn = cat.connect(odd, create=True)
    conn.close()
    ro = cat.connect(odd, readonly=True)
    assert ro.execute("SELECT count(*) FROM groups").fetchone()[0] == 0
    assert not (tmp_path / "odd").exists()  # nothing created at a truncated path
