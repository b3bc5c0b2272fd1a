"""Where peerfind finds its bundled data, keeps its catalog, and unpacks prebuilt copies."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DATA = Path(__file__).resolve().parent / "data"
_REPO_DATA = Path(__file__).resolve().parent.parent / "data"


def data_dir() -> Path:
    """Return the bundled data folder: peerfind/data in a wheel, else the repository's data/."""
    if _PACKAGE_DATA.is_dir():
        return _PACKAGE_DATA
    return _REPO_DATA


def data_path(*parts: str) -> Path:
    """Return the path of a bundled data file, e.g. data_path("gazetteer", "zips.tsv.gz")."""
    return data_dir().joinpath(*parts)


def user_dir() -> Path:
    """Return the per-user folder for the catalog and caches (PEERFIND_HOME overrides it)."""
    home = os.environ.get("PEERFIND_HOME")
    if home:
        return Path(home)
    from platformdirs import user_data_dir

    return Path(user_data_dir("peerfind", appauthor=False))


def default_db_path() -> Path:
    """Return the catalog path: PEERFIND_DB if set, else catalog.db in the user folder."""
    env = os.environ.get("PEERFIND_DB")
    if env:
        return Path(env)
    return user_dir() / "catalog.db"


# Files shipped ready built in the wheel (data/prebuilt/, made by peerfind.sources.prebuilt): a
# first run unpacks them instead of building them (places.index and sources.bundle call
# unpack_prebuilt). Standard library only, imported when used: this module is on the search path.
PREBUILT_CATALOG = "catalog.sqlite.gz"
PREBUILT_INDEX = "gazetteer-index.sqlite.gz"
INPUTS_KEY = "bundle-inputs"  # the catalog's meta key holding what it was built from


def prebuilt_path(name: str) -> Path:
    """Return where a shipped prebuilt file lives (data/prebuilt/<name>)."""
    return data_path("prebuilt", name)


def unpack_prebuilt(name: str, dest: Path, check: str, expected: str) -> bool:
    """Unpack a shipped copy to `dest` if its meta `check` value is `expected`; tell if done.

    The copy is written to a temporary file beside `dest` and renamed into place, so a reader
    never sees half a file; on any mismatch or error nothing is left behind.
    """
    import gzip
    import shutil
    import sqlite3
    import tempfile

    source = prebuilt_path(name)
    if not source.is_file():
        return False
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(source, "rb") as raw:
            shutil.copyfileobj(raw, out, 1 << 20)
        if prebuilt_meta(Path(tmp), check) != expected:
            Path(tmp).unlink(missing_ok=True)
            return False
        os.replace(tmp, dest)
    except (OSError, EOFError, sqlite3.Error):
        Path(tmp).unlink(missing_ok=True)
        return False
    return True


def prebuilt_meta(db: Path, key: str) -> str | None:
    """Return one value from a prebuilt file's meta table (either table shape), or None."""
    import sqlite3

    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "meta" not in tables:
            return None
        columns = [r[1] for r in conn.execute("PRAGMA table_info(meta)")]
        row = conn.execute(
            f"SELECT {columns[1]} FROM meta WHERE {columns[0]} = ?", (key,)
        ).fetchone()
        return row[0] if row else None
    finally:
        conn.close()
