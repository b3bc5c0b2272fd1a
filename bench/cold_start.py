"""The first search after install: a fresh PEERFIND_HOME unpacks the shipped catalog and place
index (data/prebuilt/) before answering.

    python bench/cold_start.py            # 5 fresh homes
    python bench/cold_start.py --runs 9

Each run makes an empty PEERFIND_HOME (no PEERFIND_DB: the default catalog path is used) and
times, as child processes: `peerfind search --near "Boston, MA"` (first run: catalog and place
index are unpacked), the same search again (warm), and, in other fresh homes, `peerfind geocode`
alone (place index only) to show the split. Budget: the first search costs at most twice a warm
one (issue 14), and under 3 s.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile

from benchlib import env_with, median, run_child, spread, venv_bin

BUDGET_S = 3.0
BUDGET_RATIO = 2.0


def main() -> None:
    """Time the cold and warm first searches in fresh homes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    peerfind = venv_bin("peerfind")
    search = [peerfind, "search", "--near", "Boston, MA"]
    geocode = [peerfind, "geocode", "Boston, MA"]
    times: dict[str, list[tuple[float, float, int]]] = {"cold": [], "warm": [], "geocode": []}
    for _ in range(args.runs):
        for label, argv in (("cold", search), ("geocode", geocode)):
            home = tempfile.mkdtemp(prefix="peerfind-cold-")
            try:
                env = env_with(PEERFIND_HOME=home, TZ="America/New_York")
                env.pop("PEERFIND_DB", None)
                times[label].append(run_child(argv, env))
                if label == "cold":
                    times["warm"].append(run_child(argv, env))
            finally:
                shutil.rmtree(home, ignore_errors=True)
    print(f"first search after install (fresh PEERFIND_HOME), {args.runs} runs (medians)")
    for label, rows in times.items():
        wall = [r[0] for r in rows]
        line = (
            f"  {label:<8} wall {median(wall):7.0f} ms  cpu {median([r[1] for r in rows]):7.0f}"
            f" ms  peak RSS {median([r[2] / 1024 for r in rows]):5.1f} MiB  [{spread(wall)}]"
        )
        if label == "cold":
            ok = median(wall) < BUDGET_S * 1000
            line += f"  budget < {BUDGET_S:g} s: " + ("OK" if ok else "OVER")
        print(line)
    cold, warm = median([r[0] for r in times["cold"]]), median([r[0] for r in times["warm"]])
    ok = cold <= BUDGET_RATIO * warm
    print(
        f"  first search / warm search: {cold / warm:.2f}x  budget <= {BUDGET_RATIO:g}x: "
        + ("OK" if ok else "OVER")
    )


if __name__ == "__main__":
    main()
