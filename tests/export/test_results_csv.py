"""The CSV export carries what a spreadsheet user needs to decide (issue 15)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from peerfind.cli.app import app

NOW = "2026-11-24T18:30:00-05:00"


def test_csv_has_description_program_openness_age_and_old_flag(tmp_path: Path) -> None:
    out = tmp_path / "boston.csv"
    result = CliRunner().invoke(
        app,
        ["export", str(out), "--near", "Boston, MA", "--radius", "2"],
        env={"PEERFIND_NOW": NOW, "TZ": "America/New_York"},
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    izzy = next(r for r in rows if r["name"] == "Izzy Does It AFG")
    assert izzy["description"] == "First Church in Boston"
    assert (izzy["program"], izzy["openness"]) == ("al-anon", "open")
    assert izzy["last_seen"] == "2023-08-23"  # a plain date
    assert izzy["age_days"] == str((date(2026, 11, 24) - date(2023, 8, 23)).days)
    assert izzy["old"] == "yes"
    assert izzy["postal_code"] == "02116"  # a ZIP code stays text: its leading 0 is kept


def test_program_is_in_every_export(tmp_path: Path) -> None:
    env = {"PEERFIND_NOW": NOW, "TZ": "America/New_York"}
    near = ["--near", "Boston, MA", "--radius", "2"]
    runner = CliRunner()
    for name in ("x.json", "x.ics"):
        result = runner.invoke(app, ["export", str(tmp_path / name), *near], env=env)
        assert result.exit_code == 0, result.output
    assert '"program": "al-anon"' in (tmp_path / "x.json").read_text(encoding="utf-8")
    ics = (tmp_path / "x.ics").read_text(encoding="utf-8").replace("\r\n ", "")
    assert "Program: Al-Anon (for families and friends of people who drink)" in ics
    result = runner.invoke(app, ["export", str(tmp_path / "hsds"), "--hsds", *near], env=env)
    assert result.exit_code == 0, result.output
    read = (tmp_path / "hsds" / "programs.csv").read_text(encoding="utf-8")
    programs = list(csv.DictReader(io.StringIO(read, newline="")))
    assert [p["name"] for p in programs] == ["Al-Anon Family Groups"]
    read = (tmp_path / "hsds" / "services.csv").read_text(encoding="utf-8")
    services = list(csv.DictReader(io.StringIO(read, newline="")))
    assert services and {s["program_id"] for s in services} == {programs[0]["id"]}
