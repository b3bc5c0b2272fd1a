"""The search query alone, in process: radius + filters and free text, fresh connection each.

    python bench/query.py                 # 1M catalog, 15 runs per query
    python bench/query.py --size 100k --runs 25

Each timed run opens a fresh catalog connection (what one CLI run pays) and calls
peerfind.search.engine.search() with the place already resolved; results are built in full
(rows read, next meetings computed, duplicates merged). Queries, run round-robin so noise hits
all alike:

  dense     New York, NY, 25 mi, -p veterans --format in-person, top 20     budget <= 5 ms
  sparse    North Platte, NE, same filters                                  budget <= 5 ms
  text-rare "hoarding" (~0.35% of listings), no place, top 20               budget <= 40 ms
  text-common "recovery" (~40% of listings), no place, top 20               budget <= 40 ms
and, for information: the dense query without filters, both words near New York, a sparse
query that finds nothing (the "nearest match / online groups" hints), and --format online.
Prints median wall and CPU milliseconds and the result counts.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime

import make_catalog
from benchlib import OUT, PINNED_NOW, median, spread

BUDGETS = {"dense": 5.0, "sparse": 5.0, "text-rare": 40.0, "text-common": 40.0}


def queries(search, lat_lon: dict[str, tuple[float, float]]) -> dict[str, object]:  # noqa: ANN001
    """Return the Query objects to time, by label."""
    now = datetime.fromisoformat(PINNED_NOW)
    base = {"now": now, "user_tz": "America/New_York", "limit": 20}
    filt = {"populations": ["veterans"], "formats": ["in_person"]}
    ny, np_ = lat_lon["dense"], lat_lon["sparse"]
    return {
        "dense": search.Query(lat=ny[0], lon=ny[1], **filt, **base),
        "sparse": search.Query(lat=np_[0], lon=np_[1], **filt, **base),
        "text-rare": search.Query(text=make_catalog.RARE_WORD, **base),
        "text-common": search.Query(text=make_catalog.COMMON_WORD, **base),
        "dense-nofilter": search.Query(lat=ny[0], lon=ny[1], **base),
        "text-rare-near": search.Query(text=make_catalog.RARE_WORD, lat=ny[0], lon=ny[1], **base),
        "text-common-near": search.Query(
            text=make_catalog.COMMON_WORD, lat=ny[0], lon=ny[1], **base
        ),
        "sparse-empty": search.Query(
            lat=np_[0],
            lon=np_[1],
            radius_mi=5,
            populations=["veterans", "youth"],
            topics=["gambling"],
            formats=["in_person"],
            **base,
        ),
        "online": search.Query(formats=["online"], topics=["grief_loss"], **base),
    }


def main() -> None:
    """Time every query and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M", choices=["10k", "100k", "1M"])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    db = make_catalog.build(args.size)
    os.environ.setdefault("PEERFIND_HOME", str(OUT / "home-warm"))
    from peerfind.catalog import db as catalog
    from peerfind.places import gazetteer
    from peerfind.search import engine as s

    places = {"dense": "New York, NY", "sparse": "North Platte, NE"}
    lat_lon = {k: (p.lat, p.lon) for k, p in ((k, gazetteer.resolve(v)) for k, v in places.items())}
    qs = queries(s, lat_lon)
    wall: dict[str, list[float]] = {k: [] for k in qs}
    cpu: dict[str, list[float]] = {k: [] for k in qs}
    counts: dict[str, int] = {}
    for i in range(args.runs + 1):
        for label, q in qs.items():
            t0, c0 = time.perf_counter(), time.process_time()
            conn = catalog.connect(db)
            outcome = s.search(conn, q)
            conn.close()
            t1, c1 = time.perf_counter(), time.process_time()
            if i == 0:  # warm-up round (page cache, lazy imports)
                continue
            wall[label].append((t1 - t0) * 1000)
            cpu[label].append((c1 - c0) * 1000)
            counts[label] = len(outcome.results)
    print(
        f"search() with a fresh connection, {args.size} catalog, {args.runs} runs each "
        "(medians; wall min–max in brackets)"
    )
    print(f"{'query':<18} {'wall ms':>8} {'cpu ms':>7} {'results':>7}  budget")
    for label in qs:
        budget = BUDGETS.get(label)
        verdict = ""
        if budget is not None:
            verdict = f"<= {budget:g} ms: " + ("OK" if median(wall[label]) <= budget else "OVER")
            if median(wall[label]) > budget >= median(cpu[label]):
                verdict += " (CPU within budget: machine busy)"
        print(
            f"{label:<18} {median(wall[label]):8.2f} {median(cpu[label]):7.2f} "
            f"{counts[label]:7d}  {verdict}  [{spread(wall[label])}]"
        )


if __name__ == "__main__":
    main()
