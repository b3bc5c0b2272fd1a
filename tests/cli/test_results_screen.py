"""Where a group meets and how results read on a screen (issue 15: Where, Reading the screen)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import load_page
from typer.testing import CliRunner

from peerfind import vocab
from peerfind.catalog import db as catalog
from peerfind.cli.app import app
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.scraping import SourceConfig

runner = CliRunner()
NOW = "2026-11-24T18:30:00-05:00"  # a Tuesday evening in Boston


def run(*args: str, columns: str = "160", **env: str):  # type: ignore[no-untyped-def]
    """Invoke peerfind on the bundled catalog at NOW in New York."""
    base = {"PEERFIND_NOW": NOW, "TZ": "America/New_York", "COLUMNS": columns}
    return runner.invoke(app, list(args), env={**base, **env})


# --- where ---------------------------------------------------------------------------------------


def test_online_meeting_shows_no_street_address() -> None:
    out = run("show", "dca1cab18acf").stdout  # online; the feed also gives a street address
    where = next(line for line in out.splitlines() if line.startswith("Where:"))
    assert "online only" in where
    assert "Cuttyhunk" not in where and "MA" not in where


def test_temporarily_closed_venue_is_marked_and_has_no_next_meeting(tmp_path: Path) -> None:
    # The bundle leaves closed venues out; a scrape of the same real feed keeps them as closed.
    scraper = MeetingGuide(
        SourceConfig(name="ma-al-anon", program="al-anon", timezone="America/New_York")
    )
    groups = scraper.parse_groups(load_page("meeting_guide/tsml-ui-al-anon.json"))
    closed = [g for g in groups if g.name == "A New Way of Life AFG"]
    assert closed and closed[0].status == vocab.TEMPORARILY_CLOSED
    db = str(tmp_path / "scraped.db")
    conn = catalog.connect(Path(db), create=True)
    catalog.refresh_source(conn, "ma-al-anon", groups)
    conn.close()
    out = run(
        "search", "--near", "Worcester, MA", "--radius", "5", "--include-closed", PEERFIND_DB=db
    ).stdout
    line = next(ln for ln in out.splitlines() if "A New Way of Life AFG" in ln)
    assert "venue closed" in line
    show = run("show", line.split()[0], PEERFIND_DB=db).stdout
    assert "Next meeting:" not in show and "venue temporarily closed" in show


def test_small_us_namesake_of_a_big_foreign_city_is_said() -> None:
    result = run("geocode", "Toronto")
    assert "Toronto, OH" in result.stdout
    assert "covers the United States only" in result.stderr


def test_new_york_is_new_york_city() -> None:
    result = run("geocode", "New York")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("New York City, NY")


def test_four_digit_zip_suggests_the_zero_padded_one() -> None:
    result = run("search", "--near", "2139")
    assert result.exit_code != 0
    assert "did you mean 02139" in result.stderr


def test_negative_radius_must_be_positive() -> None:
    result = run("search", "--near", "02139", "--radius", "-5")
    assert result.exit_code == 2
    assert "must be positive" in result.stderr and "not a number" not in result.stderr


# --- reading the screen --------------------------------------------------------------------------


def test_table_and_footer_fit_80_columns() -> None:
    result = run("search", "--near", "Boston, MA", "--limit", "20", columns="80")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert "Izzy Does It AFG [Al-Anon, open]" in result.stdout  # the name is not cut short


def test_table_shows_program_openness_and_who_al_anon_is_for() -> None:
    out = run("search", "--near", "Boston, MA", "-t", "alcohol", "--limit", "5").stdout
    assert "[Al-Anon, open]" in out
    assert "Al-Anon meetings are for families and friends of people who drink." in out


def test_showing_n_of_total() -> None:
    out = run("search", "--near", "Boston, MA", "--limit", "20").stdout
    assert "Showing 20 of 102 — use --limit or narrow the search." in out
    every = run("search", "--near", "Boston, MA", "--limit", "200", "-o", "json").stdout
    assert len(json.loads(every)) == 102


@pytest.mark.parametrize("how", [("--plain",), ()])
def test_plain_output_is_labelled_blocks(how: tuple[str, ...]) -> None:
    env = {} if how else {"TERM": "dumb"}
    result = run("search", "--near", "Boston, MA", "--limit", "3", *how, columns="40", **env)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1. Izzy Does It AFG\n   Next meeting: tomorrow 7:00 PM\n" in out
    assert "   ID: bd0437943454" in out
    assert "…" not in out and "ID            DIST" not in out


def test_crisis_adds_211_and_988_in_spanish() -> None:
    out = run("crisis", columns="80").stdout
    assert "211" in out and "press 2" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_sources_wraps_no_word_in_the_middle() -> None:
    out = run("sources", columns="80").stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    names = [r["name"] for r in json.loads(run("sources", "-o", "json").stdout)]
    assert names and all(name in out for name in names)  # every name whole


def test_no_color_means_no_escape_codes_even_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from rich.console import Console
    from rich.table import Table

    from peerfind.cli.scrape import plain_console

    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    table = Table()
    table.add_column("Source")
    table.add_row("eda")
    plain_console(Console, file=out, force_terminal=True).print(table)
    assert "eda" in out.getvalue() and "\x1b" not in out.getvalue()
    sources = run("sources", columns="80", NO_COLOR="1").stdout
    assert "\x1b" not in sources and "┃" not in sources


def test_showing_more_than_when_many_match() -> None:
    out = run("search", "--format", "online", "--limit", "5").stdout
    assert "Showing 5 of more than 200 — use --limit or narrow the search." in out
