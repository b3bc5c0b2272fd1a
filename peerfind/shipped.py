"""Files shipped ready built in the wheel (data/prebuilt/): where they are, and unpacking one.

The bundled catalog and the place index are built by peerfind.sources.prebuilt; a first run
unpacks them from here instead of building them (places.index and sources.bundle call unpack).
Standard library only: this is on the search path.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from peerfind.paths import data_path

CATALOG = "catalog.sqlite.gz"
INDEX = "gazetteer-index.sqlite.gz"
INPUTS_KEY = "bundle-inputs"


def path(name: str) -> Path:
    """Return where a shipped prebuilt file lives (data/prebuilt/<name>)."""
    return data_path("prebuilt", name)


def unpack(name: str, dest: Path, check: str, expected: str) -> bool:
    """Unpack a shipped copy to `dest` if its meta `check` value is `expected`; tell if done.

    The copy is written to a temporary file beside `dest` and renamed into place, so a reader
    never sees half a file; on any mismatch or error nothing is left behind.
    """
    source = path(name)
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
        if _meta(Path(tmp), check) != expected:
            Path(tmp).unlink(missing_ok=True)
            return False
        os.replace(tmp, dest)
    except (OSError, EOFError, sqlite3.Error):
        Path(tmp).unlink(missing_ok=True)
        return False
    return True


def _meta(db: Path, key: str) -> str | None:
    """Return one value from a prebuilt file's meta table (either table shape), or None."""
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
