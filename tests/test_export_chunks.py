"""CSV lines built by SQLite in chunks (export_chunks) equal write_csv of the same listings.

Listings: the bundled real feeds (data/feeds, see data/README.md), the hostile listings of
test_hostile, and a copy of the bundled catalog with odd values written into some rows (what
no scraper stores, but a catalog edited by hand could hold). Small chunks make many of them,
so a chunk with a row to read again is followed by others waiting in the second thread.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerfind import catalog, export_chunks
from peerfind.export import ExportStats
from peerfind.schedule import NextMeetings
from tests.test_export_csv import NOW, bundled, dict_csv  # noqa: F401  (fixture)
from tests.test_hostile import hostile_db  # noqa: F401  (fixture)

# (column, value, read) written into one active listing each. `read`: how the line is made —
# "sql" from what SQLite built (cells quoted or made safe in Python if need be), "row" read again
# and made by CsvWriter, "chunk" every row of its chunk read again (a value breaks the lines
# apart). Every line must come out as write_csv writes it.
ODD = [
    ("name", 'Hope, "Again"', "sql"),  # comma and quote: quoted cell
    ("venue", "Hall A\r\nRoom 2", "chunk"),  # a line end inside a value
    ("venue", "Room\n2", "row"),  # a lone newline
    ("name", "Bell\x05Tower", "row"),  # the schedule slot character
    ("name", "Ctrl\x01A", "row"),  # the cell separator
    ("organization", "=HYPERLINK(1)", "sql"),  # formula start
    ("organization", "-2+3", "sql"),  # '-' that is not a plain number
    ("postal_code", "-5", "sql"),  # a plain negative number: left alone
    ("city", " Springfield", "sql"),  # leading space
    ("city", "\u00a0=1", "row"),  # no-break space (not printable): read again and cleaned
    ("region", "\uff1dSUM", "sql"),  # full-width '='
    ("name", "Grupo Esperanza \u2013 en espa\u00f1ol", "sql"),  # non-ASCII, plain
    ("name", "Caf\u00e9 \u202e\x07", "row"),  # not printable: read again and cleaned
    ("populations", "|veterans||youth|", "row"),  # an empty tag
    ("topics", "depression|grief", "sql"),  # tags without the outer bars
    ("latitude", 1e-05, "row"),  # SQLite and Python write this differently
    ("latitude", "north", "row"),  # text where a number belongs
    ("phone", "+1 555 0100", "sql"),  # '+' start
    ("description", "First line\r\nsecond\nthird", "sql"),  # line breaks: spaces in CSV
    # not a date (SQLite reads it as 2023-03-02): the evidence date is Python's to work out
    ("last_verified", "2023-02-30", "row"),
    ("last_seen", "", "sql"),  # never listed: its age comes from its other dates
    # a schedule whose text holds a newline (escaped in the JSON): quoted schedule cell
    ("schedule", '{"kind": "weekly", "days": [1], "start": "19:00", "text": "Mon\\n7pm"}', "sql"),
    # a raw newline between JSON tokens: the chunk's schedules no longer split by line
    ("schedule", '{"kind": "weekly",\n"days": [2], "start": "18:00"}', "chunk"),
]
ACTIVE = "SELECT rowid FROM groups WHERE status = 'active' ORDER BY rowid"
SPREAD = 23  # active listings from one odd one to the next: each in a chunk of its own (CHUNK 5)


@pytest.fixture(scope="module")
def odd_db(bundled: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """A copy of the bundled catalog with the ODD values written into spread-out listings."""
    db = tmp_path_factory.mktemp("odd") / "catalog.db"
    db.write_bytes(bundled.read_bytes())
    conn = catalog.connect(db)
    ids = [r[0] for r in conn.execute(ACTIVE)]
    with conn:
        for (column, value, _), rowid in zip(ODD, ids[3::SPREAD], strict=False):
            conn.execute(f"UPDATE groups SET {column} = ? WHERE rowid = ?", (value, rowid))
    conn.close()
    return db


def chunked_csv(db: Path, limit: int | None = None) -> str:
    """Return export_chunks.write_where of every active listing."""
    conn = catalog.connect(db, readonly=True)
    out = io.StringIO()
    written = export_chunks.write_where(
        conn, ["status = 'active'"], [], out, NextMeetings(NOW, "America/New_York"), limit,
        stats=(stats := ExportStats()),
    )
    assert written == stats.written == len(list(csv.reader(io.StringIO(out.getvalue())))) - 1
    return out.getvalue()


@pytest.mark.parametrize("size", [1, 7, 64, 1000])
def test_chunks_equal_write_csv_on_real_feeds(
    bundled: Path, size: int, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setattr(export_chunks, "CHUNK", size)
    assert chunked_csv(bundled) == dict_csv(bundled)


@pytest.mark.parametrize("size", [3, 50])
def test_chunks_equal_write_csv_on_hostile_listings(
    hostile_db: Path, size: int, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setattr(export_chunks, "CHUNK", size)
    assert chunked_csv(hostile_db) == dict_csv(hostile_db)


@pytest.mark.parametrize("size", [5, 40, 1000])
def test_chunks_equal_write_csv_with_odd_values(
    odd_db: Path, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_chunks, "CHUNK", size)
    got = chunked_csv(odd_db)
    assert got == dict_csv(odd_db)
    table = list(csv.DictReader(io.StringIO(got, newline="")))
    cells = {cell for row in table for cell in row.values()}
    assert {'Hope, "Again"', "'=HYPERLINK(1)", "'-2+3", "-5", "'\uff1dSUM"} <= cells
    assert "Grupo Esperanza \u2013 en espa\u00f1ol" in cells
    assert "First line second third" in cells
    assert {row["old"] for row in table} <= {"yes", "no", ""}
    assert "yes" in {row["old"] for row in table}  # recorded feeds


def test_only_rows_sqlite_cannot_render_are_read_again(
    odd_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_chunks, "CHUNK", 5)
    read: list[int] = []
    original = export_chunks.ChunkWriter.reread

    def spy(self: export_chunks.ChunkWriter, rids: list[int]) -> dict:
        read.extend(rids)
        return original(self, rids)

    monkeypatch.setattr(export_chunks.ChunkWriter, "reread", spy)
    assert chunked_csv(odd_db) == dict_csv(odd_db)
    conn = catalog.connect(odd_db, readonly=True)
    ids = [r[0] for r in conn.execute(ACTIVE)]
    expected: set[int] = set()
    for n, (_, _, how) in enumerate(ODD):
        at = 3 + n * SPREAD
        if how == "row":
            expected.add(ids[at])
        elif how == "chunk":
            expected.update(ids[at - at % 5 : at - at % 5 + 5])
    texts = conn.execute("SELECT rowid, * FROM groups WHERE status = 'active' ORDER BY rowid")
    for row in texts:  # real listings whose text SQLite leaves to Python (a soft hyphen, say)
        text = "".join(v for v in row[1:] if isinstance(v, str)).replace("\n", " ")
        if not text.replace("\r", " ").isprintable() and row[0] not in ids[3::SPREAD][: len(ODD)]:
            expected.add(row[0])
    assert sorted(read) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "lines", "expected"),
    [
        ("a\x01\x05\x01b", 1, True),
        ("a\x01\x05\x01b\r\nc\x01\x05\x01d", 2, True),
        ("a\x01\x05\x01b\x01", 1, False),
        ("a\x01\x05\x05b", 1, False),
        ("a\x01\x05\x01b\nc\x01\x05\x01d", 2, False),
        ("a\x01\x05\x01b\r\nc\x01\x05\x01d\r", 2, False),
    ],
)
def test_separated_counts_every_separator(
    text: str, lines: int, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_chunks, "SEPARATORS", 2)
    assert export_chunks.separated(text, lines) is expected


def test_a_limit_cuts_the_export_across_chunks(
    bundled: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setattr(export_chunks, "CHUNK", 5)
    full = chunked_csv(bundled).split("\r\n")
    assert chunked_csv(bundled, limit=13).split("\r\n") == [*full[:14], ""]


def test_a_failed_write_in_the_second_thread_reaches_the_caller(
    bundled: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setattr(export_chunks, "CHUNK", 10)

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            if self.tell() > 20_000:
                raise OSError(28, "No space left on device")
            return super().write(text)

    conn = catalog.connect(bundled, readonly=True)
    with pytest.raises(OSError, match="No space"):
        export_chunks.write_where(conn, ["status = 'active'"], [], Full(), None)


@pytest.mark.parametrize(
    ("text", "expected", "quoted"),
    [
        ("a\x01\x05\x01b", True, True),
        ("a\x01\x05\x01b\r\nc\x01\x05\x01d", True, True),
        ("a\x01\x05\x01b,c", False, True),  # a comma: quotes needed
        ('a\x01\x05\x01"b', False, True),
        ("a\x01\x05\x01b\x01c", False, False),  # one separator too many
        ("a\x01\x05\x01=b", False, False),
        ("=a\x01\x05\x01b", False, False),
        ("a\x01\x05\x01b\r\n=c\x01\x05\x01d", False, False),
        ("a\x01\x05\x01 b", False, False),
        ("a\x01\x05\x01|b", False, False),
        ("a\x01\x05\x01+b", False, False),
        ("a\x01\x05\x01@b", False, False),
        ("a\x01\x05\x01-b", False, False),
        ("a\x01\x05\x01-1.5", True, True),
        ("a\x01\x05\x01-1.5x", False, False),
        ("a\x01\x05\x01b\r\n-c\x01\x05\x01d", False, False),
        ("a\x01\x05\x01b\x07", False, False),
        ("a\x01\x05\x01b\t", False, False),
        ("a\x01\x05\x01\u00e9", True, True),
        ("a\x01\x05\x01\u00e9,", False, True),
        ("a\x01\x05\x01\u00a0b", False, False),
        ("a\x01\x05\x01\u3000b", False, False),
        ("a\x01\x05\x01\uff1db", False, False),
        ("a\x01\x05\x01\u200bb", False, False),
    ],
)
def test_clean_accepts_only_text_csv_cell_leaves_alone(
    text: str, expected: bool, quoted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_chunks, "SEPARATORS", 2)
    lines = text.count("\r\n") + 1
    fit = export_chunks.separated(text, lines) and export_chunks.clean(text)
    assert fit is quoted  # written as SQLite made it, once cells with a comma or quote are quoted
    assert (fit and "," not in text and '"' not in text) is expected  # as SQLite made it


@given(st.lists(st.lists(st.text(alphabet='ab ,"-=\u00e9', max_size=6), min_size=2, max_size=5),
                min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_quote_cells_quotes_as_the_csv_module(rows: list[list[str]]) -> None:
    width = len(rows[0])
    rows = [(row + [""] * width)[:width] for row in rows]  # one width (2+), as export lines
    text = "\r\n".join("\x01".join(row) for row in rows)
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows(rows)
    got = export_chunks.quote_cells(text).replace("\x01", ",") + "\r\n"
    assert got == expected.getvalue()
