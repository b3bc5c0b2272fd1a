"""`peerfind report`, `peerfind forget`, the geocode cache setting, and no personal address
shown from any bundled feed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import load_page
from typer.testing import CliRunner

from peerfind import feedback
from peerfind.catalog import db as catalog
from peerfind.catalog import privacy
from peerfind.cli import render
from peerfind.cli.app import app
from peerfind.models import Page
from peerfind.paths import data_path
from peerfind.places import geocode
from peerfind.platforms import platform_class
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.scraping import SourceConfig
from peerfind.search.engine import Result
from peerfind.sources import bundle

runner = CliRunner()
FIXTURES = Path(__file__).parents[1] / "fixtures" / "meeting_guide"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog holding the real Seattle and SEPIA fixture rows."""
    path = tmp_path_factory.mktemp("report") / "c.db"
    conn = catalog.connect(path, create=True)
    for name, fixture, when in (
        ("seattle", "php-meetings-seattle-feedback.json", datetime(2025, 7, 22, tzinfo=UTC)),
        ("sepia", "tsml-ui-sepia-feedback-url.json", datetime(2022, 10, 14, tzinfo=UTC)),
    ):
        scraper = MeetingGuide(SourceConfig(name=name, program="aa"))
        groups = scraper.parse_groups(load_page(f"meeting_guide/{fixture}", fetched_at=when))
        result = catalog.refresh_source(conn, name, groups, force=True)
        catalog.record_run(conn, name, when.isoformat(), when.isoformat(), "ok", result)
    conn.commit()
    conn.close()
    return path


def _id(db: Path, name: str) -> str:
    """Return the id of the listing called `name`."""
    conn = catalog.connect(db)
    return conn.execute("SELECT id FROM groups WHERE name = ?", (name,)).fetchone()[0]


def report(db: Path, ident: str):  # type: ignore[no-untyped-def]
    """Run `peerfind report ID` on the test catalog."""
    return runner.invoke(app, ["--db", str(db), "report", ident])


def test_report_prints_the_feedback_page(db: Path) -> None:
    result = report(db, _id(db, "Chester-Woodlyn"))
    assert result.exit_code == 0, result.output
    assert "  https://aasepia.org/meeting-status/" in result.stdout
    assert "peerfind itself sends nothing." in result.stdout


def test_report_prints_a_filled_in_mailto(db: Path) -> None:
    result = report(db, _id(db, "Step 11 Candlelight Meditation"))
    assert result.exit_code == 0, result.output
    assert "role address for corrections: webmaster@seattleaa.org" in result.stdout
    link = next(ln.strip() for ln in result.stdout.splitlines() if "mailto:" in ln)
    assert link.startswith("mailto:webmaster@seattleaa.org?subject=Correction%20for")
    text = unquote(link)
    assert "Step 11 Candlelight Meditation" in text
    assert "https://www.seattleaa.org/meetings/step-11-candlelight-meditation/" in text
    assert re.search(r"When: \w+days? \d", text), text


def test_report_never_offers_a_persons_mailbox(db: Path) -> None:
    result = report(db, _id(db, "High Nooners"))
    assert result.exit_code == 0, result.output
    assert "hdough" not in result.stdout
    assert (
        "no correction channel; the organization's public address is web@eastsideaa.org"
        in result.stdout
    )


def test_show_json_and_detail_carry_the_report_line(db: Path) -> None:
    ident = _id(db, "Shoulder to Shoulder Group")
    shown = runner.invoke(app, ["--db", str(db), "show", ident])
    assert (
        "Wrong or closed? Tell the organization: https://aasepia.org/meeting-status/"
        in shown.stdout
    )
    as_json = runner.invoke(app, ["--db", str(db), "show", ident, "-o", "json"])
    assert '"report_problem": "https://aasepia.org/meeting-status/"' in as_json.stdout


def test_report_unknown_id_is_one_line(db: Path) -> None:
    result = report(db, "000000000000")
    assert result.exit_code == 2
    assert (
        result.stderr.startswith("peerfind: no group with id") and "Traceback" not in result.output
    )


def _feed_groups():  # type: ignore[no-untyped-def]
    """Yield (name, addresses in the raw feed, groups) for every bundled feed and the Seattle
    fixture (which has role addresses and personal mailboxes side by side)."""
    feeds = [
        (
            f["name"],
            data_path(f["file"]),
            f["platform"],
            f.get("program", ""),
            bundle.recorded_date(f["recorded"]),
        )
        for f in bundle.bundled_feeds()
    ]
    feeds.append(
        (
            "seattle",
            FIXTURES / "php-meetings-seattle-feedback.json",
            "meeting-guide",
            "aa",
            datetime(2025, 7, 22, tzinfo=UTC),
        )
    )
    for name, path, platform, program, recorded in feeds:
        text = path.read_text(encoding="utf-8")
        page = Page(url=path.as_uri(), text=text, fetched_at=recorded)
        config = SourceConfig(name=name, platform=platform, program=program)
        groups = platform_class(platform)(config).parse_groups(page)
        yield name, set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)), groups


def test_no_personal_address_is_shown_from_any_bundled_feed() -> None:
    shown_from: dict[str, int] = {}
    for name, addresses, groups in _feed_groups():
        assert groups, name
        for g in groups:
            assert not g.feedback_email or feedback.is_role_address(g.feedback_email, g.email)
            chan = feedback.channel(g)
            as_json = json.dumps(Result(g).to_dict())
            shown = unquote("\n".join((render.group_detail(g), chan.target, chan.line(), as_json)))
            for address in addresses - {g.source_key}:  # an iCalendar UID is no one's mailbox
                if address.lower() in shown.lower():
                    shown_from[name] = shown_from.get(name, 0) + 1
                    assert feedback.is_role_address(address, g.email), (name, g.name, address)
    assert shown_from.get("seattle")  # the check does see addresses where there are some


def test_forget_deletes_both_caches(tmp_path: Path) -> None:
    (tmp_path / "geocode-cache.json").write_text('{"entries": {"x|portland": null}}')
    (tmp_path / "http-cache").mkdir()
    (tmp_path / "http-cache" / "abc.body").write_bytes(b"feed")
    (tmp_path / "catalog.db").write_bytes(b"kept")
    result = runner.invoke(app, ["forget"], env={"PEERFIND_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "deleted" in result.stdout and "geocode-cache.json" in result.stdout
    assert not (tmp_path / "geocode-cache.json").exists()
    assert not (tmp_path / "http-cache").exists()
    assert (tmp_path / "catalog.db").exists()  # the public listings stay
    again = runner.invoke(app, ["forget"], env={"PEERFIND_HOME": str(tmp_path)})
    assert "Nothing to forget" in again.stdout
    assert privacy.GEOCODE_CACHE == geocode.CACHE_FILE


def test_online_help_says_what_is_sent_to_whom() -> None:
    result = runner.invoke(app, ["search", "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.stdout.split())
    assert "send that place text (nothing else) to OpenStreetMap's Nominatim" in text
    assert "nominatim.openstreetmap.org" in text and "PEERFIND_GEOCODE_CACHE=off" in text


def test_tags_and_sources_count_listings_verified_within_a_year(db: Path) -> None:
    env = {"PEERFIND_NOW": "2025-08-01T12:00:00+00:00", "TZ": "UTC"}
    tags = runner.invoke(app, ["--db", str(db), "tags"], env=env)
    assert tags.exit_code == 0, tags.output
    conn = catalog.connect(db)
    active = conn.execute("SELECT count(*) FROM groups WHERE status = 'active'").fetchone()[0]
    assert (
        f"Evidence: 1 of {active} active listings verified by their source within a year; "
        f"{active - 2} verified or still listed within a year" in tags.stdout
    )  # SEPIA: 2022
    sources = runner.invoke(app, ["--db", str(db), "sources", "-o", "json"], env=env)
    found = {r["name"]: r for r in json.loads(sources.stdout)}
    assert found["seattle"]["verified_within_year"] == 1
    assert found["sepia"]["verified_within_year"] == 0
    table = runner.invoke(app, ["--db", str(db), "sources"], env={**env, "COLUMNS": "120"})
    assert "Verified" in table.stdout.splitlines()[0]
    later = runner.invoke(
        app,
        ["--db", str(db), "sources", "-o", "json"],
        env={**env, "PEERFIND_NOW": "2026-08-01T12:00:00+00:00"},
    )
    assert {r["name"]: r for r in json.loads(later.stdout)}["seattle"]["verified_within_year"] == 0
