"""The installed package works outside the checkout: data files ship, the console script runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m peerfind …` from an unrelated folder with its own user data folder."""
    env = {**os.environ, "PEERFIND_HOME": str(tmp_path / "home"), "PYTHONPATH": ""}
    env.pop("PEERFIND_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "peerfind", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_search_runs_from_any_folder(tmp_path: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import peerfind; print(peerfind.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    if probe.returncode != 0:
        pytest.skip("peerfind is not installed in this interpreter (run pip install .)")
    result = _run(tmp_path, "search", "--near", "Boston, MA", "-o", "json", "--limit", "3")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 3 and all(r["region"] == "MA" for r in rows)
    assert "Preparing the bundled catalog" in result.stderr  # first run says what it is doing


def test_search_imports_nothing_heavy(tmp_path: Path) -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['peerfind', 'search', '--near', 'Boston, MA', '--limit', '3']\n"
        "try:\n    runpy.run_module('peerfind', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = {'httpx', 'bs4', 'lxml', 'icalendar', 'scrapers', 'geopy', 'sqlite_utils',"
        " 'rich'}\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print('LOADED', sorted(loaded & heavy), file=sys.stderr)\n"
    )
    env = {**os.environ, "PEERFIND_HOME": str(tmp_path / "home")}
    # The first run builds the catalog (with sqlite-utils); measure the runs after it.
    warm = subprocess.run(
        [sys.executable, "-m", "peerfind", "search", "--near", "Boston, MA"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert warm.returncode == 0, warm.stderr
    for args in ([], ["--help"]):
        snippet = (
            code
            if not args
            else code.replace("'search', '--near', 'Boston, MA', '--limit', '3'", "'--help'")
        )
        result = subprocess.run(
            [sys.executable, "-c", snippet],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "LOADED []" in result.stderr, result.stderr[-2000:]
