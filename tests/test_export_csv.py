"""CSV written straight from the catalog (export_csv) equals write_csv of the same results.

Listings: the bundled real feeds (data/feeds, see data/README.md) and the hostile listings of
test_hostile (real Atlanta meetings carrying attack payloads). Next meetings are tested in
test_next_meetings.py.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from peerfind import bundle, catalog, export, export_chunks, export_csv
from peerfind.cli import app
from peerfind.schedule import NextMeetings, next_occurrences
from peerfind.search import Result, _age_days
from tests.test_hostile import hostile_db  # noqa: F401  (fixture)

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=ZoneInfo("America/New_York"))
ENV = {"PEERFIND_NOW": NOW.isoformat(), "TZ": "America/New_York"}


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled catalog built from the real recorded feeds."""
    db = tmp_path_factory.mktemp("bundled") / "catalog.db"
    bundle.build_file(db)
    return db


def dict_csv(db: Path, distance: dict[int, float] | None = None) -> str:
    """Return write_csv of every active listing as search result dicts, in catalog order."""
    conn = catalog.connect(db, readonly=True)
    rows = conn.execute(
        "SELECT rowid AS _rowid, * FROM groups WHERE status = 'active' ORDER BY rowid"
    ).fetchall()
    dicts = []
    for row in rows:
        group = catalog.row_group(row)
        found = next_occurrences(group.schedule, NOW, 1, default_tz="America/New_York")
        dist = (distance or {}).get(row["_rowid"])
        dicts.append(
            Result(group, dist, found[0] if found else None, _age_days(group, NOW)).to_dict()
        )
    out = io.StringIO()
    export.write_csv(dicts, out)
    return out.getvalue()


def direct_csv(db: Path) -> str:
    """Return export_chunks.write_where of every active listing."""
    conn = catalog.connect(db, readonly=True)
    out = io.StringIO()
    export_chunks.write_where(
        conn, ["status = 'active'"], [], out, NextMeetings(NOW, "America/New_York")
    )
    return out.getvalue()


def test_direct_csv_equals_write_csv_on_real_feeds(bundled: Path) -> None:
    expected = dict_csv(bundled)
    assert expected.count("\r\n") > 500
    assert direct_csv(bundled) == expected


def test_direct_csv_equals_write_csv_on_hostile_listings(hostile_db: Path) -> None:  # noqa: F811
    expected = dict_csv(hostile_db)
    got = direct_csv(hostile_db)
    assert got == expected
    for line in csv.reader(io.StringIO(got, newline="")):
        assert all(cell.isprintable() or "\n" in cell for cell in line)
        assert not any(cell.startswith(("=", "+", "@", "\uff1d")) for cell in line)


def test_ranked_rows_keep_order_and_distance(bundled: Path) -> None:
    conn = catalog.connect(bundled, readonly=True)
    ids = [r[0] for r in conn.execute("SELECT rowid FROM groups WHERE status = 'active'")]
    chosen = ids[::-7][:120]  # reversed, spread over the catalog, several SELECT batches
    distances = {rid: i * 1.234 for i, rid in enumerate(chosen)}
    out = io.StringIO()
    written = export_csv.write_ranked(
        conn, [(rid, distances[rid]) for rid in chosen], out, NextMeetings(NOW, "UTC"),
        stats=(stats := export.ExportStats()),
    )
    assert written == stats.written == len(chosen)
    table = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    by_rowid = dict(conn.execute("SELECT rowid, id FROM groups").fetchall())
    assert [row["id"] for row in table] == [by_rowid[rid] for rid in chosen]
    assert [row["distance_mi"] for row in table[:3]] == ["0.0", "1.2", "2.5"]


def test_a_row_with_a_comma_quote_and_formula_is_quoted_like_the_csv_module(
    bundled: Path, tmp_path: Path
) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(bundled.read_bytes())
    conn = catalog.connect(db)
    with conn:
        conn.execute("UPDATE groups SET name = 'Hope, \"Again\"', venue = '=cmd()' "
                     "WHERE rowid = (SELECT min(rowid) FROM groups WHERE status = 'active')")
    conn.close()
    got = direct_csv(db)
    assert got == dict_csv(db)
    first = next(csv.DictReader(io.StringIO(got, newline="")))
    assert (first["name"], first["venue"]) == ('Hope, "Again"', "'=cmd()")


def run(db: Path, *args: str):  # type: ignore[no-untyped-def]
    """Invoke peerfind on a catalog with a pinned clock."""
    return CliRunner().invoke(app, ["--db", str(db), *args], env=ENV)


def test_export_all_writes_every_active_listing(bundled: Path, tmp_path: Path) -> None:
    target = tmp_path / "all.csv"
    result = run(bundled, "export", str(target), "--all")
    assert result.exit_code == 0, result.output
    conn = catalog.connect(bundled, readonly=True)
    active = conn.execute("SELECT count(*) FROM groups WHERE status = 'active'").fetchone()[0]
    table = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert len(table) == active > 500
    assert f"{active} groups written" in result.output
    assert {row["format"] for row in table} >= {"in_person", "online", "hybrid"}


def test_export_all_applies_filters_and_limit(bundled: Path, tmp_path: Path) -> None:
    target = tmp_path / "online.ndjson"
    result = run(bundled, "export", str(target), "--all", "--format", "online", "--limit", "5")
    assert result.exit_code == 0, result.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert "Stopped at --limit 5" in result.output
    import json

    assert {json.loads(line)["format"] for line in lines} <= {"online", "hybrid"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--near", "02139"], "drop --near"),
        (["--now"], "drop --now"),
        (["--day", "today"], "--day today"),
    ],
)
def test_export_all_refuses_what_it_cannot_honour(
    bundled: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    result = run(bundled, "export", str(tmp_path / "x.csv"), "--all", *extra)
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "x.csv").exists()


def test_export_near_csv_matches_search_results(bundled: Path, tmp_path: Path) -> None:
    target = tmp_path / "near.csv"
    result = run(bundled, "export", str(target), "--near", "Boston, MA", "--radius", "10")
    assert result.exit_code == 0, result.output
    found = run(bundled, "search", "--near", "Boston, MA", "--radius", "10", "--limit", "1000",
                "-o", "csv")
    assert found.exit_code == 0
    assert target.read_text(encoding="utf-8") == found.stdout


def test_an_online_export_is_not_cut_at_the_search_cap(
    bundled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerfind import search

    monkeypatch.setattr(search, "ONLINE_CAP", 3)  # what a 20-row search examines at most
    target = tmp_path / "online.csv"
    result = run(bundled, "export", str(target), "--format", "online")
    assert result.exit_code == 0, result.output
    conn = catalog.connect(bundled, readonly=True)
    online = conn.execute("SELECT count(*) FROM groups WHERE status = 'active' "
                          "AND format IN ('online', 'hybrid')").fetchone()[0]
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    # A meeting that two bundled feeds both list (OIAA and a local intergroup) is written once.
    assert online > 3 and online - 20 <= len(rows) <= online
