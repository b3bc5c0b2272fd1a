"""Feed shapes the reference loaders accept: Meeting Guide variants and the TSML CSV template.

Real files (see ATTRIBUTION.md): tsml-ui's NW Texas and Ben Lomond feeds (recorded 2021, parser
fixtures only), the 2017 Raleigh feed (day names), and the TSML plugin's template.csv. The
inline rows take their values from tsml-ui's own tests (flattenDays, translateGoogleSheet).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import load_page
from local_hosts import Host, Reply
from typer.testing import CliRunner

from peerfind import vocab
from peerfind.cli.app import app
from peerfind.models import Group, Page
from peerfind.platforms import mg_shapes, platform_class
from peerfind.platforms.meeting_guide import MeetingGuide, parse_days, parse_time, parse_updated
from peerfind.platforms.tsml_csv import TsmlCsv, header_key
from peerfind.scraping import SourceConfig

FIXTURES = Path(__file__).parents[1] / "fixtures"
TEMPLATE = (FIXTURES / "tsml_csv" / "tsml-template.csv").read_bytes()


def parse(name: str, cls: type[MeetingGuide] = MeetingGuide) -> tuple[list[Group], MeetingGuide]:
    """Parse one fixture with the given parser; return its groups and the parser."""
    scraper = cls(SourceConfig(name="test", program="aa"))
    return scraper.parse_groups(load_page(name)), scraper


def feed(rows: list[dict[str, Any]]) -> Page:
    """Return a Meeting Guide feed page holding these rows."""
    return Page(
        url="http://127.0.0.1/feed.json",
        text=json.dumps(rows),
        fetched_at=load_page("meeting_guide/spec-example.json").fetched_at,
    )


# --- Meeting Guide shapes on real feeds ---------------------------------------------------------


def test_northwest_texas_types_string_integer_slug_and_zip() -> None:
    groups, scraper = parse("meeting_guide/aa-northwest-texas_tsml-ui.json")
    assert len(groups) == 613 and not scraper.report.skipped
    first = next(g for g in groups if g.source_key == "5202")  # "slug": 5202
    assert first.postal_code == "79107"  # "postal_code": 79107
    assert (first.address, first.city, first.region) == (
        "107 North Hughes Street",
        "Amarillo",
        "TX",
    )
    assert first.source_types == ("O",)  # "types": "[open]"
    assert sum(g.source_types == ("C",) for g in groups) == 206  # "[closed]"
    assert first.source_updated == "2021-04-28"


def test_ben_lomond_formatted_address_feed_loads_whole() -> None:
    groups, scraper = parse("meeting_guide/aa-ben-lomond-ca_tsml-ui.json")
    assert len(groups) == 35 and not scraper.report.skipped
    assert all(g.problems() == [] for g in groups)


def test_day_names_as_the_tsml_importer_reads_them() -> None:
    groups, scraper = parse("meeting_guide/OLD-aa-raleigh-2017_the-rooms.json")
    assert len(groups) == 350  # of 357: seven rows have an empty name
    assert dict(scraper.report.skipped) == {"no name or slug": 7}
    first = next(g for g in groups if g.source_key == "1")  # "day": "Sunday", "18:00:00"
    assert (first.schedule.days, first.schedule.start) == ((0,), "18:00")


def test_day_lists_and_twelve_hour_times_load_every_meeting() -> None:
    rows = [  # tsml-ui flattenDays: day ['0', '1']; translateGoogleSheet: '6:00 PM', 'Sunday'
        {
            "name": "Test Meeting",
            "slug": "foo",
            "day": ["0", "1"],
            "time": "6:00 PM",
            "end_time": "7:00 PM",
            "types": "Open, Women",
            "updated": "10/31/2022",
        },
        {
            "name": "Bar",
            "slug": "bar",
            "day": "Sunday",
            "time": "11:00 AM",
            "updated": "10/31/2022 11:05:00 AM",
        },
        {"name": "Noon", "slug": 7, "day": [3], "time": "12:00 PM", "types": ["O", 4]},
    ]
    scraper = MeetingGuide(SourceConfig(name="test"))
    groups = scraper.parse_groups(feed(rows))
    assert not scraper.report.skipped
    assert [(g.source_key, g.schedule.days, g.schedule.start, g.schedule.end) for g in groups] == [
        ("foo", (0, 1), "18:00", "19:00"),
        ("bar", (0,), "11:00", None),
        ("7", (3,), "12:00", None),
    ]
    assert groups[0].source_types == ("O", "W")
    assert [g.source_updated for g in groups[:2]] == ["2022-10-31", "2022-10-31"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6:00 PM", "18:00"),
        ("11:00 AM", "11:00"),
        ("12:00 PM", "12:00"),
        ("12:30 AM", "00:30"),
        ("8:00 pm", "20:00"),
        ("19:30:00", "19:30"),
        ("7:05", "07:05"),
        ("Invalid time", None),
        ("13:00 PM", None),
        ("25:00", None),
        ("7", None),
        ("", None),
    ],
)
def test_feed_times(value: str, expected: str | None) -> None:
    assert parse_time(value) == expected


def test_feed_days_dates_and_codes() -> None:
    assert parse_days(["0", "1"]) == [0, 1] and parse_days("Wednesday") == [3]
    assert parse_days("Invalid day") is None and parse_days([1, 9]) is None
    assert parse_updated("4/28/2021 11:53:20 AM") == "2021-04-28"
    assert mg_shapes.type_codes("[open]") == ["O"]
    assert mg_shapes.type_codes("O, W") == ["O", "W"]
    assert mg_shapes.type_codes("Big Book, Online Meeting, Spanish") == ["B", "ONL", "S"]
    assert mg_shapes.postal(2134, "US") == "02134" and mg_shapes.postal("T5J 0N3") == "T5J 0N3"


# --- the TSML CSV import template ---------------------------------------------------------------


def test_tsml_csv_template_loads_every_row() -> None:
    groups, scraper = parse("tsml_csv/tsml-template.csv", TsmlCsv)
    assert len(groups) == 36 and not scraper.report.skipped
    first = groups[0]
    assert (first.source_key, first.name, first.venue) == (
        "after-work-topic-meeting",
        "After Work Topic Meeting",
        "Saturday Nite Live",
    )
    assert (first.schedule.days, first.schedule.start) == ((1,), "18:00")  # "6:00 PM","Monday"
    assert first.schedule.timezone == "America/Los_Angeles"
    assert (first.address, first.city, first.region, first.postal_code) == (
        "2634 Union Ave",
        "San Jose",
        "CA",
        "95124",
    )
    assert first.source_types == ("O", "X")  # "Open, Wheelchair Access"
    tgif = next(g for g in groups if g.source_key == "t-g-i-f")
    assert (tgif.schedule.start, tgif.schedule.end) == ("19:30", "20:30")
    underground = next(g for g in groups if g.source_key == "underground-book-study")
    assert underground.format == vocab.ONLINE  # "Temporary Closure" + a Conference URL
    assert "TC" in underground.source_types
    assert underground.source_updated == "2020-04-04"


def test_tsml_csv_header_aliases_and_registration() -> None:
    assert [header_key(h) for h in ("End Time", "Zip", "Location Name", "Conference URL")] == [
        "end_time",
        "postal_code",
        "location",
        "conference_url",
    ]
    assert platform_class("tsml-csv") is TsmlCsv


def test_tsml_csv_rejects_other_files() -> None:
    scraper = TsmlCsv()
    page = feed([{"name": "x"}])
    with pytest.raises(Exception, match="HTML or JSON"):
        scraper.parse_groups(page)


def scrape(db: Path, *args: str) -> Any:
    """Run `peerfind --db DB scrape ARGS` with small delays."""
    return CliRunner().invoke(app, ["--db", str(db), "scrape", "--delay", "0.01", *args])


def active(db: Path) -> int:
    """Return the active listings of source 'test'."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT count(*) FROM groups WHERE source = 'test' AND status != 'removed'"
        ).fetchone()[0]


def test_scrape_platform_tsml_csv(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    with Host({"/meetings.csv": Reply(body=TEMPLATE, headers={"Content-Type": "text/csv"})}) as h:
        result = scrape(
            db,
            "--platform",
            "tsml-csv",
            "--url",
            h.url("/meetings.csv"),
            "--name",
            "test",
            "--program",
            "aa",
        )
    assert result.exit_code == 0, result.output
    assert active(db) == 36


# --- a feed whose every row is skipped fails its run --------------------------------------------


def test_feed_with_every_row_skipped_fails_and_keeps_listings(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    bad = json.dumps(
        [
            {"name": "a", "slug": "a", "day": 9, "time": "10:00"},
            {"name": "b", "slug": "b", "day": 1, "time": "soon"},
            {"slug": "c"},
        ]
    )
    with Host(
        {
            "/good.csv": Reply(body=TEMPLATE, headers={"Content-Type": "text/csv"}),
            "/bad.json": Reply(body=bad.encode(), headers={"Content-Type": "application/json"}),
        }
    ) as host:
        first = scrape(
            db, "--platform", "tsml-csv", "--url", host.url("/good.csv"), "--name", "test"
        )
        assert first.exit_code == 0, first.output
        second = scrape(
            db, "--platform", "meeting-guide", "--url", host.url("/bad.json"), "--name", "test"
        )
    assert second.exit_code == 1, second.output
    assert "failed" in second.stdout and "invalid day or time" in second.stdout
    assert active(db) == 36  # the previous listings stay
    with sqlite3.connect(db) as conn:
        assert [
            r[0] for r in conn.execute("SELECT status FROM runs WHERE source='test' ORDER BY rowid")
        ] == ["ok", "failed"]
