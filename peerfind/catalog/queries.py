"""Read-only questions the commands ask the catalog: twins of a listing, tag and evidence
counts, and the per-source figures of `peerfind sources`.

The command line keeps no SQL of its own: it calls these. Only the standard library and light
peerfind modules are imported, so `peerfind show` and `peerfind tags` start quickly.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass

from peerfind import evidence, vocab
from peerfind.catalog.db import dedup_key
from peerfind.catalog.rows import row_group
from peerfind.models import Group

TAG_KINDS = ("population", "topic", "format", "accessibility")


def same_dedup_key(conn: sqlite3.Connection, group: Group) -> list[Group]:
    """Return the other listings (not removed) with the dedup key of `group`: the same group
    as listed by other sources, or a namesake elsewhere (the caller compares places)."""
    rows = conn.execute(
        "SELECT * FROM groups WHERE dedup_key = ? AND id != ? AND status != 'removed'",
        (dedup_key(group), group.id),
    )
    return [row_group(r) for r in rows]


def tag_counts(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Return {kind: {term: count}} over the active listings, for each kind in TAG_KINDS."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in TAG_KINDS}
    for row in conn.execute(
        "SELECT populations, topics, format, accessibility FROM groups WHERE status = 'active'"
    ):
        counts["population"].update(vocab.decode_tags(row[0]))
        counts["topic"].update(vocab.decode_tags(row[1]))
        counts["format"][row[2]] += 1
        counts["accessibility"].update(vocab.decode_tags(row[3]))
    return {k: dict(v) for k, v in counts.items()}


@dataclass(frozen=True)
class EvidenceCounts:
    """How many active listings there are, and how many have recent evidence."""

    total: int
    verified: int  # verified by their source since the date asked
    fresh: int  # verified, or still listed by the source, since the date asked


def evidence_counts(conn: sqlite3.Connection, since: str) -> EvidenceCounts:
    """Return the active listings' evidence counts since the ISO date `since`."""
    total, verified, fresh = conn.execute(
        f"SELECT count(*), sum({evidence.SQL_VERIFIED_SINCE}), sum({evidence.SQL_DATE} >= ?) "
        "FROM groups WHERE status = 'active'",
        (since, since),
    ).fetchone()
    return EvidenceCounts(total or 0, verified or 0, fresh or 0)


def bundled_sources(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """Return {source: (recorded date, provenance)} of the feeds the bundled catalog holds."""
    found = {}
    for key, value in conn.execute("SELECT key, value FROM meta WHERE key LIKE 'bundled:%'"):
        recorded, _, provenance = value.partition(" | ")
        found[key.split(":", 1)[1]] = (recorded, provenance)
    return found


def last_runs(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """Return {source: (started, status)} of each source's latest recorded run."""
    rows = conn.execute(
        "SELECT r.source, r.started, r.status FROM runs r JOIN (SELECT source, max(id) id"
        " FROM runs GROUP BY source) m ON r.id = m.id"
    )
    return {source: (started, status) for source, started, status in rows}


@dataclass(frozen=True)
class SourceFigures:
    """One source's listings in the catalog (removed ones left out)."""

    listings: int
    verified: int  # verified by the source since the date asked
    last_seen: str | None  # when a scrape last found one of them


def source_figures(conn: sqlite3.Connection, since: str) -> dict[str, SourceFigures]:
    """Return {source: SourceFigures} for every source with listings, counting verifications
    since the ISO date `since`."""
    rows = conn.execute(
        "SELECT source, count(*), max(last_seen), "
        "sum(coalesce(substr(last_verified, 1, 10), '') >= ?) FROM groups "
        "WHERE status != 'removed' GROUP BY source",
        (since,),
    )
    return {
        source: SourceFigures(count, verified or 0, seen) for source, count, seen, verified in rows
    }
