"""Check a catalog file's health, and rebuild a damaged one from the bundled listings.

check_catalog(path) never changes the catalog: it opens it read-only for every check but the
full-text index check (SQLite runs that one as an INSERT, so it needs a writable connection and
is skipped on a read-only file). rebuild(path) moves the damaged file (with its -wal and -shm
companions) aside as <db>.damaged-<UTC timestamp> and builds a fresh catalog from the bundled
feeds in its place; nothing else is touched.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from peerfind import vocab
from peerfind.catalog import db as catalog
from peerfind.errors import CatalogError

HEADER = b"SQLite format 3\x00"
TABLES = ("groups", "groups_fts", "runs", "meta")
TRIGGERS = ("groups_ai", "groups_ad", "groups_au")
COMPANIONS = ("-wal", "-shm")
BUSY_MS = 2000


@dataclass
class Check:
    """The outcome of one check: ok, or a problem; `detail` says what was found."""

    name: str
    ok: bool
    detail: str = ""
    skipped: bool = False


@dataclass
class Report:
    """Every check run on one catalog file, and its listing counts when readable."""

    path: Path
    checks: list[Check] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    locked: bool = False

    @property
    def healthy(self) -> bool:
        """Return True when no check found a problem."""
        return all(c.ok for c in self.checks)

    @property
    def problems(self) -> list[Check]:
        """Return the checks that found a problem (not those skipped because of one)."""
        return [c for c in self.checks if not c.ok and not c.skipped]

    def add(self, name: str, ok: bool, detail: str = "", skipped: bool = False) -> bool:
        """Record a check and return whether it passed."""
        self.checks.append(Check(name, ok, detail, skipped))
        return ok


@dataclass
class Rebuilt:
    """What rebuild() did: where the old file went (None if there was none), listings built."""

    moved: Path | None
    listings: int


def check_catalog(path: Path | str) -> Report:
    """Run every check on the catalog at `path` and return the report (never raises)."""
    path = Path(path)
    report = Report(path)
    if not _check_file(report, path):
        _skip(report, "opens", "integrity", "schema", "fts", "listings")
        return report
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_MS / 1000)
    except sqlite3.DatabaseError as exc:
        report.add("opens", False, _why(exc, report))
        _skip(report, "integrity", "schema", "fts", "listings")
        return report
    try:
        _checks(report, conn, path)
    finally:
        conn.close()
    return report


def _read_only_uri(path: Path) -> str:
    """Return the URI opening a catalog read-only (immutable on read-only storage without -shm,
    the only way SQLite reads a WAL database there)."""
    frozen = not Path(f"{path}-shm").exists() and not os.access(path.parent, os.W_OK)
    return path.absolute().as_uri() + "?mode=ro" + ("&immutable=1" if frozen else "")


def _check_file(report: Report, path: Path) -> bool:
    """Check that the catalog file exists, is a regular file and starts like a SQLite file."""
    if not path.exists():
        return report.add("exists", False, "no catalog file (rebuild creates one from the bundle)")
    if not path.is_file():
        return report.add("exists", False, "not a regular file")
    size = path.stat().st_size
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(HEADER))
    except OSError as exc:
        return report.add("exists", False, f"cannot read it: {exc.strerror}")
    report.add("exists", True, f"{size:,} bytes")
    if size == 0:
        return report.add("opens", False, "the file is empty")
    if head != HEADER:
        return report.add("opens", False, "not an SQLite database (wrong file header)")
    return True


def _checks(report: Report, conn: sqlite3.Connection, path: Path) -> None:
    """Run the checks that need an open connection, stopping at the first that makes the rest
    meaningless."""
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        report.add("opens", False, _why(exc, report))
        _skip(report, "integrity", "schema", "fts", "listings")
        return
    report.add("opens", True, f"SQLite {sqlite3.sqlite_version}, journal {journal}")
    if not _integrity(report, conn):
        _skip(report, "schema", "fts", "listings")
        return
    if not _schema(report, conn, version):
        _skip(report, "fts", "listings")
        return
    _fts(report, path)
    _listings(report, conn)


def _integrity(report: Report, conn: sqlite3.Connection) -> bool:
    """Run PRAGMA integrity_check."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as exc:
        return report.add("integrity", False, _why(exc, report))
    if rows == ["ok"]:
        return report.add("integrity", True, "PRAGMA integrity_check: ok")
    more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
    return report.add("integrity", False, f"{rows[0]}{more}")


def _schema(report: Report, conn: sqlite3.Connection, version: int) -> bool:
    """Check the schema version, the tables, the groups columns and the FTS triggers."""
    try:
        names = {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            )
        }
        columns = {r[1] for r in conn.execute("PRAGMA table_info(groups)")}
    except sqlite3.DatabaseError as exc:
        return report.add("schema", False, _why(exc, report))
    if version > catalog.SCHEMA_VERSION:
        return report.add(
            "schema",
            False,
            f"schema {version} is newer than this peerfind knows "
            f"({catalog.SCHEMA_VERSION}): upgrade peerfind rather than rebuild",
        )
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id not in (0, catalog.APPLICATION_ID):
        return report.add("schema", False, f"not a peerfind catalog: application_id {app_id}")
    missing = [t for t in TABLES if names.get(t) != "table"]
    if missing:
        what = "not a peerfind catalog" if "groups" in missing else "damaged schema"
        return report.add("schema", False, f"{what}: missing table(s) {', '.join(missing)}")
    lost = [c for c in catalog.COLUMNS if c not in columns]
    if lost:
        return report.add("schema", False, f"groups lacks column(s) {', '.join(lost)}")
    triggers = [t for t in TRIGGERS if names.get(t) != "trigger"]
    if triggers:
        return report.add(
            "schema",
            False,
            f"missing trigger(s) {', '.join(triggers)}: the "
            "full-text index no longer follows the listings",
        )
    if version < catalog.SCHEMA_VERSION:
        return report.add("schema", True, f"schema {version}: peerfind upgrades it on next write")
    return report.add("schema", True, f"schema {version}, tables and triggers present")


def _fts(report: Report, path: Path) -> bool:
    """Run the FTS5 'integrity-check' command (index against the groups table)."""
    if not os.access(path, os.W_OK):
        return report.add("fts", True, "not checked: the file is read-only", skipped=True)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    except sqlite3.DatabaseError as exc:
        return report.add("fts", False, _why(exc, report))
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        conn.execute("INSERT INTO groups_fts (groups_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "malformed" in text or "corrupt" in text:
            return report.add("fts", False, "the full-text index does not match the listings")
        return report.add("fts", False, _why(exc, report))
    finally:
        conn.close()
    return report.add("fts", True, "full-text index matches the listings")


def _listings(report: Report, conn: sqlite3.Connection) -> bool:
    """Count listings, sources and runs; rows with an unknown status or no name are problems."""
    try:
        total, active, sources = conn.execute(
            "SELECT count(*), sum(status = ?), count(DISTINCT source) FROM groups",
            (vocab.ACTIVE,),
        ).fetchone()
        marks = ",".join("?" * len(vocab.STATUSES))
        odd = conn.execute(
            f"SELECT count(*) FROM groups WHERE status NOT IN ({marks}) OR trim(name) = ''",
            tuple(vocab.STATUSES),
        ).fetchone()[0]
        runs = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return report.add("listings", False, _why(exc, report))
    report.counts = {
        "listings": total,
        "active": active or 0,
        "sources": sources,
        "runs": runs,
        "invalid": odd,
    }
    detail = f"{total:,} listings ({active or 0:,} active) from {sources} sources; {runs} runs"
    if odd:
        return report.add("listings", False, f"{detail}; {odd} with no name or unknown status")
    if not total:
        return report.add("listings", False, "the catalog holds no listings")
    return report.add("listings", True, detail)


def _skip(report: Report, *names: str) -> None:
    """Record checks that could not run because an earlier one failed."""
    done = {c.name for c in report.checks}
    for name in names:
        if name not in done:
            report.add(name, False, "not checked (see above)", skipped=True)


def _why(exc: sqlite3.DatabaseError, report: Report) -> str:
    """Return a short explanation of an SQLite error; note a lock on the report."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        report.locked = True
        return "locked by another program; close it and try again"
    if "not a database" in text or "malformed" in text or "disk image" in text:
        return f"damaged ({text})"
    return text


def damaged_name(path: Path, now: datetime | None = None) -> Path:
    """Return a free name <db>.damaged-<UTC timestamp>[-n] beside the catalog."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists() or any(Path(f"{target}{s}").exists() for s in COMPANIONS):
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    return target


def rebuild(
    path: Path | str, now: datetime | None = None, build: Callable[[Path], int] | None = None
) -> Rebuilt:
    """Move the catalog at `path` aside (with its -wal/-shm) and build it from the bundle.

    `build` writes a fresh catalog file and returns its listings (sources.bundle.build_file,
    which the caller passes: the catalog layer does not reach up into the maintainer pipeline).
    Raises CatalogError when the path is a folder, or the catalog is locked by another program.
    """
    if build is None:
        raise ValueError("rebuild needs the function that builds the bundled catalog")
    path = Path(path)
    if path.is_dir():
        raise CatalogError(f"{path} is a folder, not a catalog file; nothing was changed.")
    moved = None
    if path.exists() or path.is_symlink():
        if check_catalog(path).locked:
            raise CatalogError(
                f"the catalog {path} is in use by another program; close it "
                "and run `peerfind doctor --rebuild` again. Nothing was changed."
            )
        moved = damaged_name(path, now)
        os.replace(path, moved)
        for suffix in COMPANIONS:
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                os.replace(companion, Path(f"{moved}{suffix}"))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        count = build(path)
    except (sqlite3.DatabaseError, OSError, CatalogError) as exc:
        _put_back(path, moved)  # never leave no catalog: the damaged one goes back in place
        text = (
            catalog.describe_error(path, exc)
            if isinstance(exc, sqlite3.DatabaseError)
            else str(exc)
        )
        if _disk_full(path, text, exc):
            text = f"the disk holding {path} is full"
        raise CatalogError(
            f"rebuilding failed: {text.rstrip('.')}. The catalog was left as it was."
        ) from None
    return Rebuilt(moved, count)


def _disk_full(path: Path, text: str, exc: BaseException) -> bool:
    """Return True when a failed rebuild ran out of disk space (SQLite may only say 'disk I/O
    error' when it cannot grow its shared-memory file)."""
    if getattr(exc, "errno", None) == errno.ENOSPC or "full" in text:
        return True
    try:
        return "disk I/O" in text and shutil.disk_usage(path.parent).free < 1_000_000
    except OSError:
        return False


def _put_back(path: Path, moved: Path | None) -> None:
    """Move a catalog set aside by rebuild() (and its -wal/-shm) back to `path`."""
    if moved is None:
        return
    os.replace(moved, path)
    for suffix in COMPANIONS:
        companion = Path(f"{moved}{suffix}")
        if companion.exists():
            os.replace(companion, Path(f"{path}{suffix}"))
