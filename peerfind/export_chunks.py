"""Write catalog listings as CSV with SQLite building the lines, 500 listings at a time.

An export in catalog order with no distance (`peerfind export FILE.csv --all`) needs from Python
only the six schedule cells (they hold the next meeting). So SQLite puts each chunk of listings
together as one string: cells separated by CELL, lines by CRLF, and a SLOT cell where the
schedule cells go; the chunk's schedules come as a second string. A second thread checks the
whole chunk with a few string operations (separator counts, printable text, no cell starting
like a formula), quotes the cells holding a comma or a quote, fills in the schedule cells
(memoised by export_csv.CsvWriter) and writes it, while SQLite builds the next chunk.

A chunk with a cell csv_cell would change (a formula-like start, a control character) is taken
line by line, each such line cell by cell through export._cell, in the second thread too. Only
a row SQLite did not render as Python does (an empty tag, a coordinate out of the usual range
or not a number: the ODD marker) or with a separator inside a value is read again, by the
reading thread, and made by export_csv.CsvWriter. The output equals export.write_csv's for the
same listings (tests/test_export_chunks.py).

Coordinates are written as SQLite renders them (15 significant digits), which is what Python
writes for the 6-decimal values the catalog stores (models.Group rounds them).
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from typing import IO

from peerfind import evidence
from peerfind.clean import _FORMULA_START
from peerfind.export import (
    CSV_COLUMNS,
    DESCRIPTION_SQL,
    LINK_COLUMNS,
    STALE_DAYS,
    ExportStats,
    _cell,
    link_sql,
)
from peerfind.export_csv import _PARTS, SCHEDULE, TAGS, CsvWriter, _csv_line, _no_gc
from peerfind.schedule import NextMeetings

CHUNK = 500  # listings per SELECT
AHEAD = 2  # chunks read before the oldest is written
SWITCH_INTERVAL = 0.0002  # s: hand the GIL back quickly when a chunk is ready
CELL, SLOT, ODD, CRLF = "\x01", "\x05", "\x03", "\r\n"  # ODD: a cell left to Python
Chunk = tuple[int, str, str, str]  # listings, their rowids, their lines, their schedules


TODAY = "'__TODAY__'"  # in _LINE_SQL: the export's date (a quoted ISO date) or NULL


def _line_sql() -> tuple[str, int]:
    """Return the SQL expression of one listing's line, and the CELL separators it holds."""
    formats, args = [], []
    for column in CSV_COLUMNS:
        expr = f"g.{column}"
        if column in TAGS:  # '|a|b|' -> 'a; b' as vocab.decode_tags; an empty tag: Python's
            formats.append("%s")
            args.append(f"CASE WHEN instr({expr}, '||') THEN char({ord(ODD)}) "
                        f"ELSE replace(trim({expr}, '|'), '|', '; ') END")
        elif column == "schedule_text":
            formats.append(SLOT)
        elif column in SCHEDULE:
            continue  # in the slot
        elif column in ("latitude", "longitude"):  # repr and %!.15g agree in this range
            formats.append("%s")
            args.append(f"CASE WHEN {expr} IS NULL THEN '' "
                        f"WHEN abs({expr}) >= 0.0001 AND abs({expr}) < 1e15 "
                        f"THEN CAST({expr} AS TEXT) ELSE char({ord(ODD)}) END")
        elif column == "distance_mi":
            formats.append("")
        elif column in ("age_days", "old"):  # as export.age_cells; an unusual date: Python's
            day = evidence.SQL_DATE  # the evidence date, as search.Result counts age
            age = f"julianday({TODAY}) - julianday({day})"
            value = (f"CAST({age} AS INTEGER)" if column == "age_days" else
                     f"CASE WHEN {TODAY} IS NULL THEN '' WHEN {age} > {STALE_DAYS} THEN 'yes' "
                     "ELSE 'no' END")
            formats.append("%s")
            args.append(f"CASE WHEN coalesce({day}, '') = '' THEN '' "
                        f"WHEN date({day}, '+0 days') IS {day} THEN {value} "
                        f"ELSE char({ord(ODD)}) END")
        else:
            formats.append("%s")
            if column == "description":
                expr = DESCRIPTION_SQL
            elif column in LINK_COLUMNS:
                expr = link_sql(expr)
            args.append(expr)
    return f"printf('{CELL.join(formats)}', {', '.join(args)})", len(formats) - 1


_LINE_SQL, SEPARATORS = _line_sql()
# What makes csv_cell change a cell's start: clean._FORMULA_START (less '-', checked apart, and
# the control characters, which are not printable anyway), a space or no-break or ideographic
# space it looks past, and '|' (kept out of the fast path, as export_csv does).
_FORMULA = "".join(c for c in _FORMULA_START if c.isprintable() and c != "-")
_RISKY = " \u00a0\u3000|" + _FORMULA  # a cell starting with one of these may change
_STARTS = _RISKY + "-"
# Byte classes of ASCII text: control characters -> 0, cell and line ends -> 1, characters that
# make a cell start look like a formula (or a leading space csv_cell looks past) -> 7, others -> a.
_CLASSES = bytes(
    1 if chr(b) in CELL + "\r\n"
    else 0 if (b < 32 or b == 127) and chr(b) != SLOT
    else 7 if chr(b) in _RISKY
    else ord("a")
    for b in range(256)
)
# The same starts in any text.
_UNUSUAL = re.compile("[" + CELL + "\n][" + re.escape(_RISKY) + "]")
# '-' starts a formula unless the cell is a plain number such as -71.1 (clean._is_plain_number).
_MINUS = re.compile(CELL + r"-(?!\d+(?:\.\d+)?(?:[" + CELL + r"\r]|$))")


def separated(text: str, lines: int) -> bool:
    """Return True when text holds exactly the separators of `lines` CRLF-separated lines
    (so no value holds one)."""
    return (text.count(CELL) == lines * SEPARATORS and text.count(SLOT) == lines
            and text.count("\n") == lines - 1 and text.count("\r") == lines - 1)


def clean(text: str) -> bool:
    """Return True when no cell of separated text starts like a formula (or with a space) or
    holds a character that is not printable: nothing csv_cell would change."""
    if not text or text[0] in _STARTS or "\n-" in text:
        return False
    if text.isascii():
        classes = text.encode("ascii").translate(_CLASSES)
        if b"\x00" in classes or b"\x01\x07" in classes:
            return False
    elif (not text.replace(CELL, " ").replace(CRLF, "  ").replace(SLOT, " ").isprintable()
          or _UNUSUAL.search(text)):
        return False
    return _MINUS.search(text) is None


def made_safe(line: str) -> str:
    """Return one readable() line with each cell as csv_cell and the csv module would write it
    (the SLOT cell left in place)."""
    if clean(line):
        return quote_cells(line) if "," in line or '"' in line else line
    cells = line.split(CELL)
    return CELL.join(cell if cell == SLOT else _csv_line([_cell(cell)]) for cell in cells)


def quote_cells(text: str) -> str:
    """Return separated lines with each cell holding a comma or a quote quoted as the csv module
    quotes it (cells end at CELL or CRLF; no value holds either)."""
    pieces: list[str] = []
    add, find, rfind = pieces.append, text.find, text.rfind
    quotes = '"' in text
    at = 0
    hit = _special(text, 0, quotes)
    while hit >= 0:
        start = max(rfind(CELL, at, hit), rfind("\n", at, hit)) + 1 or at
        end, line_end = find(CELL, hit), find("\r", hit)
        if end < 0 or 0 <= line_end < end:
            end = line_end if line_end >= 0 else len(text)
        cell = text[start:end]
        add(text[at:start])
        add('"' + cell.replace('"', '""') + '"' if quotes else '"' + cell + '"')
        at = end
        hit = _special(text, end, quotes)
    add(text[at:])
    return "".join(pieces)


def _special(text: str, at: int, quotes: bool) -> int:
    """Return where the next comma (or quote, when `quotes`) is from `at` on, or -1."""
    comma = text.find(",", at)
    if quotes:
        quote = text.find('"', at)
        if quote >= 0 and (comma < 0 or quote < comma):
            return quote
    return comma


def readable(line: str) -> bool:
    """Return True when SQLite rendered every cell of one line (no ODD marker) and no value
    holds a separator, so that made_safe() can finish it."""
    if not (separated(line, 1) and ODD not in line):
        return False
    # Text that is not printable comes from a catalog nobody cleaned: the row is read again
    # and cleaned as catalog.row_group cleans it (export_csv.CsvWriter._slow).
    return line.replace(CELL, " ").replace(SLOT, " ").isprintable()


class ChunkWriter:
    """Writes the chunks of write_where: their lines made safe where need be, with their
    schedule cells filled in; rows SQLite could not render are made by a CsvWriter."""

    def __init__(self, conn: sqlite3.Connection, out: IO[str], meetings: NextMeetings | None):
        """Write the header; next meetings come from `meetings` (None: left empty)."""
        self.conn = conn
        self.out = out
        self.rows = CsvWriter(conn, out, meetings)  # header, schedules, odd rows
        self.refused = False  # a chunk needed the connection: later ones wait for chunk()

    def try_write(self, chunk: Chunk) -> bool:
        """Write a chunk and return True, unless a row must be read again: then refuse it
        (False), and every chunk after it until chunk() has written it. May run in another
        thread: it does not use the connection."""
        count, _, text, schedules = chunk
        if (self.refused or schedules.count("\n") != count - 1 or not separated(text, count)
                or ODD in text):
            self.refused = True
            return False
        if not clean(text):  # some cell csv_cell would change: line by line
            if not all(map(readable, text.split(CRLF))):
                self.refused = True
                return False
            text = CRLF.join(made_safe(line) for line in text.split(CRLF))
        elif "," in text or '"' in text:  # only commas or quotes
            text = quote_cells(text)
        self.out.write(self._filled(text, schedules))  # (usually as SQLite made it)
        return True

    def chunk(self, chunk: Chunk) -> None:
        """Write any chunk: lines made safe, and the rows SQLite could not render (all of them
        when a value holds a line end) read again and made cell by cell."""
        self.refused = False
        count, rids, text, schedules = chunk
        ids = [int(rid) for rid in rids.split(",")]
        lines, stored = text.split(CRLF), schedules.split("\n")
        if not len(lines) == len(stored) == len(ids) == count:
            lines = stored = [ODD] * count  # a line end inside a value: every line read again
        again = self.reread([rid for rid, line in zip(ids, lines, strict=True)
                             if not readable(line)])
        pieces = []
        for rid, line, schedule in zip(ids, lines, stored, strict=True):
            if rid in again:
                pieces.append(self.rows.line_of(again[rid]))
            else:
                pieces.append(self._filled(made_safe(line), schedule))
        self.out.write("".join(pieces))

    def reread(self, rids: list[int]) -> dict[int, tuple[object, ...]]:
        """Return rows selected with export_csv._PARTS by rowid (the same snapshot: all there)."""
        if not rids:
            return {}
        sql = f"SELECT {_PARTS} FROM groups AS g WHERE g.rowid IN ({','.join('?' * len(rids))})"
        return {row[0]: tuple(row) for row in self.conn.execute(sql, rids)}

    def _filled(self, text: str, schedules: str) -> str:
        """Return checked lines with each SLOT replaced by its schedule's cells, as CSV."""
        memo, compute = self.rows._schedules, self.rows._schedule
        parts = text.split(SLOT)
        pieces = [parts[0]]
        for stored, part in zip(schedules.split("\n"), parts[1:], strict=True):
            pieces.append(memo.get(stored) or compute(stored))
            pieces.append(part)
        pieces.append(CRLF)
        return "".join(pieces).replace(CELL, ",")


def _chunks(conn: sqlite3.Connection, where: list[str], args: list[object],
            limit: int | None, today: date | None = None) -> Iterator[Chunk]:
    """Yield (listings, their rowids, their lines, their schedules) for each chunk, in order
    (ages counted to `today`)."""
    line_sql = _LINE_SQL.replace(TODAY, f"'{today.isoformat()}'" if today else "NULL")
    sql = (f"SELECT count(*), max(rid), group_concat(rid), group_concat(line, char(13, 10)), "
           f"group_concat(sched, char(10)) FROM (SELECT g.rowid AS rid, {line_sql} AS line, "
           f"coalesce(g.schedule, '') AS sched FROM groups AS g "
           f"WHERE ({' AND '.join(where) or '1'}) AND g.rowid > ? ORDER BY g.rowid LIMIT ?)")
    last, left = -(2**63), limit
    while left is None or left > 0:
        want = CHUNK if left is None else min(CHUNK, left)
        count, last, rids, text, schedules = conn.execute(sql, [*args, last, want]).fetchone()
        if not count:
            return
        yield count, rids, text, schedules
        left = None if left is None else left - count


def write_where(conn: sqlite3.Connection, where: list[str], args: list[object], out: IO[str],
                meetings: NextMeetings | None, limit: int | None = None,
                stats: ExportStats | None = None) -> int:
    """Write every listing matching SQL conditions on `groups AS g`, in catalog order.

    This thread reads the chunks (SQLite lets go of the GIL while it builds one); a second
    thread checks and writes them meanwhile. A chunk with a row to read again, and the ones read
    after it, are written here once that thread has refused them."""
    writer = ChunkWriter(conn, out, meetings)
    written = 0
    pending: deque[tuple[Future[bool], Chunk]] = deque()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        with _no_gc(), ThreadPoolExecutor(1, thread_name_prefix="peerfind-csv") as pool:
            for chunk in _chunks(conn, where, args, limit, writer.rows.today):
                pending.append((pool.submit(writer.try_write, chunk), chunk))
                if len(pending) > AHEAD:
                    _settle(writer, pending)
                written += chunk[0]
            while pending:
                _settle(writer, pending)
    finally:
        sys.setswitchinterval(interval)
    if stats is not None:
        stats.written += written
    return written


def _settle(writer: ChunkWriter, pending: deque[tuple[Future[bool], Chunk]]) -> None:
    """Wait for the oldest pending chunk; if it was refused, write it and all pending here."""
    future, chunk = pending.popleft()
    if future.result():
        return
    later = [c for _, c in pending]
    for other, _ in pending:
        other.result()  # refused too: nothing after a refused chunk is written out of order
    pending.clear()
    for c in (chunk, *later):
        writer.chunk(c)
