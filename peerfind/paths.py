"""Where peerfind finds its bundled data and keeps its catalog."""

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
