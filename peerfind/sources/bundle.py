"""Build the bundled catalog from the recorded public feeds listed in data/bundled.toml."""

from __future__ import annotations

import hashlib
import sqlite3
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from peerfind.catalog import db as catalog
from peerfind.models import Group, Page
from peerfind.paths import INPUTS_KEY, PREBUILT_CATALOG, data_path, unpack_prebuilt
from peerfind.platforms import platform_class
from peerfind.scraping import SourceConfig
from peerfind.sources.enrich import enrich
from peerfind.sources.screen import screen


def bundled_feeds() -> list[dict[str, Any]]:
    """Return the feed entries of data/bundled.toml."""
    with open(data_path("bundled.toml"), "rb") as fh:
        return tomllib.load(fh)["feed"]


def recorded_date(value: str) -> datetime:
    """Return a feed's recorded date: "2024-07-22", or "2024-07" read as its first day (UTC)."""
    text = str(value)
    if len(text) == 7:  # a month: date the listings no younger than they are
        text += "-01"
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# What a feed with no stated licence (`facts_only = true`) keeps: the facts a directory needs.
FACTS = (
    "source",
    "source_key",
    "name",
    "source_url",
    "organization",
    "format",
    "venue",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "schedule",
    "status",
    "first_seen",
    "last_seen",
    "openness",
)


def facts_only(group: Group, config: SourceConfig) -> Group:
    """Return the listing with only name, time, place, format and the source's own link.

    The program and its own topic (AA: alcohol) are kept: they come from bundled.toml, not
    the feed. Whether a meeting is open or closed to visitors is a fact a visitor needs.
    """
    from peerfind.platforms.mg_types import PROGRAM_TOPICS

    pops, topics = PROGRAM_TOPICS.get(config.program, ((), ()))
    kept = {name: getattr(group, name) for name in FACTS}
    return Group(**kept, program=config.program, populations=tuple(pops), topics=tuple(topics))


def with_schedule_text(group: Group) -> Group:
    """Return the listing with its schedule described in words when the feed gave none."""
    schedule = group.schedule
    if schedule.text or schedule.kind == "unparsed":
        return group
    from peerfind.schedule.recurrence import describe

    return replace(group, schedule=replace(schedule, text=describe(schedule)))


def public_link(group: Group, feed: dict[str, Any]) -> Group:
    """Return the listing with a link a person can open to check it.

    A link to a staging host (`staging_host` in bundled.toml), and a missing link, give way to
    the organization's public page (`public_page`, given only where a public record shows it, and
    cited there); with no such page a staging link is dropped.
    """
    host = feed.get("staging_host")
    staging = bool(host) and urlsplit(group.source_url).hostname == host
    if staging or not group.source_url:
        return replace(group, source_url=feed.get("public_page", ""))
    return group


def build(conn: sqlite3.Connection, progress: Callable[[str], None] | None = None) -> int:
    """Parse every bundled feed into the catalog; return how many listings were written.

    Listings that are not support groups are left out and counted by reason; zones that
    contradict a listing's place are corrected and counted. Both go to `progress` and to the
    catalog's meta table (`bundle-report:<feed>`), which `peerfind sources -o json` shows.
    """
    total = 0
    for feed in bundled_feeds():
        if progress:
            progress(f"reading {feed['name']}")
        recorded = recorded_date(feed["recorded"])
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
            options={"keep_join_details": False, **feed.get("options", {})},
        )
        path = data_path(feed["file"])
        page = Page(url=path.as_uri(), text=path.read_text(encoding="utf-8"), fetched_at=recorded)
        scraper = platform_class(feed["platform"])(config)
        parsed = scraper.parse_groups(page)
        if feed.get("facts_only"):
            parsed = [facts_only(g, config) for g in parsed]
        parsed = [with_schedule_text(g) for g in parsed]
        corrections: Counter[str] = Counter()
        groups, _, _ = enrich((public_link(g, feed) for g in parsed), corrections=corrections)
        corrections.update(scraper.report.flagged)  # kept, but worth a look (a bad zone name)
        skipped = Counter(scraper.report.skipped)
        groups = screen(groups, skipped)
        started = recorded.isoformat(timespec="seconds")  # reproducible: the build's own date
        result = catalog.refresh_source(conn, config.name, groups, force=True)
        catalog.record_run(
            conn, config.name, started, started, "bundled", result, skipped=sum(skipped.values())
        )
        catalog.set_meta(conn, f"bundled:{config.name}", f"{feed['recorded']} | {feed['origin']}")
        report = report_lines(config.name, len(groups), skipped, corrections)
        catalog.set_meta(conn, f"bundle-report:{config.name}", "\n".join(report))
        if progress:
            for line in report:
                progress(line)
        total += len(groups)
    return total


def report_lines(
    name: str, listed: int, skipped: Counter[str], corrections: Counter[str]
) -> list[str]:
    """Return the bundle report of one feed: listings kept, skipped by reason, zones corrected."""
    lines = [f"{name}: {listed} listings"]
    lines += [f"{name}: skipped {n}: {why}" for why, n in sorted(skipped.items())]
    lines += [f"{name}: {n} listing(s): {why}" for why, n in sorted(corrections.items())]
    return lines


def bundle_inputs() -> str:
    """Return a short SHA-256 of everything the bundled catalog is built from.

    That is data/bundled.toml, every feed file it names and the place index's fingerprint (a
    listing without coordinates is placed from it). Code changes are caught by the test.
    """
    from peerfind.places import index as gazetteer_index

    digest = hashlib.sha256()
    toml = data_path("bundled.toml").read_bytes()
    digest.update(toml)
    for feed in tomllib.loads(toml.decode("utf-8")).get("feed", []):
        digest.update(data_path(feed["file"]).read_bytes())
    digest.update(gazetteer_index.fingerprint().encode())
    return digest.hexdigest()[:16]


def build_file(path: Path, progress: Callable[[str], None] | None = None) -> int:
    """Create a fresh catalog file at `path`: the shipped prebuilt copy, else from the feeds.

    The prebuilt copy (data/prebuilt/, see peerfind.sources.prebuilt) is used only when it was
    built
    from exactly the bundled data beside it; otherwise the feeds are parsed here.
    """
    for leftover in (Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        leftover.unlink(missing_ok=True)
    if unpack_prebuilt(PREBUILT_CATALOG, path, INPUTS_KEY, bundle_inputs()):
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT count(*) FROM groups").fetchone()[0]
        finally:
            conn.close()
    return build_from_feeds(path, progress)


def build_from_feeds(path: Path, progress: Callable[[str], None] | None = None) -> int:
    """Create a fresh catalog file at `path` by parsing the bundled feeds, atomically."""
    tmp = path.with_name(path.name + ".building")
    leftovers = (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm"))
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    try:
        conn = catalog.connect(tmp, create=True)
        try:
            count = build(conn, progress)
            catalog.set_meta(conn, INPUTS_KEY, bundle_inputs())
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        tmp.replace(path)
    except BaseException:  # a full disk, an interruption: no half-built file is left behind
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        raise
    return count
