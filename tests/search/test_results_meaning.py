"""What a listing means to the person reading it: topic hierarchy, program, open/closed, who it is
for, women's/men's meetings, clean names, languages by name (issue 15, "Meaning")."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from peerfind.cli.app import app

runner = CliRunner()
NOW = "2026-11-24T18:30:00-05:00"  # a Tuesday evening in Boston


def rows(*args: str) -> list[dict]:
    """Run a search as JSON on the bundled catalog and return its rows."""
    result = runner.invoke(
        app,
        ["search", *args, "-o", "json"],
        env={"PEERFIND_NOW": NOW, "TZ": "America/New_York"},
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout or "[]")


def test_substance_use_includes_alcohol_groups() -> None:
    found = rows("--near", "Boston, MA", "-t", "substance_use", "--limit", "10")
    assert len(found) == 10
    assert all("alcohol" in r["topics"] or "substance_use" in r["topics"] for r in found)


def test_mental_health_includes_eating_disorder_groups() -> None:
    found = rows("--format", "online", "-t", "mental_health", "--limit", "5")
    assert found and all("eating_disorders" in r["topics"] for r in found)


def test_women_finds_womens_meetings() -> None:
    found = rows("--near", "Boston, MA", "-p", "women", "--limit", "5")
    assert found and all("women" in r["name"].lower() for r in found)


def test_names_lose_feed_group_ids_but_keys_keep_them() -> None:
    found = rows("--near", "Boston, MA", "--limit", "20")
    assert not [r["name"] for r in found if r["name"].split()[0].isdigit()]
    izzy = [r for r in found if r["name"] == "Izzy Does It AFG"]
    assert izzy and izzy[0]["source_key"].startswith("35119-")


def test_program_filter_and_field() -> None:
    found = rows("--near", "Boston, MA", "--program", "Al-Anon", "--limit", "5")
    assert found and {r["program"] for r in found} == {"al-anon"}
    assert rows("--near", "Boston, MA", "--program", "aa") == []


def test_unknown_program_is_one_clear_line() -> None:
    result = runner.invoke(app, ["search", "--near", "02139", "--program", "alanonn"])
    assert result.exit_code == 2
    assert "unknown program 'alanonn'" in result.stderr and "al-anon" in result.stderr


@pytest.mark.parametrize("flag", ["--open", "--closed"])
def test_open_and_closed_filters(flag: str) -> None:
    found = rows("--near", "Boston, MA", flag, "--limit", "10")
    assert found and {r["openness"] for r in found} == {flag[2:]}
    same = rows("--near", "Boston, MA", "--openness", flag[2:], "--limit", "10")
    assert [r["id"] for r in same] == [r["id"] for r in found]


def test_languages_by_name_in_english_and_in_the_language() -> None:
    by_code = rows("--near", "Boston, MA", "-l", "es")
    assert by_code and all("es" in r["languages"] for r in by_code)
    for name in ("spanish", "Español", "espanol"):
        assert rows("--near", "Boston, MA", "-l", name) == by_code


def test_descriptions_have_no_html_entities() -> None:
    found = rows("--near", "Boston, MA", "--radius", "100", "--limit", "1000")
    assert found and not [r for r in found if "&amp;" in r["description"]]
    from peerfind.platforms.listing_text import unescape

    assert unescape("GR's &amp; members") == "GR's & members"


def test_helpers() -> None:
    from peerfind.platforms.listing_text import name_populations, strip_group_id
    from peerfind.platforms.mg_types import openness

    assert strip_group_id("35119 Izzy Does It AFG", "35119-izzy") == "Izzy Does It AFG"
    assert strip_group_id("12 Steps to Recovery", "x") == "12 Steps to Recovery"
    assert strip_group_id("6115 Open to All AFG", "6115-open-to-all-afg") == "Open to All AFG"
    assert name_populations("Natick Saturday AM Women's AFG") == ("women",)
    assert name_populations("Sunday Night Men's Meeting") == ("men",)
    assert openness(["O", "ONL"]) == "open" and openness(["C"]) == "closed"
    assert openness(["O", "C"]) == "" and openness([]) == ""
