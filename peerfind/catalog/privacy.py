"""What peerfind keeps about the person using it, and `forget`, which deletes it.

Two caches can hold traces of a person's use: the online-geocoding cache (places looked up
with --online) and the HTTP cache of `peerfind scrape` (feeds fetched). The catalog itself
holds public listings only and is left alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from peerfind.paths import user_dir

GEOCODE_CACHE = "geocode-cache.json"  # = peerfind.places.geocode.CACHE_FILE (kept light: no geopy)
HTTP_CACHE = "http-cache"


def cache_paths(home: Path | None = None) -> list[Path]:
    """Return the cache files and folders peerfind may have written in the user folder."""
    base = home if home is not None else user_dir()
    temps = sorted(base.glob(f".{GEOCODE_CACHE}.*.tmp")) if base.is_dir() else []
    return [base / GEOCODE_CACHE, *temps, base / HTTP_CACHE]


def forget(home: Path | None = None) -> list[Path]:
    """Delete the online-geocoding cache and the HTTP cache; return what was there."""
    removed = []
    for path in cache_paths(home):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        removed.append(path)
    return removed
