"""What the reader's qualifiers become downstream: notes kept and shown, ended rules, long meetings.

A note survives the catalog and `peerfind show`; a rule whose end date has passed shows as possibly
ended; a listing meeting over 5 hours is kept but flagged in the scrape report (a typo such as
"9am to 10:30pm", or a drop-in centre that is really open that long).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from local_hosts import Host, Reply
from typer.testing import CliRunner

from peerfind.catalog import db as catalog
from peerfind.cli.app import app
from peerfind.cli.render import group_detail, next_text
from peerfind.models import Group, Page
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.schedule.phrases import read_schedule
from peerfind.scraping import SourceConfig
from peerfind.search.engine import Result

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=NY)


def group(phrase: str) -> Group:
    """Return a cleaned group whose schedule is read from phrase."""
    return Group(
        source="t",
        source_key="1",
        name="Grief group",
        schedule=read_schedule(phrase, "America/New_York"),
    ).cleaned()


def test_a_rule_whose_end_date_has_passed_shows_as_possibly_ended() -> None:
    ended = group("Fridays - ENDING 6/3/2022 - 6:00-7:30 pm")
    assert ended.schedule.until == "2022-06-03"
    assert next_text(Result(ended), NOW) == "possibly ended"
    assert "possibly ended (its schedule ran until 2022-06-03)" in group_detail(ended, current=NOW)
    running = group("Fridays 6-7:30 pm until 6/3/2027")
    assert "possibly ended" not in group_detail(running, current=NOW)
    assert next_text(Result(running), NOW) != "possibly ended"


def test_the_note_is_shown_and_kept_by_the_catalog(tmp_path: Path) -> None:
    g = group("Tuesdays on Zoom (except holidays)  - 6:15-7:30 pm")
    assert g.schedule.note == "except holidays"
    assert "Schedule note:  except holidays" in group_detail(g, current=NOW)
    conn = catalog.connect(tmp_path / "c.db", create=True)
    with conn:
        catalog.upsert(conn, [g])
    stored = catalog.get_group(conn, g.id)
    assert stored is not None and stored.schedule.note == "except holidays"


def test_a_meeting_over_five_hours_is_kept_and_flagged() -> None:
    rows = [
        {"name": "Drop-in", "slug": "a", "day": 1, "time": "09:00", "end_time": "22:30"},
        {"name": "Evening", "slug": "b", "day": 2, "time": "19:00", "end_time": "20:30"},
    ]
    page = Page(url="http://127.0.0.1/f.json", text=json.dumps(rows), fetched_at=NOW)
    scraper = MeetingGuide(SourceConfig(name="t"))
    assert len(scraper.parse_groups(page)) == 2
    assert dict(scraper.report.flagged) == {"meet over 5 hours (a typo, or a drop-in centre?)": 1}
    assert "Drop-in" in scraper.report.flags()


def test_the_scrape_report_names_the_long_meeting(tmp_path: Path) -> None:
    rows = [{"name": "Drop-in", "slug": "a", "day": 1, "time": "9:00 AM", "end_time": "10:30 PM"}]
    body = json.dumps(rows).encode()
    with Host({"/f.json": Reply(body=body, headers={"Content-Type": "application/json"})}) as h:
        result = CliRunner().invoke(
            app,
            [
                "--db",
                str(tmp_path / "c.db"),
                "scrape",
                "--delay",
                "0.01",
                "--platform",
                "meeting-guide",
                "--url",
                h.url("/f.json"),
                "--name",
                "t",
            ],
        )
    assert result.exit_code == 0, result.output
    assert "t: kept but check: 1 meet over 5 hours" in result.stdout
