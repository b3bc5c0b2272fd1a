"""The command line end to end through Typer's test runner, on the bundled catalog."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from peerfind import __version__
from peerfind.cli.app import app

runner = CliRunner()
NOW = "2026-11-24T18:30:00-05:00"  # a Tuesday evening in Boston


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Invoke peerfind with arguments; stdout and stderr are kept apart."""
    return runner.invoke(
        app, list(args), env={"PEERFIND_NOW": NOW, "TZ": "America/New_York", **(env or {})}
    )


def test_search_boston_table() -> None:
    result = run("search", "--near", "Boston, MA", "--limit", "5")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Groups within 25 mi of Boston, MA")
    lines = out.splitlines()
    assert lines[1].split()[:4] == ["ID", "DIST", "NEXT", "FORMAT"]
    assert len([ln for ln in lines[2:] if " mi " in ln]) == 5
    assert "AFG" in out  # real Al-Anon family group names from the Massachusetts feed
    assert "988" in lines[-1]  # the crisis line is one line away
    assert "(old)" in out  # recorded in 2023: marked as not recently confirmed


def test_search_json_fields() -> None:
    result = run("search", "--near", "02139", "--radius", "10", "-o", "json", "--limit", "3")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    required = {
        "id",
        "name",
        "organization",
        "format",
        "populations",
        "topics",
        "languages",
        "schedule",
        "day",
        "start_time",
        "timezone",
        "address",
        "city",
        "region",
        "postal_code",
        "latitude",
        "longitude",
        "distance_mi",
        "distance_km",
        "join_url",
        "source",
        "source_url",
        "last_seen",
        "next_meeting",
    }
    assert required <= set(rows[0])
    assert rows[0]["distance_mi"] <= rows[1]["distance_mi"] <= rows[2]["distance_mi"] <= 10
    assert rows[0]["distance_km"] == pytest.approx(rows[0]["distance_mi"] * 1.609344, abs=0.02)
    assert rows[0]["source"] == "al-anon-massachusetts"
    assert rows[0]["next_meeting"] > "2026-11-24T18:30"


def test_synonyms_and_filters() -> None:
    result = run("search", "--near", "Boston, MA", "-p", "teens", "--radius", "100", "-o", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all("youth" in r["populations"] for r in rows)
    online = run(
        "search", "--format", "virtual", "-t", "eating disorders", "-o", "json", "--limit", "100"
    )
    assert online.exit_code == 0, online.output
    rows = json.loads(online.stdout)
    assert rows and {r["format"] for r in rows} <= {"online", "hybrid"}
    assert all("eating_disorders" in r["topics"] for r in rows)


@pytest.mark.parametrize("day, date", [("today", "2026-11-24"), ("tomorrow", "2026-11-25")])
def test_evening_today_and_tomorrow_in_boston(day: str, date: str) -> None:
    args = ("--near", "Boston, MA", "--day", day, "--time", "evening", "--radius", "50")
    result = run("search", *args, "-o", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(r["next_meeting"].startswith(f"{date}T") for r in rows)
    assert all("17:00" <= r["start_time"] < "21:00" for r in rows)


def test_now_window() -> None:
    result = run("search", "--near", "Boston, MA", "--now", "-o", "json", "--radius", "50")
    assert result.exit_code == 0, result.output
    for row in json.loads(result.stdout):
        assert "2026-11-24T17:30" <= row["next_meeting"][:16] <= "2026-11-24T19:30"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--near", "Xyzzyville, OR"], "Xyzzyville"),
        (["--near", "Springfield"], "ambiguous"),
        (["--near", "Portlnd, OR"], "Portland, OR"),
        (["--near", "Boston, MA", "--radius", "0"], "radius"),
        (["--near", "Boston, MA", "--radius", "ten"], "not a number"),
        (["--near", "Boston, MA", "-p", "vetrans"], "veterans"),
        (["--near", "Boston, MA", "--format", "carrier-pigeon"], "unknown format"),
        (["--near", "Boston, MA", "--day", "funday"], "unknown day"),
        (["--near", "Boston, MA", "--time", "teatime"], "teatime"),
        (["--near", "Boston, MA", "--tz", "Mars/Olympus"], "time zone"),
        ([], "--near"),
    ],
)
def test_bad_input_is_one_clear_line(args: list[str], message: str) -> None:
    result = run("search", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    err = result.stderr.strip().splitlines()
    assert err[0].startswith("peerfind: ") and message in result.stderr


def test_missing_and_corrupt_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = run("--db", str(tmp_path / "nope.db"), "search", "--near", "Boston, MA")
    assert missing.exit_code == 1 and "no catalog at" in missing.stderr
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    corrupt = run("--db", str(bad), "search", "--near", "Boston, MA")
    assert corrupt.exit_code == 1 and "damaged or not a peerfind catalog" in corrupt.stderr
    assert "Traceback" not in corrupt.output


def test_no_match_explains_what_to_widen() -> None:
    result = run("search", "--near", "Poughkeepsie, NY", "--radius", "10")
    assert result.exit_code == 0
    assert "No groups match" in result.stderr and "nearest matching group is" in result.stderr
    assert "online groups match" in result.stderr
    assert "988" in result.stdout


def test_show_group() -> None:
    rows = json.loads(run("search", "--near", "Acworth, GA", "-o", "json", "--limit", "1").stdout)
    gid = rows[0]["id"]
    result = run("show", gid)
    assert result.exit_code == 0, result.output
    assert "Early Sunday Morning" in result.stdout or rows[0]["name"] in result.stdout
    assert "Source:" in result.stdout and "atlanta-aa" in result.stdout
    assert "Listed:" in result.stdout and "988" in result.stdout
    assert run("show", "ffffffffffff").exit_code == 2


def test_tags_geocode_crisis_version() -> None:
    tags = run("tags")
    assert tags.exit_code == 0 and "veterans" in tags.stdout and "eating_disorders" in tags.stdout
    geo = run("geocode", "02139")
    assert geo.exit_code == 0 and "Cambridge, MA" in geo.stdout
    crisis = run("crisis")
    assert "988" in crisis.stdout and "press 1" in crisis.stdout and "741741" in crisis.stdout
    assert "1-866-488-7386" in crisis.stdout and "1-877-565-8860" in crisis.stdout
    assert "1-800-662-4357" in crisis.stdout
    assert run("--version").stdout.strip() == f"peerfind {__version__}"


def test_help_has_examples() -> None:
    result = run("search", "--help")
    assert result.exit_code == 0 and "Examples" in result.stdout and "--near" in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        "search",
        "export",
        "show",
        "tags",
        "geocode",
        "crisis",
        "scrape",
        "sources",
        "publish",
        "update",
        "discover",
        "doctor",
    ],
)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
