"""Times a person can act on: time filters for every format, hints that respect the clock,
listings without a time zone, zones labelled in `show` (issue 15, "Time")."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from peerfind.cli.app import app

runner = CliRunner()
NOW = "2026-11-24T18:30:00-05:00"  # a Tuesday evening in Boston
NY = ZoneInfo("America/New_York")


def run(*args: str, columns: str = "160"):  # type: ignore[no-untyped-def]
    """Invoke peerfind on the bundled catalog at NOW in New York."""
    env = {"PEERFIND_NOW": NOW, "TZ": "America/New_York", "COLUMNS": columns}
    return runner.invoke(app, list(args), env=env)


def test_evening_applies_to_hybrid_meetings_in_an_online_search() -> None:
    result = run(
        "search", "--format", "online", "--time", "evening", "--limit", "200", "-o", "json"
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["format"] for r in rows} >= {"online", "hybrid"}
    for r in rows:
        local = datetime.fromisoformat(r["next_meeting"]).astimezone(NY)
        assert 17 <= local.hour < 21, (r["name"], r["format"], r["next_meeting"])


def test_no_result_hints_count_only_what_meets_when_asked() -> None:
    result = run("search", "--near", "Boston, MA", "--radius", "1", "--within", "10m")
    assert result.exit_code == 0
    # the 0.9 mi group meets tomorrow; the one at 2.1 mi started at 5:45 PM and is in progress
    assert "The nearest matching group is 2.1 mi away (raise --radius)" in result.stderr
    hint = re.search(r"(\d+) online groups match \(add --format online\)", result.stderr)
    assert hint is not None, result.stderr
    online = run("search", "--format", "online", "--within", "10m", "--limit", "500", "-o", "json")
    assert len(json.loads(online.stdout)) == int(hint[1])  # following the hint finds that many
    wider = run("search", "--near", "Boston, MA", "--radius", "3", "--within", "10m", "-o", "json")
    assert [round(r["distance_mi"], 1) for r in json.loads(wider.stdout)] == [2.1]


def test_zoneless_listing_shows_unknown_zone_and_is_left_out_of_now() -> None:
    found = run("search", "tbilisi", "--format", "online")
    assert found.exit_code == 0, found.output
    assert "zone unknown" in found.stdout
    now = run("search", "--format", "online", "-t", "eating_disorders", "--now")
    assert "Tbilisi" not in now.stdout
    assert "1 listing with no time zone was left out of --now/--within" in now.stderr


def test_zone_stated_in_a_name_is_read() -> None:
    rows = json.loads(run("search", "plettenberg", "-o", "json").stdout)
    assert rows and rows[0]["timezone"] == "Africa/Johannesburg"  # "3pm South African Time"


def test_calendar_export_says_the_zone_is_unknown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "t.ics"
    result = run("export", str(out), "--text", "tbilisi", "--all")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8").replace("\r\n ", "")
    assert "Time zone: unknown" in text


def test_show_labels_the_zone_of_when_and_next_meeting() -> None:
    rows = json.loads(run("search", "--near", "Boston, MA", "--limit", "1", "-o", "json").stdout)
    out = run("show", rows[0]["id"]).stdout
    when = next(line for line in out.splitlines() if line.startswith("When:"))
    nxt = next(line for line in out.splitlines() if line.startswith("Next meeting:"))
    assert "(America/New_York)" in when and "(America/New_York)" in nxt


def test_a_meeting_starting_this_minute_reads_starting_now() -> None:
    from peerfind.schedule import clock as timeutil

    moment = datetime(2026, 11, 24, 19, 0, tzinfo=NY)
    assert timeutil.relative(moment, moment) == "today 7:00 PM, starting now"
