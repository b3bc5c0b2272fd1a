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
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

# Where the copies live and unpacking them is in peerfind.paths (the search path needs it).
from peerfind.paths import PREBUILT_CATALOG, PREBUILT_INDEX, prebuilt_path
from peerfind.sources.bundle import bundle_inputs as bundle_inputs


def pack(db: Path, name: str) -> Path:
    """Write `db` gzip-compressed to data/prebuilt/<name>, byte for byte reproducibly."""
    target = prebuilt_path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with (
        open(db, "rb") as src,
        open(tmp, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as out,
    ):
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
        pack(index, PREBUILT_INDEX)
        db = Path(work) / "catalog.sqlite"
        count = bundle.build_from_feeds(db, print if progress else None)
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute("VACUUM")
        pack(db, PREBUILT_CATALOG)
    if progress:
        print(
            f"wrote {prebuilt_path(PREBUILT_INDEX)} and {prebuilt_path(PREBUILT_CATALOG)}"
            f" ({count} listings)"
        )


if __name__ == "__main__":
    build_all()
