"""A source gutted while reported "ok" (issue 17 item 9): shrinking run after run, or stripped.

Listings come from the recorded Al-Anon Meeting Guide feed (tests/fixtures/ATTRIBUTION.md).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import load_page
from local_hosts import Host, Reply
from typer.testing import CliRunner

from peerfind.catalog import db as catalog
from peerfind.catalog import gutting
from peerfind.cli.app import app
from peerfind.models import Group, Schedule
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.scraping import SourceConfig

SOURCE = "al-anon"


@pytest.fixture()
def feed() -> list[Group]:
    """Return the listings of the recorded Al-Anon feed (360 meetings)."""
    scraper = MeetingGuide(
        SourceConfig(name=SOURCE, program="al-anon", timezone="America/New_York")
    )
    return scraper.parse_groups(load_page("meeting_guide/tsml-ui-al-anon.json"))


def run(conn: object, groups: list[Group]) -> catalog.RefreshResult:
    """Refresh the source with `groups` and record the run, as the runner does."""
    result = catalog.refresh_source(conn, SOURCE, groups)  # type: ignore[arg-type]
    catalog.record_run(
        conn,
        SOURCE,
        "2026-12-01T00:00:00",
        "2026-12-01T00:00:01",  # type: ignore[arg-type]
        result.status,
        result,
    )
    return result


def active(conn: object) -> int:
    """Return the source's listings not marked removed."""
    return conn.execute(
        "SELECT count(*) FROM groups WHERE source = ? AND status != 'removed'",  # type: ignore[attr-defined]
        (SOURCE,),
    ).fetchone()[0]


def test_halving_feed_does_not_drain_the_source(tmp_path: Path, feed: list[Group]) -> None:
    conn = catalog.connect(tmp_path / "c.db", create=True)
    assert len(feed) == 360
    assert run(conn, feed).status == "ok"
    statuses = []
    current = feed
    for _ in range(10):
        current = current[: len(current) // 2] or current[:1]
        statuses.append(run(conn, current).status)
    # The first halving is within the ratio; from the second on, the best recent run (360)
    # says the feed is draining, and the listings of the first halving stay.
    assert statuses[0] == "ok"
    assert set(statuses[1:]) == {"suspicious"}
    assert active(conn) == 180
    conn.close()


def test_feed_stripped_to_names_keeps_its_listings(tmp_path: Path, feed: list[Group]) -> None:
    conn = catalog.connect(tmp_path / "c.db", create=True)
    run(conn, feed)
    before = gutting.field_shares(conn, SOURCE)[1]
    assert before["address"] > 0.5 and before["schedule"] > 0.9
    stripped = [
        replace(
            g,
            address="",
            city="",
            postal_code="",
            latitude=None,
            longitude=None,
            schedule=Schedule(),
        )
        for g in feed
    ]
    result = run(conn, stripped)
    assert result.status == "suspicious"
    assert "lost their address" in result.message and "schedule" in result.message
    assert gutting.field_shares(conn, SOURCE)[1] == before  # nothing written
    assert active(conn) == 360
    conn.close()


def test_feed_with_same_fields_is_ok(tmp_path: Path, feed: list[Group]) -> None:
    conn = catalog.connect(tmp_path / "c.db", create=True)
    run(conn, feed)
    assert run(conn, feed[:300]).status == "ok"
    assert active(conn) == 300
    conn.close()


def test_scrape_of_a_stripped_feed_exits_non_zero(tmp_path: Path) -> None:
    """A feed reduced to slug and name: `scrape` reports SUSPICIOUS and exits 1 for cron."""
    body = (
        Path(__file__).parents[1] / "fixtures" / "meeting_guide" / "tsml-ui-al-anon.json"
    ).read_bytes()
    import json

    meetings = json.loads(body)
    stripped = json.dumps([{"slug": m["slug"], "name": m["name"]} for m in meetings]).encode()
    db = tmp_path / "c.db"
    json_type = {"Content-Type": "application/json"}
    with Host(
        {
            "/feed.json": [
                Reply(body=body, headers=json_type),
                Reply(body=stripped, headers=json_type),
            ]
        }
    ) as host:
        args = [
            "--db",
            str(db),
            "scrape",
            "--platform",
            "meeting-guide",
            "--url",
            host.url("/feed.json"),
            "--name",
            "test",
            "--program",
            "al-anon",
            "--timezone",
            "America/New_York",
            "--delay",
            "0",
            "--cache",
            str(tmp_path / "cache"),
        ]
        first = CliRunner().invoke(app, args)
        assert first.exit_code == 0, first.output
        second = CliRunner().invoke(app, args)
    assert second.exit_code == 1, second.output
    assert "SUSPICIOUS" in second.stdout
