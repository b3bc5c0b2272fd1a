"""The catalog questions the commands ask (peerfind.catalog.queries), on a two-source catalog."""

from __future__ import annotations

from pathlib import Path

from test_dedup_sources import build

from peerfind.catalog import db as catalog
from peerfind.catalog import queries as cq


def _catalog(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Return (connection, BMLT listing, feed listing): one meeting listed by two sources."""
    path, from_bmlt, from_feed = build(tmp_path)
    return catalog.connect(path), from_bmlt, from_feed


def test_same_dedup_key_finds_the_other_source_only(tmp_path: Path) -> None:
    conn, from_bmlt, from_feed = _catalog(tmp_path)
    assert [g.id for g in cq.same_dedup_key(conn, from_feed)] == [from_bmlt.id]
    assert [g.id for g in cq.same_dedup_key(conn, from_bmlt)] == [from_feed.id]
    with conn:
        conn.execute("UPDATE groups SET status = 'removed' WHERE id = ?", (from_bmlt.id,))
    assert cq.same_dedup_key(conn, from_feed) == []


def test_tag_counts_count_active_listings(tmp_path: Path) -> None:
    conn, _, _ = _catalog(tmp_path)
    counts = cq.tag_counts(conn)
    assert counts["format"] == {"online": 2} and counts["topic"] == {"substance_use": 2}
    assert counts["population"] == {} and counts["accessibility"] == {}


def test_evidence_counts_since_a_date(tmp_path: Path) -> None:
    conn, _, _ = _catalog(tmp_path)
    assert cq.evidence_counts(conn, "2026-01-01") == cq.EvidenceCounts(2, 0, 2)
    assert cq.evidence_counts(conn, "2027-01-01") == cq.EvidenceCounts(2, 0, 0)


def test_source_figures_runs_and_bundled_feeds(tmp_path: Path) -> None:
    conn, _, _ = _catalog(tmp_path)
    assert cq.source_figures(conn, "2026-01-01") == {
        "na-sydney-bmlt": cq.SourceFigures(1, 0, "2026-11-01"),
        "na-sydney-feed": cq.SourceFigures(1, 0, "2026-11-01"),
    }
    catalog.record_run(conn, "na-sydney-feed", "2026-11-01T10:00", "2026-11-01T10:01", "ok")
    catalog.record_run(conn, "na-sydney-feed", "2026-11-02T10:00", "2026-11-02T10:01", "failed")
    assert cq.last_runs(conn) == {"na-sydney-feed": ("2026-11-02T10:00", "failed")}
    catalog.set_meta(conn, "bundled:na-sydney-feed", "2026-10-30 | data/feeds/x.json")
    assert cq.bundled_sources(conn) == {"na-sydney-feed": ("2026-10-30", "data/feeds/x.json")}
