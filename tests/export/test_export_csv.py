"""The one CSV writer (export_csv) against the plain reading of the same search results.

Listings: the bundled real feeds (data/feeds, see data/README.md), the hostile listings of
test_hostile (real Atlanta meetings carrying attack payloads), and a copy of the bundled catalog
with odd values written into some rows (what no scraper stores, but a catalog edited by hand
could hold). Next meetings are tested in tests/schedule/test_next_meetings.py.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_hostile import hostile_db  # noqa: F401  (fixture)
from typer.testing import CliRunner

from peerfind import vocab
from peerfind.catalog import db as catalog
from peerfind.clean import csv_cell
from peerfind.cli.app import app
from peerfind.export import common as export
from peerfind.export import csv_rows as export_csv
from peerfind.models import Schedule
from peerfind.schedule.recurrence import NextMeetings, next_occurrences
from peerfind.search.engine import Result, age_days
from peerfind.sources import bundle

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=ZoneInfo("America/New_York"))
ENV = {"PEERFIND_NOW": NOW.isoformat(), "TZ": "America/New_York"}


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled catalog built from the real recorded feeds."""
    db = tmp_path_factory.mktemp("bundled") / "catalog.db"
    bundle.build_file(db)
    return db


def _text(value: object) -> str:
    """Return a cell's text: a list as 'a; b', None as '', text between bars as stored tags."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if v not in (None, ""))
    if isinstance(value, str) and value.startswith("|") and value.endswith("|"):
        return "; ".join(vocab.decode_tags(value))
    return str(value)


def reference_cells(row: dict[str, Any]) -> list[str]:
    """Return the CSV cells of one search result dict, read the plain way: the columns of
    docs/export-formats.md, each made safe by clean.csv_cell."""
    sched = Schedule.from_dict(row["schedule_detail"])
    distance, age = row["distance_mi"], row["age_days"]
    values = {
        **row,
        "schedule_text": sched.text,
        "days": [vocab.DAY_NAMES[d] for d in sched.days],
        "start_time": sched.start,
        "end_time": sched.end,
        "timezone": sched.timezone,
        "distance_mi": "" if distance is None else f"{distance:.1f}",
        "age_days": "" if age is None else str(age),
        "old": "" if age is None else "yes" if age > export.STALE_DAYS else "no",
        "description": (row["description"] or "")
        .replace("\r\n", " ")
        .replace("\r", " ")
        .replace("\n", " "),
    }
    return [csv_cell(_text(values[column])) for column in export.CSV_COLUMNS]


def reference_csv(rows: list[dict[str, Any]]) -> str:
    """Return the CSV file of search result dicts, written by the csv module."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(export.CSV_COLUMNS)
    writer.writerows(map(reference_cells, rows))
    return out.getvalue()


def dict_csv(db: Path, distance: dict[int, float] | None = None) -> str:
    """Return reference_csv of every active listing as search results, in catalog order."""
    conn = catalog.connect(db, readonly=True)
    rows = conn.execute(
        "SELECT rowid AS _rowid, * FROM groups WHERE status = 'active' ORDER BY rowid"
    ).fetchall()
    dicts = []
    for row in rows:
        group = catalog.row_group(row)
        found = next_occurrences(group.schedule, NOW, 1, default_tz="America/New_York")
        dist = (distance or {}).get(row["_rowid"])
        result = Result(group, dist, found[0] if found else None, age_days(group, NOW))
        dicts.append({**result.to_dict(), "id": row["id"]})  # the stored id, as exported
    return reference_csv(dicts)


def direct_csv(db: Path, limit: int | None = None) -> str:
    """Return export_csv.write_where of every active listing."""
    conn = catalog.connect(db, readonly=True)
    out = io.StringIO()
    written = export_csv.write_where(
        conn,
        ["status = 'active'"],
        [],
        out,
        NextMeetings(NOW, "America/New_York"),
        limit,
        stats=(stats := export.ExportStats()),
    )
    assert written == stats.written == len(list(csv.reader(io.StringIO(out.getvalue())))) - 1
    return out.getvalue()


def test_csv_equals_the_plain_reading_on_real_feeds(bundled: Path) -> None:
    expected = dict_csv(bundled)
    assert expected.count("\r\n") > 500
    assert direct_csv(bundled) == expected


def test_csv_equals_the_plain_reading_on_hostile_listings(hostile_db: Path) -> None:  # noqa: F811
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
        conn,
        [(rid, distances[rid]) for rid in chosen],
        out,
        NextMeetings(NOW, "UTC"),
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
        conn.execute(
            "UPDATE groups SET name = 'Hope, \"Again\"', venue = '=cmd()' "
            "WHERE rowid = (SELECT min(rowid) FROM groups WHERE status = 'active')"
        )
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
    found = run(
        bundled, "search", "--near", "Boston, MA", "--radius", "10", "--limit", "1000", "-o", "csv"
    )
    assert found.exit_code == 0
    assert target.read_text(encoding="utf-8") == found.stdout


def test_an_online_export_is_not_cut_at_the_search_cap(
    bundled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerfind.search import engine as search

    monkeypatch.setattr(search, "ONLINE_CAP", 3)  # what a 20-row search examines at most
    target = tmp_path / "online.csv"
    result = run(bundled, "export", str(target), "--format", "online")
    assert result.exit_code == 0, result.output
    conn = catalog.connect(bundled, readonly=True)
    online = conn.execute(
        "SELECT count(*) FROM groups WHERE status = 'active' AND format IN ('online', 'hybrid')"
    ).fetchone()[0]
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    # A meeting that two bundled feeds both list (OIAA and a local intergroup) is written once.
    assert online > 3 and online - 20 <= len(rows) <= online


# (column, value) written into one active listing each: values no scraper stores, but a catalog
# edited by hand could hold. Every line must come out as the plain reading writes it.
ODD = [
    ("name", 'Hope, "Again"'),  # comma and quote: quoted cell
    ("venue", "Hall A\r\nRoom 2"),  # a line end inside a value
    ("venue", "Room\n2"),  # a lone newline
    ("name", "Bell\x05Tower"),  # a control character
    ("name", "Ctrl\x01A"),  # the separator the writer joins cells with in SQL
    ("organization", "=HYPERLINK(1)"),  # formula start
    ("organization", "-2+3"),  # '-' that is not a plain number
    ("postal_code", "-5"),  # a plain negative number: left alone
    ("city", " Springfield"),  # leading space
    ("city", "\u00a0=1"),  # no-break space (not printable): read again and cleaned
    ("region", "\uff1dSUM"),  # full-width '='
    ("name", "Grupo Esperanza \u2013 en espa\u00f1ol"),  # non-ASCII, plain
    ("name", "Caf\u00e9 \u202e\x07"),  # not printable: read again and cleaned
    ("name", "|not|tags|"),  # text between bars
    ("populations", "|veterans||youth|"),  # an empty tag
    ("topics", "depression|grief"),  # tags without the outer bars
    ("latitude", 1e-05),  # a float Python writes with an exponent
    ("latitude", "north"),  # text where a number belongs
    ("phone", "+1 555 0100"),  # '+' start
    ("description", "First line\r\nsecond\nthird"),  # line breaks: spaces in CSV
    ("last_verified", "2023-02-30"),  # not a date (SQLite reads it as 2023-03-02)
    ("last_seen", ""),  # never listed: its age comes from its other dates
    # a schedule whose text holds a newline (escaped in the JSON): quoted schedule cell
    ("schedule", '{"kind": "weekly", "days": [1], "start": "19:00", "text": "Mon\\n7pm"}'),
    ("schedule", '{"kind": "weekly",\n"days": [2], "start": "18:00"}'),  # a raw newline
    ("source_url", "javascript:alert(1)"),  # a link clean_url refuses
]
ACTIVE = "SELECT rowid FROM groups WHERE status = 'active' ORDER BY rowid"


@pytest.fixture(scope="module")
def odd_db(bundled: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled catalog with the ODD values written into spread-out listings."""
    db = tmp_path_factory.mktemp("odd") / "catalog.db"
    db.write_bytes(bundled.read_bytes())
    conn = catalog.connect(db)
    ids = [r[0] for r in conn.execute(ACTIVE)]
    with conn:
        for (column, value), rowid in zip(ODD, ids[3::23], strict=False):
            conn.execute(f"UPDATE groups SET {column} = ? WHERE rowid = ?", (value, rowid))
    conn.close()
    return db


def test_csv_equals_the_plain_reading_with_odd_values(odd_db: Path) -> None:
    got = direct_csv(odd_db)
    assert got == dict_csv(odd_db)
    table = list(csv.DictReader(io.StringIO(got, newline="")))
    cells = {cell for row in table for cell in row.values()}
    assert {'Hope, "Again"', "'=HYPERLINK(1)", "'-2+3", "-5", "'\uff1dSUM"} <= cells
    assert "Grupo Esperanza \u2013 en espa\u00f1ol" in cells
    assert "First line second third" in cells
    assert "javascript:alert(1)" not in cells
    assert {row["old"] for row in table} <= {"yes", "no", ""}
    assert "yes" in {row["old"] for row in table}  # recorded feeds


def test_a_limit_cuts_the_export(bundled: Path) -> None:
    full = direct_csv(bundled).split("\r\n")
    assert direct_csv(bundled, limit=13).split("\r\n") == [*full[:14], ""]


def test_quoting_a_run_in_place_equals_quoting_each_cell() -> None:
    """_quote_cells wraps the one cell that holds commas where it stands; it must give what
    quoting every cell of the split run gives, for any mix of commas, quotes and empty cells
    (it is called only for runs with a comma or quote)."""
    import random

    sep = export_csv._SEP
    rnd = random.Random(18)
    for _ in range(5_000):
        cells = [
            "".join(rnd.choice('ab," ') for _ in range(rnd.randint(0, 4)))
            for _ in range(rnd.randint(1, 6))
        ]
        if not any("," in c or '"' in c for c in cells):
            continue
        expected = sep.join(
            '"' + c.replace('"', '""') + '"' if "," in c or '"' in c else c for c in cells
        )
        assert export_csv._quote_cells(sep.join(cells)) == expected, cells
