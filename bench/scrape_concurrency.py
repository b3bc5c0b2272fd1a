"""Benchmark: scraping many hosts at once should cost about as much as the slowest single host.

Starts N HTTP servers on 127.0.0.1 (each its own port, so its own politeness key), each serving a
chain of P pages (a Follow link from each page to the next; every page carries the six meetings of
the recorded Atlanta Meeting Guide feed in tests/fixtures). With a per-host delay of D seconds,
one host alone takes about P x D seconds (robots.txt, then P pages, one delay apart). The script
runs every host alone (the serial time is their sum), then all hosts together, and prints the
wall time, the serial time, the slowest single host and the ratio wall / slowest (target <= 1.5).

    /work/venv/bin/python bench/scrape_concurrency.py [--hosts 20] [--pages 5] [--delay 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from local_hosts import Host, Reply  # noqa: E402

from peerfind.fetch.client import Fetcher  # noqa: E402
from peerfind.models import Follow, Group, Page  # noqa: E402
from peerfind.platforms.meeting_guide import MeetingGuide  # noqa: E402
from peerfind.scraping import SourceConfig  # noqa: E402
from peerfind.sources import runner  # noqa: E402
from peerfind.sources.registry import Source  # noqa: E402

FEED = ROOT / "tests" / "fixtures" / "meeting_guide" / "tsml-ui-atlanta-aa.json"


class Chain(MeetingGuide):
    """A Meeting Guide feed split into pages: {"meetings": [...], "next": "page-N.json"}."""

    name = "bench_chain"

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield the page's meetings (keyed per page) and a Follow to the next page."""
        data = page.json()
        number = page.url.rsplit("-", 1)[-1].split(".")[0]
        rows = [{**row, "slug": f"{row['slug']}-p{number}"} for row in data["meetings"]]
        yield from super().parse(
            Page(url=page.url, text=json.dumps(rows), fetched_at=page.fetched_at)
        )
        if data.get("next"):
            yield Follow(data["next"])


def start_hosts(count: int, pages: int) -> list[Host]:
    """Start `count` hosts, each serving /page-1.json … /page-P.json."""
    meetings = json.loads(FEED.read_text(encoding="utf-8"))
    hosts = []
    for _ in range(count):
        routes: dict[str, object] = {}
        for n in range(1, pages + 1):
            body = {"meetings": meetings, "next": f"page-{n + 1}.json" if n < pages else None}
            routes[f"/page-{n}.json"] = Reply(
                body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
            )
        hosts.append(Host(routes))  # type: ignore[arg-type]
    return hosts


def sources_for(hosts: list[Host]) -> list[Source]:
    """Return one source per host."""
    return [
        Source(SourceConfig(name=f"bench-{i}", url=h.url("/page-1.json"), program="aa"), Chain)
        for i, h in enumerate(hosts)
    ]


async def timed(sources: list[Source], delay: float) -> tuple[float, list[runner.SourceRun]]:
    """Run sources together with one Fetcher; return (seconds, runs)."""
    begin = time.perf_counter()
    async with Fetcher(delay=delay) as fetcher:
        runs = await runner.run_sources(sources, fetcher, fill_places=False)
    return time.perf_counter() - begin, runs


def main() -> int:
    """Run the benchmark and print its figures; exit 1 when the ratio misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--delay", type=float, default=1.0)
    args = parser.parse_args()
    hosts = start_hosts(args.hosts, args.pages)
    try:
        sources = sources_for(hosts)
        alone = []
        for source in sources:
            seconds, (run,) = asyncio.run(timed([source], args.delay))
            assert run.status == "ok" and run.pages == args.pages, (run.status, run.errors)
            alone.append(seconds)
        wall, runs = asyncio.run(timed(sources, args.delay))
    finally:
        for host in hosts:
            host.close()
    assert all(r.status == "ok" and r.pages == args.pages for r in runs)
    listings = sum(len(r.groups) for r in runs)
    serial, slowest = sum(alone), max(alone)
    ratio = wall / slowest
    print(
        f"{args.hosts} hosts x {args.pages} pages, {args.delay:g} s per-host delay, "
        f"{listings} listings"
    )
    print(f"serial (each host alone, summed): {serial:7.2f} s")
    print(f"slowest single host:              {slowest:7.2f} s")
    print(f"all hosts concurrently (wall):    {wall:7.2f} s")
    print(
        f"wall / slowest single host:       {ratio:7.2f}x (target <= 1.5x); "
        f"speed-up over serial {serial / wall:.1f}x"
    )
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
