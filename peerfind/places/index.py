"""Build, cache and open the SQLite index that the gazetteer queries.

The bundled TSVs (data/gazetteer/*.tsv.gz) are loaded once into
`<user dir>/gazetteer-<fingerprint>.sqlite` (written to a temporary file, then renamed into
place), which later runs open read-only. When the user folder cannot be written the index is
built in memory instead. Standard library only: this module sits on the search path.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from peerfind.errors import PeerfindError
from peerfind.paths import data_path, user_dir

SCHEMA_VERSION = "2"
INPUTS = ("zips.tsv.gz", "places.tsv.gz", "aliases.tsv.gz")
# Match tiers in the names table: lower wins when a name has hits in several tiers.
TIER_NICKNAME, TIER_NAME, TIER_ALTERNATE = 0, 1, 2
_ALIAS_TIERS = {"nickname": TIER_NICKNAME, "usps": TIER_NAME, "alternate": TIER_ALTERNATE}

_SCHEMA = """
CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE zips(zip TEXT PRIMARY KEY, city TEXT, state TEXT, lat REAL, lon REAL,
                  timezone TEXT) WITHOUT ROWID;
CREATE TABLE places(id INTEGER PRIMARY KEY, name TEXT, key TEXT, state TEXT, lat REAL,
                    lon REAL, population INTEGER, timezone TEXT, source TEXT);
CREATE TABLE names(key TEXT, state TEXT, place_id INTEGER, tier INTEGER,
                   PRIMARY KEY(key, state, place_id)) WITHOUT ROWID;
CREATE TABLE state_zones(state TEXT PRIMARY KEY, timezone TEXT) WITHOUT ROWID;
"""
_INDEXES = """
CREATE INDEX zips_point ON zips(lat, lon);
CREATE INDEX places_point ON places(lat, lon);
INSERT INTO state_zones
    SELECT state, timezone FROM (
        SELECT state, timezone, ROW_NUMBER() OVER (
            PARTITION BY state ORDER BY COUNT(*) DESC, timezone) AS rank
        FROM zips GROUP BY state, timezone)
    WHERE rank = 1;
ANALYZE;
"""

Progress = Callable[[str], None]
PREPARING = "Preparing the place index (first run)…"

MEMO = "gazetteer-inputs.txt"  # in the user folder: "<stat signature>\t<fingerprint>"

# Open connections by fingerprint: identical data serves every user folder in this process.
_cache: dict[str, sqlite3.Connection] = {}
_fingerprints: dict[str, str] = {}


def input_paths() -> list[Path]:
    """Return the paths of the bundled gazetteer TSVs, raising if one is missing."""
    paths = [data_path("gazetteer", name) for name in INPUTS]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise PeerfindError(
            f"the bundled gazetteer is missing ({', '.join(missing)}); "
            "reinstall peerfind or run data/build_gazetteer.py"
        )
    return paths


def fingerprint() -> str:
    """Return a short SHA-256 of the index schema version and the bytes of the bundled TSVs.

    Hashing costs a few milliseconds, so the result is remembered per process and, keyed by the
    inputs' sizes and modification times, in a small memo file in the user folder.
    """
    paths = input_paths()
    signature = ";".join(f"{p}:{st.st_size}:{st.st_mtime_ns}" for p in paths for st in [p.stat()])
    if signature in _fingerprints:
        return _fingerprints[signature]
    memo = user_dir() / MEMO
    try:
        saved, _, value = memo.read_text(encoding="utf-8").rstrip("\n").rpartition("\t")
    except (OSError, UnicodeDecodeError):
        saved = value = ""
    if saved != signature or len(value) != 12:
        import hashlib

        digest = hashlib.sha256(SCHEMA_VERSION.encode())
        for path in paths:
            digest.update(path.read_bytes())
        value = digest.hexdigest()[:12]
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            tmp = memo.with_name(f".{MEMO}.{os.getpid()}")
            tmp.write_text(f"{signature}\t{value}\n", encoding="utf-8")
            os.replace(tmp, memo)
        except OSError:
            pass
    _fingerprints[signature] = value
    return value


def index_path() -> Path:
    """Return where the on-disk index for the current data and user folder lives."""
    return user_dir().resolve() / f"gazetteer-{fingerprint()}.sqlite"


def is_ready() -> bool:
    """Tell whether the index is already built (opened, or on disk), so no build is pending."""
    return fingerprint() in _cache or index_path().is_file()


def connect(progress: Progress | None = None) -> sqlite3.Connection:
    """Return a shared read-only connection to the index, building the index first if needed.

    `progress` is called once with a short message before a (re)build, so a CLI can tell the
    user why the first run takes longer; nothing is printed here.
    """
    key = fingerprint()
    conn = _cache.get(key)
    if conn is None:
        # Two threads may both build here; the atomic rename keeps that safe, just wasteful.
        conn = _cache[key] = _open_or_build(progress)
    return conn


def prepare(progress: Progress | None = None) -> bool:
    """Make sure the index exists; return True when it had to be built in this call."""
    built = not is_ready()
    connect(progress)
    return built


def reset() -> None:
    """Close cached connections (tests use it after pointing PEERFIND_HOME elsewhere)."""
    for conn in _cache.values():
        conn.close()
    _cache.clear()
    _fingerprints.clear()


def _open_or_build(progress: Progress | None) -> sqlite3.Connection:
    """Open the on-disk index, building it (or an in-memory one) when it is missing or broken."""
    try:
        path = index_path()
    except OSError:
        path = None
    if path is not None and path.is_file():
        conn = _open_readonly(path)
        if conn is not None:
            return conn
    if path is not None:
        from peerfind.paths import PREBUILT_INDEX, unpack_prebuilt

        if unpack_prebuilt(PREBUILT_INDEX, path, "fingerprint", fingerprint()):
            conn = _open_readonly(path)
            if conn is not None:
                _remove_stale(path)
                return conn
    if progress is not None:
        progress(PREPARING)
    if path is not None:
        try:
            build_file(path)
            _remove_stale(path)
        except (OSError, sqlite3.Error):
            pass
        else:
            conn = _open_readonly(path)
            if conn is not None:
                return conn
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    _fill(conn)
    return conn


def _open_readonly(path: Path) -> sqlite3.Connection | None:
    """Open an index file read-only and check its fingerprint; None if unusable."""
    try:
        conn = sqlite3.connect(
            f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        row = conn.execute("SELECT v FROM meta WHERE k = 'fingerprint'").fetchone()
    except sqlite3.Error:
        return None
    if row is None or row[0] != fingerprint():
        conn.close()
        return None
    return conn


def build_file(path: Path) -> None:
    """Write the index to a temporary file beside `path`, then rename it into place."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            _fill(conn)
        finally:
            conn.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_stale(current: Path) -> None:
    """Delete index files left by other versions of the bundled data (best effort)."""
    for old in current.parent.glob("gazetteer-*.sqlite"):
        if old != current:
            with contextlib.suppress(OSError):
                old.unlink()


def _rows(name: str) -> Iterator[list[str]]:
    """Yield the data rows of one bundled TSV, without its header."""
    import csv
    import gzip
    import io

    with gzip.open(data_path("gazetteer", name), "rb") as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter="\t")
        next(reader)
        yield from reader


def _fill(conn: sqlite3.Connection) -> None:
    """Create the schema in `conn` and load the bundled TSVs into it."""
    conn.executescript(_SCHEMA)
    conn.executemany(
        "INSERT INTO zips VALUES (?, ?, ?, ?, ?, ?)",
        ((z, c, s, float(la), float(lo), tz) for z, c, s, la, lo, tz in _rows(INPUTS[0])),
    )
    places: dict[tuple[str, str], list[tuple[int, int]]] = {}
    place_rows = []
    names: dict[tuple[str, str, int], int] = {}
    for pid, (name, key, state, lat, lon, pop, tz, source) in enumerate(_rows(INPUTS[1]), 1):
        population = int(pop) if pop else None
        place_rows.append((pid, name, key, state, float(lat), float(lon), population, tz, source))
        places.setdefault((key, state), []).append((population or 0, pid))
        names[(key, state, pid)] = TIER_NAME
    conn.executemany("INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", place_rows)
    for _alias, key, state, _target, target_key, kind in _rows(INPUTS[2]):
        targets = places.get((target_key, state))
        if not targets:
            continue
        pid = max(targets)[1]  # an alias names the largest place of that name in the state
        tier = _ALIAS_TIERS.get(kind, TIER_ALTERNATE)
        names[(key, state, pid)] = min(tier, names.get((key, state, pid), tier))
    conn.executemany(
        "INSERT INTO names VALUES (?, ?, ?, ?)",
        ((k, s, pid, tier) for (k, s, pid), tier in sorted(names.items())),
    )
    conn.executescript(_INDEXES)
    conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint(),))
    conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    conn.commit()
