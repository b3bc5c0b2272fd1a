"""What the bundled catalog covers: the README's generated tables, and searches a new user makes.

The "Done when" of issue 14: at least 20 groups within 25 mi of each of five cities, each with
its source and age, on the catalog a fresh install gets (the default path in a new home).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peerfind.cli.app import app
from peerfind.sources import coverage

README = Path(__file__).resolve().parents[2] / "README.md"
runner = CliRunner()


def test_readme_tables_match_the_catalog() -> None:
    text = README.read_text(encoding="utf-8")
    assert coverage.START in text and coverage.END in text
    section = text.split(coverage.START, 1)[1].split(coverage.END, 1)[0]
    assert section.strip() == coverage.generate().strip(), (
        "README drifted from the catalog: run python -m peerfind.sources.coverage --write README.md"
    )


def test_replace_section_keeps_the_rest() -> None:
    text = f"intro\n{coverage.START}\nold\n{coverage.END}\noutro\n"
    assert coverage.replace_section(text, "new\n") == (
        f"intro\n{coverage.START}\nnew\n{coverage.END}\noutro\n"
    )
    with pytest.raises(ValueError):
        coverage.replace_section("no markers", "x")


@pytest.fixture(scope="module")
def fresh_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a fresh install: an empty home, the default catalog path."""
    home = tmp_path_factory.mktemp("fresh-home")
    return {
        "PEERFIND_HOME": str(home),
        "PEERFIND_DB": "",
        "TZ": "America/New_York",
        "PEERFIND_NOW": "2026-12-05T12:00:00-05:00",
    }


@pytest.mark.parametrize(
    "place",
    [
        "Philadelphia, PA",
        "Seattle, WA",
        "Anaheim, CA",
        "Scranton, PA",
        "Boston, MA",
        "Sioux Falls, SD",
    ],
)
def test_twenty_groups_near_each_city(
    place: str, fresh_home: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PEERFIND_DB", raising=False)
    env = {k: v for k, v in fresh_home.items() if v}
    result = runner.invoke(
        app, ["search", "--near", place, "--radius", "25", "--limit", "50", "-o", "json"], env=env
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) >= 20
    assert all(r["distance_mi"] <= 25 and r["source"] and r["last_seen"] for r in rows)


def test_sources_lists_every_bundled_feed(
    fresh_home: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PEERFIND_DB", raising=False)
    env = {k: v for k, v in fresh_home.items() if v}
    result = runner.invoke(app, ["sources", "-o", "json"], env=env)
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    bundled = [r for r in rows.values() if "bundled (recorded" in (r["origin"] or "")]
    assert len(bundled) >= 10 and sum(r["listings"] for r in bundled) >= 6500
    assert all(r["provenance"] and r["age_days"] is not None for r in bundled)
    assert rows["aa-seattle"]["origin"].endswith("bundled (recorded 2025-07-22)")
