"""Build the bundled catalog from the recorded public feeds listed in data/bundled.toml."""

from __future__ import annotations

import sqlite3
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from peerfind import catalog
from peerfind.enrich import enrich
from peerfind.models import Page
from peerfind.paths import data_path
from peerfind.platforms import platform_class
from peerfind.scraping import SourceConfig


def bundled_feeds() -> list[dict[str, str]]:
    """Return the feed entries of data/bundled.toml."""
    with open(data_path("bundled.toml"), "rb") as fh:
        return tomllib.load(fh)["feed"]


def build(conn: sqlite3.Connection, progress: Callable[[str], None] | None = None) -> int:
    """Parse every bundled feed into the catalog; return how many listings were written."""
    total = 0
    for feed in bundled_feeds():
        if progress:
            progress(f"reading {feed['name']}")
        recorded = datetime.fromisoformat(feed["recorded"]).replace(tzinfo=UTC)
        config = SourceConfig(
            name=feed["name"],
            platform=feed["platform"],
            url="",
            organization=feed["organization"],
            region=feed.get("region", ""),
            country=feed.get("country", ""),
            timezone=feed.get("timezone"),
            program=feed.get("program", ""),
            origin="bundled",
            options={"keep_join_details": False},
        )
        path = data_path(feed["file"])
        page = Page(url=path.as_uri(), text=path.read_text(encoding="utf-8"), fetched_at=recorded)
        scraper = platform_class(feed["platform"])(config)
        groups, _, _ = enrich(scraper.parse_groups(page))
        started = datetime.now(UTC).isoformat(timespec="seconds")
        result = catalog.refresh_source(conn, config.name, groups, force=True)
        catalog.record_run(
            conn,
            config.name,
            started,
            started,
            "bundled",
            result,
            skipped=sum(scraper.report.skipped.values()),
        )
        catalog.set_meta(conn, f"bundled:{config.name}", f"{feed['recorded']} | {feed['origin']}")
        total += len(groups)
    return total


def build_file(path: Path, progress: Callable[[str], None] | None = None) -> int:
    """Create a fresh catalog file at `path` from the bundled feeds, atomically."""
    tmp = path.with_name(path.name + ".building")
    leftovers = (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm"))
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    try:
        conn = catalog.connect(tmp, create=True)
        try:
            count = build(conn, progress)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        tmp.replace(path)
    except BaseException:  # a full disk, an interruption: no half-built file is left behind
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        raise
    return count
