"""CSV lines built by SQLite in chunks (export_chunks) equal write_csv of the same listings.

Listings: the bundled real feeds (data/feeds, see data/README.md), the hostile listings of
test_hostile, and a copy of the bundled catalog with odd values written into some rows (what
no scraper stores, but a catalog edited by hand could hold). Small chunks make many of them,
so a chunk that is not plain is followed by others waiting in the second thread.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from peerfind import catalog, export_chunks
from peerfind.export import ExportStats
from peerfind.next_meeting import NextMeetings
from tests.test_export_csv import NOW, bundled, dict_csv  # noqa: F401  (fixture)
from tests.test_hostile import hostile_db  # noqa: F401  (fixture)

# (column, value, kept) written into one active listing each. `kept`: the line SQLite made is
# written (quoted if need be); the others must be read again and made cell by cell. Every line
# must come out as write_csv writes it.
ODD = [
    ("name", 'Hope, "Again"', True),  # comma and quote: quoted cell
    ("venue", "Hall A\r\nRoom 2", False),  # a line end inside a value
    ("venue", "Room\n2", False),  # a lone newline
    ("name", "Bell\x05Tower", False),  # the schedule slot character
    ("name", "Ctrl\x01A", False),  # another control character
    ("organization", "=HYPERLINK(1)", False),  # formula start
    ("organization", "-2+3", False),  # '-' that is not a plain number
    ("postal_code", "-5", True),  # a plain negative number: left alone
    ("city", " Springfield", False),  # leading space
    ("city", "\u00a0=1", False),  # no-break space before a formula character
    ("region", "\uff1dSUM", False),  # full-width '='
    ("name", "Grupo Esperanza \u2013 en espa\u00f1ol", True),  # non-ASCII, plain
    ("name", "Caf\u00e9 \u202e", False),  # non-ASCII, not printable
    ("populations", "|veterans||youth|", False),  # an empty tag
    ("topics", "depression|grief", True),  # tags without the outer bars
    ("latitude", 1e-05, False),  # SQLite and Python write this differently
    ("latitude", "north", False),  # text where a number belongs
    ("phone", "+1 555 0100", False),  # '+' start
    # a schedule whose text holds a newline (escaped in the JSON): quoted schedule cell
    ("schedule", '{"kind": "weekly", "days": [1], "start": "19:00", "text": "Mon\\n7pm"}', True),
    # a raw newline between JSON tokens: the chunk's schedules no longer split by line
    ("schedule", '{"kind": "weekly",\n"days": [2], "start": "18:00"}', True),
]


@pytest.fixture(scope="module")
def odd_db(bundled: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """A copy of the bundled catalog with the ODD values written into spread-out listings."""
    db = tmp_path_factory.mktemp("odd") / "catalog.db"
    db.write_bytes(bundled.read_bytes())
    conn = catalog.connect(db)
    ids = [r[0] for r in conn.execute("SELECT rowid FROM groups WHERE status = 'active'")]
    with conn:
        for (column, value, _), rowid in zip(ODD, ids[3::23], strict=False):
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


def test_odd_lines_are_read_again_and_only_they(odd_db: Path) -> None:
    conn = catalog.connect(odd_db, readonly=True)
    chunks = list(export_chunks._chunks(conn, ["status = 'active'"], [], None))
    text = "\r\n".join(text for _, _, text, _ in chunks)
    checked = 0
    for column, value, kept in ODD:
        if column in ("schedule", "latitude", "populations", "topics") or any(
            c in str(value) for c in "\r\n\x01\x05"
        ):
            continue  # not found as written (SQLite renders it), or no longer one line
        start = text.index(f"\x01{value}\x01")  # the whole cell
        line = text[text.rindex("\r\n", 0, start) + 2 : text.index("\r\n", start)]
        assert export_chunks.plain(line, 1, quotes=True) is kept, (column, value)
        checked += 1
    assert checked >= 10


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
def test_plain_accepts_only_text_csv_cell_leaves_alone(
    text: str, expected: bool, quoted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_chunks, "SEPARATORS", 2)
    lines = text.count("\r\n") + 1
    assert export_chunks.plain(text, lines) is expected
    assert export_chunks.plain(text, lines, quotes=True) is quoted
