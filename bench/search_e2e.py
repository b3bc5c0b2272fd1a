"""`peerfind search` end to end as a subprocess, paired with a minimal Typer program.

    python bench/search_e2e.py               # 1M catalog, 21 paired rounds
    python bench/search_e2e.py --size 100k --runs 31

Each round runs, in alternating order, the minimal Typer program (bench/minimal_typer.py) and
`peerfind search --near PLACE -p veterans --format in-person` for a dense city (New York, NY) and a
sparse town (North Platte, NE), as a table and with -o json. The console script and the minimal
program are both started with this environment's own python (never a pyenv shim), against the
synthetic catalog (PEERFIND_DB) and a PEERFIND_HOME whose gazetteer index is already built.
Prints median wall time, user+sys CPU, peak RSS, and each variant's ratio to the minimal program
(ratio of medians, and the median of the per-round ratios). Budget: <= 1.3x at 1M, table output.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import make_catalog
from benchlib import BENCH, OUT, env_with, median, run_child, spread, venv_bin

BUDGET = 1.3
PLACES = {"dense": "New York, NY", "sparse": "North Platte, NE"}


def warm_home() -> str:
    """Return a PEERFIND_HOME whose gazetteer index is built (built once, then reused)."""
    home = OUT / "home-warm"
    home.mkdir(parents=True, exist_ok=True)
    env = env_with(PEERFIND_HOME=str(home))
    subprocess.run(
        [venv_bin("peerfind"), "geocode", "New York, NY"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return str(home)


def variants(size: str) -> dict[str, list[str]]:
    """Return the commands to time, by label."""
    peerfind = venv_bin("peerfind")
    out = {"minimal-typer": [sys.executable, str(BENCH / "minimal_typer.py"), "--near", "x"]}
    for kind, place in PLACES.items():
        base = [peerfind, "search", "--near", place, "-p", "veterans", "--format", "in-person"]
        out[f"{kind}-table"] = base
        out[f"{kind}-json"] = base + ["-o", "json"]
    return out


def main() -> None:
    """Run the paired rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M", choices=["10k", "100k", "1M"])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    db = make_catalog.build(args.size)
    env = env_with(
        PEERFIND_HOME=warm_home(), PEERFIND_DB=str(db), TZ="America/New_York", COLUMNS="120"
    )
    cmds = variants(args.size)
    for argv in cmds.values():  # warm-up (page cache, .pyc files)
        run_child(argv, env)
    times: dict[str, list[tuple[float, float, int]]] = {k: [] for k in cmds}
    labels = list(cmds)
    for i in range(args.runs):
        order = labels if i % 2 == 0 else labels[::-1]
        for label in order:
            times[label].append(run_child(cmds[label], env))
    base = times["minimal-typer"]
    print(
        f"peerfind search end to end, {args.size} catalog, {args.runs} paired rounds "
        f"(medians; wall min–max in brackets)"
    )
    print(
        f"{'variant':<16} {'wall ms':>8} {'cpu ms':>7} {'RSS MiB':>8} {'ratio':>6} "
        f"{'pair-ratio':>10}  range"
    )
    for label, rows in times.items():
        wall = [r[0] for r in rows]
        cpu = [r[1] for r in rows]
        rss = [r[2] / 1024 for r in rows]
        ratio = median(wall) / median([r[0] for r in base])
        pair = median([a[0] / b[0] for a, b in zip(rows, base, strict=True)])
        print(
            f"{label:<16} {median(wall):8.1f} {median(cpu):7.1f} {median(rss):8.1f} "
            f"{ratio:6.2f} {pair:10.2f}  [{spread(wall)}]"
        )
    for kind in PLACES:
        rows = times[f"{kind}-table"]
        pair = median([a[0] / b[0] for a, b in zip(rows, base, strict=True)])
        verdict = "OK" if pair <= BUDGET else "OVER"
        print(
            f"budget {kind} table: {pair:.2f}x the minimal Typer program "
            f"(budget <= {BUDGET}x): {verdict}"
        )


if __name__ == "__main__":
    main()
