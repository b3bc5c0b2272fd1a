"""Ingest 100k scraped listings into an existing catalog, and export 100k rows to CSV.

    python bench/ingest_export.py             # 3 ingest runs, 5 export runs
    python bench/ingest_export.py --runs 5

Ingest: a copy of the 100k synthetic catalog (with its FTS index and triggers) receives a new
source of 100k listings through catalog.refresh_source() (one transaction): first as new
listings (insert), then re-scraped with 10% of descriptions changed and every listing confirmed
again (update). Group objects are made before the clock starts. Budget: <= 3 s each.

Export: `peerfind export FILE.csv --all` of the 100k catalog runs as a child process (the whole
command: start-up, reading, next meetings, CSV); wall time, user+sys CPU and peak RSS are
measured from outside (os.wait4 / getrusage). A second child runs the same export through the
library (no Typer); csv-commas is the same command on a stress copy where five organizations in
six and half the venues hold a comma as well as the descriptions (real feeds: 15% of lines hold
one; bench/out/catalog-100k-commas.db); another
child is a reference: the same columns selected and written by
csv.writer with no processing at all (the obvious streaming export; peerfind's one CSV writer,
export/csv_rows.py's CsvWriter, lets SQLite join each row's stored text instead).
Budget (issue 18): <= 1.5 s and <= 50 MiB.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import time
from pathlib import Path

import make_catalog
from benchlib import OUT, median, run_child, spread

INGEST_BUDGET_S = 3.0
EXPORT_BUDGET_S, EXPORT_BUDGET_MIB = 1.5, 50.0
# The floor below (csv.writer, no processing) on the day issue 18 set the 1.5 s budget, on this
# VM (bench/README.md, 2026-11-26). Machines and catalogs change; the ratio to the floor carries
# over. (shared/reference/performance.md's own floor, 0.78 s, would allow 1.92x.)
REFERENCE_FLOOR_S = 1.06


def ingest(runs: int) -> None:
    """Time refresh_source() of 100k new, then 100k re-scraped listings, on a 100k catalog."""
    from peerfind.catalog import db as catalog

    base = make_catalog.build("100k")
    fresh = list(make_catalog.records(100_000, seed=7, prefix="scraped", per_source=10**9))
    again = [
        dataclasses.replace(
            g,
            last_seen="2026-11-21",
            description=g.description + (" Updated." if i % 10 == 0 else ""),
        )
        for i, g in enumerate(fresh)
    ]
    figures: dict[str, list[tuple[float, float]]] = {"insert": [], "update": []}
    counts = {}
    for _ in range(runs):
        db = OUT / "ingest-tmp.db"
        shutil.copyfile(base, db)
        conn = catalog.connect(db)
        for label, groups in (("insert", fresh), ("update", again)):
            t0, c0 = time.perf_counter(), time.process_time()
            result = catalog.refresh_source(conn, "scraped-00", groups)
            figures[label].append((time.perf_counter() - t0, time.process_time() - c0))
            counts[label] = (result.added, result.updated, result.unchanged, result.removed)
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"ingest of 100k scraped listings into the 100k catalog, {runs} runs (medians)")
    for label, rows in figures.items():
        wall = median([r[0] for r in rows])
        cpu = median([r[1] for r in rows])
        added, updated, unchanged, removed = counts[label]
        verdict = "OK" if wall <= INGEST_BUDGET_S else "OVER"
        note = " (CPU within budget: machine busy)" if wall > INGEST_BUDGET_S >= cpu else ""
        print(
            f"  {label:<7} wall {wall:5.2f} s  cpu {cpu:5.2f} s  [{spread([r[0] for r in rows])}]"
            f"  added {added} updated {updated} unchanged {unchanged} removed {removed}"
            f"  budget <= {INGEST_BUDGET_S:g} s: {verdict}{note}"
        )


def export_child(db: str, out: str) -> None:
    """(child) The floor: SELECT the stored CSV columns and csv.writer.writerows, no processing."""
    import csv
    import sqlite3

    from peerfind.export.common import CSV_COLUMNS

    computed = ("days", "end_time", "next_meeting", "distance_mi", "age_days", "old")
    stored = ", ".join(c if c not in computed else "NULL" for c in CSV_COLUMNS)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(
            conn.execute(f"SELECT {stored} FROM groups WHERE status = 'active' ORDER BY rowid")
        )


# The same export through the library, without the command line (Typer) around it.
_LIBRARY = """
import sys
from datetime import datetime, timezone
from peerfind.catalog import db as catalog
from peerfind.export.query import export_query
from peerfind.search.engine import Query
q = Query(limit=10**9, now=datetime.now(timezone.utc), user_tz="America/New_York")
export_query(catalog.connect(sys.argv[1], readonly=True), q, sys.argv[2], everything=True,
             force=True)
"""


_COMMAS = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
with conn:
    conn.execute("UPDATE groups SET organization = organization || ', Massachusetts' "
                 "WHERE rowid % 6 != 0")
    conn.execute("UPDATE groups SET venue = venue || ', Room 2' WHERE rowid % 2 = 0")
conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
"""


def with_commas(base: Path) -> Path:
    """Return a stress copy of a catalog where five organizations in six and half the venues
    hold a comma as well (real feeds: 15% of lines hold one, mostly in descriptions). Made in a
    child process: this one must stay small, as its children start with its peak RSS."""
    path = base.with_name(base.stem + "-commas.db")
    if not path.exists() or path.stat().st_mtime < base.stat().st_mtime:
        shutil.copyfile(base, path)
        run_child([sys.executable, "-c", _COMMAS, str(path)])
    return path


def export(runs: int) -> None:
    """Time `peerfind export --all` of the 100k catalog from outside: wall, CPU, peak RSS."""
    db = str(make_catalog.build("100k"))
    commas = str(with_commas(Path(db)))
    target = OUT / "export-tmp.csv"
    floor_target = OUT / "export-floor.csv"
    me = str(Path(__file__).resolve())
    peerfind = str(Path(sys.executable).with_name("peerfind"))
    variants = {
        "csv": [peerfind, "--db", db, "export", str(target), "--all", "--force"],
        "csv-commas": [peerfind, "--db", commas, "export", str(target), "--all", "--force"],
        "library": [sys.executable, "-c", _LIBRARY, db, str(target)],
        "floor": [sys.executable, me, "--child-export", db, str(floor_target)],
        "python-floor": [sys.executable, "-c", "import sqlite3, csv, peerfind.export.common"],
    }
    times: dict[str, list[tuple[float, float, int]]] = {k: [] for k in variants}
    for argv in variants.values():
        run_child(argv)  # warm-up
    for i in range(runs):
        order = list(variants) if i % 2 == 0 else list(variants)[::-1]
        for label in order:
            times[label].append(run_child(variants[label]))
    run_child(variants["csv"])  # the file counted below
    with open(target, encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in fh) - 1
    size = target.stat().st_size / 1e6
    target.unlink(missing_ok=True)
    floor_target.unlink(missing_ok=True)
    print(
        f"`peerfind export --all` of the 100k catalog: {rows} active listings, {size:.0f} MB "
        f"of CSV, child process, {runs} runs (medians)"
    )
    walls = {}
    for label, rows_ in times.items():
        wall = walls[label] = median([r[0] for r in rows_])
        cpu = median([r[1] for r in rows_])
        rss = median([r[2] / 1024 for r in rows_])
        line = (
            f"  {label:<12} wall {wall:7.0f} ms  cpu {cpu:7.0f} ms  peak RSS {rss:5.1f} MiB"
            f"  [{spread([r[0] for r in rows_])}]"
        )
        if label.startswith("csv"):
            ok = wall <= EXPORT_BUDGET_S * 1000 and rss <= EXPORT_BUDGET_MIB
            line += f"  budget <= {EXPORT_BUDGET_S:g} s, <= {EXPORT_BUDGET_MIB:g} MiB: " + (
                "OK" if ok else "OVER (this machine; see the scaled budget below)"
            )
        print(line)
    allowed = EXPORT_BUDGET_S / REFERENCE_FLOOR_S
    for label in ("csv", "csv-commas"):
        ratio = walls[label] / walls["floor"]
        print(
            f"  {label} / floor: {ratio:.2f}x  budget scaled by the floor <= {allowed:.2f}x: "
            + ("OK" if ratio <= allowed else "OVER")
        )
    print(
        "  (floor: the same columns selected and written by csv.writer, no processing, no next "
        f"meetings, one thread; the budget's {EXPORT_BUDGET_S:g} s was set where that took "
        f"{REFERENCE_FLOOR_S:g} s, bench/README.md, 2026-11-26)"
    )


def main() -> None:
    """Run the ingest and export benchmarks."""
    if len(sys.argv) == 4 and sys.argv[1] == "--child-export":
        export_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=0, help="runs of each (default 3 / 5)")
    parser.add_argument("--only", choices=["ingest", "export"])
    args = parser.parse_args()
    os.environ.setdefault("PEERFIND_HOME", str(OUT / "home-warm"))
    if args.only != "ingest":  # first: a child forked from a big parent reports its RSS
        export(args.runs or 5)
    if args.only != "export":
        ingest(args.runs or 3)


if __name__ == "__main__":
    main()
