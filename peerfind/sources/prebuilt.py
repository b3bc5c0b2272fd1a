"""The bundled catalog and place index, shipped ready built in data/prebuilt/.

Building them on a user's first run costs seconds (parsing 6,900 listings, placing those without
coordinates, loading 90,000 place rows); unpacking the shipped copies costs a fraction of a
warm search. Each copy carries the fingerprint of what it was built from: a copy that does not
match the data beside it is ignored, and the slow path builds from the sources instead.

    python -m peerfind.sources.prebuilt  # maintainers: rebuild both after changing feeds/parsers

tests/sources/test_prebuilt.py fails when a shipped copy differs from a fresh build. Standard
library only at run time (this module is on the search path).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
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


def bundle_inputs() -> str:
    """Return a short SHA-256 of everything the bundled catalog is built from.

    That is data/bundled.toml, every feed file it names and the place index's fingerprint (a
    listing without coordinates is placed from it). Code changes are caught by the test.
    """
    import tomllib

    from peerfind.places import index as gazetteer_index

    digest = hashlib.sha256()
    toml = data_path("bundled.toml").read_bytes()
    digest.update(toml)
    for feed in tomllib.loads(toml.decode("utf-8")).get("feed", []):
        digest.update(data_path(feed["file"]).read_bytes())
    digest.update(gazetteer_index.fingerprint().encode())
    return digest.hexdigest()[:16]


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
        row = conn.execute(f"SELECT {columns[1]} FROM meta WHERE {columns[0]} = ?",
                           (key,)).fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def pack(db: Path, name: str) -> Path:
    """Write `db` gzip-compressed to data/prebuilt/<name>, byte for byte reproducibly."""
    target = path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(db, "rb") as src, open(tmp, "wb") as raw, gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as out:
        shutil.copyfileobj(src, out, 1 << 20)
    os.replace(tmp, target)
    return target


def build_all(progress: bool = True) -> None:
    """Rebuild data/prebuilt/ from the gazetteer TSVs and the bundled feeds."""
    from peerfind.places import index as gazetteer_index
    from peerfind.sources import bundle

    with tempfile.TemporaryDirectory(prefix="peerfind-prebuilt-") as work:
        index = Path(work) / "index.sqlite"
        gazetteer_index.build_file(index)
        pack(index, INDEX)
        db = Path(work) / "catalog.sqlite"
        count = bundle.build_from_feeds(db, print if progress else None)
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute("VACUUM")
        pack(db, CATALOG)
    if progress:
        print(f"wrote {path(INDEX)} and {path(CATALOG)} ({count} listings)")


if __name__ == "__main__":
    build_all()
