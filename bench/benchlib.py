"""Shared helpers for the benchmark scripts: paths, medians, timing child processes."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
# Pinned clock for every benchmark (a Tuesday evening in New York).
PINNED_NOW = "2026-11-24T18:30:00-05:00"


def venv_bin(name: str) -> str:
    """Return the path of a console script next to this interpreter (never a pyenv shim)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        sys.exit(f"{path} not found: run `pip install .` in this environment first")
    return str(path)


def median(values: list[float]) -> float:
    """Return the median of a list of numbers."""
    return statistics.median(values)


def spread(values: list[float]) -> str:
    """Return 'min–max' of a list of milliseconds, for a quick look at the noise."""
    return f"{min(values):.1f}–{max(values):.1f}"


def run_child(
    argv: list[str], env: dict[str, str] | None = None, stdout: int | None = subprocess.DEVNULL
) -> tuple[float, float, int]:
    """Run a child process; return (wall ms, user+sys ms, peak RSS KiB) measured from outside.

    Uses os.wait4 so the rusage is this child's alone (not all children so far).
    """
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    return wall, cpu, usage.ru_maxrss


def env_with(**extra: str) -> dict[str, str]:
    """Return a copy of os.environ with extra variables (and PEERFIND_NOW pinned).

    PYTHONDONTWRITEBYTECODE is dropped: an installed peerfind has its .pyc files, and without
    them every start would compile ~40 modules from source.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PEERFIND_NOW", PINNED_NOW)
    env.update(extra)
    return env


def fmt_verdict(value: float, budget: float, unit: str = "ms") -> str:
    """Return e.g. '0.84 ms (budget ≤ 5 ms): OK'."""
    ok = "OK" if value <= budget else "OVER"
    return f"{value:.3g} {unit} (budget ≤ {budget:g} {unit}): {ok}"


def self_peak_kib() -> int:
    """Return this process's peak RSS in KiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
