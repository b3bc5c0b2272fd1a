"""Write CSV straight from catalog rows: the one CSV writer, behind every CSV that peerfind writes.

`peerfind search -o csv` and `peerfind export FILE.csv` of search results (write_results,
write_ranked: their own order, with distances) and `peerfind export FILE.csv --all`
(write_where: catalog order) all come through CsvWriter.

Building a Group and a search Result per listing (what the other formats get) costs several
times more than writing its line. Here SQLite hands over each row's stored text columns
already joined, and Python adds only what it works out, once per distinct value: tags as
"a; b", the schedule's cells and next meeting (schedule.recurrence.NextMeetings), the age cells,
coordinates and distance; cells holding a comma or a quote are quoted as the csv module quotes
them.

A row goes this way only when its text holds nothing clean.csv_cell would change (no control
or invisible character, no cell starting with a space, '|' or a formula character); any other
row is read whole, cleaned as catalog.row_group cleans it, and written cell by cell through
export.csv_cells and the csv module (_slow). tests/export/ checks every line against
the plain reading of the result dicts. Standard library only.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import IO, Any

from peerfind import evidence, vocab
from peerfind.clean import FORMULA_START
from peerfind.export.common import (
    CSV_COLUMNS,
    LINK_COLUMNS,
    LIST_SEPARATOR,
    ExportStats,
    age_cells,
    age_days,
    csv_cells,
    link_sql,
    one_line,
    quick_csv_cell,
)
from peerfind.models import Schedule
from peerfind.schedule.recurrence import NextMeetings

TAGS = ("populations", "topics", "languages", "accessibility")
SCHEDULE = ("schedule_text", "days", "start_time", "end_time", "timezone", "next_meeting")
AGE = ("age_days", "old")  # worked out from the evidence date (peerfind.evidence) and today
COMPUTED = (*TAGS, *SCHEDULE, "latitude", "longitude", "distance_mi", *AGE)
BATCH = 500  # rowids per SELECT when rows are read in a given order
FLUSH = 200  # lines gathered before one write (~150 KB: more would only cost memory)
MEMO_MAX = 20_000  # distinct schedules remembered at once

_SEP = "\x01"  # joins the text cells SQLite puts together; Python turns it into ','
# What an ASCII probe may hold, its separators aside, for its cells to be printable.
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + _SEP.encode()
# A line part worked out in Python that is not printable: its row takes the full path.
_UNPRINTABLE = "\x00"
# A text cell clean.csv_cell would change starts with a space,
# '|' (stored tags) or a formula character; other changes need a character isprintable() rejects.
# A cell csv_cell might change, at the start of a comma-joined line with no quoted cell.
_RISKY_START = re.compile("(?:^|,)[" + re.escape("".join(FORMULA_START) + " \u00a0\u3000") + "]")
_UNUSUAL_START = re.compile(_SEP + "[" + re.escape("".join(FORMULA_START) + " |\u00a0\u3000") + "]")


def _plan() -> tuple[str, list[str], int]:
    """Return the SELECT list (rowid, then parts), the kind of each part, and how many
    separators the text parts hold together."""
    exprs, kinds, run = [], [], []
    separators = 0
    for column in (*CSV_COLUMNS, None):
        if column is not None and column not in COMPUTED:
            expr = link_sql(f"g.{column}") if column in LINK_COLUMNS else f"g.{column}"
            run.append(f"coalesce({expr}, '')")
            continue
        if run:
            exprs.append(f" || '{_SEP}' || ".join(run))
            kinds.append("text")
            separators += len(run) - 1
            run = []
        if column in TAGS or column in ("latitude", "longitude"):
            exprs.append(f"g.{column}")
            kinds.append("tags" if column in TAGS else "number")
        elif column == "schedule_text":
            exprs.append("g.schedule")
            kinds.append("schedule")
        elif column == "distance_mi":
            exprs.append("NULL")
            kinds.append("distance")
        elif column == "age_days":  # both age cells from one part: the evidence date
            exprs.append(evidence.SQL_DATE)
            kinds.append("age")
    return ", ".join(["g.rowid", *exprs]), kinds, separators


_PARTS, _KINDS, _SEPARATORS = _plan()
_AT = {c: i for i, c in enumerate(CSV_COLUMNS)}
# The order of the parts _line unpacks (CSV_COLUMNS fixes it).
_LAYOUT = (
    "text",
    "tags",
    "tags",
    "tags",
    "tags",
    "schedule",
    "text",
    "number",
    "number",
    "text",
    "distance",
    "text",
    "age",
)
assert tuple(_KINDS) == _LAYOUT, _KINDS
_PROBE_SEPARATORS = _SEPARATORS + _KINDS.count("text")
_FULL = ", ".join(
    link_sql(f"g.{c}")
    if c in LINK_COLUMNS
    else f"g.{c}"
    if c not in ("days", "end_time", "next_meeting", "distance_mi", *AGE)
    else ("g.schedule" if c == "days" else "g.last_seen" if c == "age_days" else "NULL")
    for c in CSV_COLUMNS
)


class CsvWriter:
    """Writes catalog rows as CSV lines, memoising tags, schedules and next meetings."""

    def __init__(self, conn: sqlite3.Connection, out: IO[str], meetings: NextMeetings | None):
        """Write the header to `out`; next meetings come from `meetings` (None: left empty)."""
        self.conn = conn
        self.out = out
        self.meetings = meetings
        self.written = 0
        self._writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self._writer.writerow(CSV_COLUMNS)
        self._lines: list[str] = []
        self._tags: dict[str | None, str] = {}
        self._schedules: dict[str | None, str] = {}
        self._ages: dict[object, str] = {}
        self.today = meetings.now.date() if meetings is not None else None

    def rows(self, cursor: Iterable[Sequence]) -> None:
        """Write rows selected with _PARTS (a distance, if any, in its `NULL` slot)."""
        for row in cursor:
            line = self._line(row)
            if line is None:
                self._flush()
                self._writer.writerow(self._slow(row[0], list(row[1:])))
            else:
                self._lines.append(line)
                if len(self._lines) >= FLUSH:
                    self._flush()
            self.written += 1

    def close(self) -> None:
        """Write what is still gathered."""
        self._flush()

    def _flush(self) -> None:
        """Write the gathered lines (kept without their line ends) in one call."""
        if self._lines:
            self._lines.append("")  # the last line's end
            self.out.write("\r\n".join(self._lines))
            self._lines = []

    def _line(self, row: Sequence[Any]) -> str | None:
        """Return one CSV line (without its line end) from a row (rowid, then parts), or None
        when its text needs csv_cell."""
        _, a, pops, topics, langs, access, sched, b, lat, lon, c, distance, d, seen = row
        if "\n" in d or "\r" in d:  # the description, last in d, is written on one line
            head, sep, description = d.rpartition(_SEP)  # a stray _SEP fails the count below
            d = head + sep + one_line(description)
        probe = f"{_SEP}{a}{_SEP}{b}{_SEP}{c}{_SEP}{d}"
        if probe.count(_SEP) != _PROBE_SEPARATORS or _UNUSUAL_START.search(probe):
            return None
        if "," in probe or '"' in probe:  # quote the cells of the runs that need it
            if "," in a or '"' in a:
                a = _quote_cells(a)
            if "," in b or '"' in b:
                b = _quote_cells(b)
            if "," in c or '"' in c:
                c = _quote_cells(c)
            if "," in d or '"' in d:
                d = _quote_cells(d)
        if type(lat) is float and type(lon) is float:  # the usual coordinates: both floats
            coordinates = f"{lat!r},{lon!r}"
            if "e" in coordinates or "n" in coordinates:  # exponent, inf or nan: see _number
                coordinates = f"{_number(lat)},{_number(lon)}"
        else:
            coordinates = f"{_number(lat)},{_number(lon)}"
        tags, tag_cell = self._tags, self._tag_cell
        cells = (
            a,
            tags.get(pops) or tag_cell(pops),
            tags.get(topics) or tag_cell(topics),
            tags.get(langs) or tag_cell(langs),
            tags.get(access) or tag_cell(access),
            self._schedules.get(sched) or self._schedule(sched),
            b,
            coordinates,
            c,
            "" if distance is None else f"{round(distance, 2):.1f}",
            d,
            self._ages.get(seen) or self._age(seen),
        )
        line = ",".join(cells).replace(_SEP, ",")
        # The line must be printable. isprintable() looks every character up (~3 ns each, a
        # fifth of the time here), but the parts worked out in Python are printable or hold
        # _UNPRINTABLE, so an ASCII probe only has to hold no control character: deleting
        # every allowed byte must leave nothing, a table lookup per byte.
        if probe.isascii():
            printable = not probe.encode().translate(None, _PLAIN_ASCII)
            return line if printable and _UNPRINTABLE not in line else None
        return line if line.isprintable() else None

    def _age(self, seen: object) -> str:
        """Return the age_days and old cells of an evidence date as one line part (a date
        Python cannot read gives _UNPRINTABLE, so the row takes the full path)."""
        days = age_days(seen, self.today)
        if days is None and seen and self.today is not None:
            return _UNPRINTABLE
        cells = age_cells(days)
        found = self._ages[seen] = ",".join(cells)
        return found

    def _tag_cell(self, stored: str | None) -> str:
        """Return stored tags '|a|b|' as one quoted 'a; b' cell (_UNPRINTABLE if it is not)."""
        cell = self._tags.get(stored)
        if cell is None:
            text = quick_csv_cell(LIST_SEPARATOR.join(vocab.decode_tags(stored)))
            cell = _csv_line([text])
            cell = self._tags[stored] = cell if cell.isprintable() else _UNPRINTABLE
        return cell

    def _schedule(self, stored: str | None) -> str:
        """Return the six schedule cells of a stored schedule JSON as one line part
        (_UNPRINTABLE if it is not printable)."""
        found = self._schedules.get(stored)
        if found is None:
            if len(self._schedules) >= MEMO_MAX:  # bound memory on huge, varied catalogs
                self._schedules.clear()
            cells = self._schedule_cells(stored)
            line = ",".join(cells)  # right unless a cell needs quoting or cleaning:
            if (
                line.count(",") != len(cells) - 1
                or '"' in line
                or not line.isprintable()
                or _RISKY_START.search(line)
            ):
                line = _csv_line([quick_csv_cell(cell) for cell in cells])
            found = self._schedules[stored] = line if line.isprintable() else _UNPRINTABLE
        return found

    def _schedule_cells(self, stored: str | None | Schedule) -> list[str]:
        """Return the six schedule values (text, days, start, end, zone, next meeting) as text,
        not yet made safe."""
        if isinstance(stored, Schedule):
            sched = stored
        else:
            try:
                sched = Schedule.from_dict(json.loads(stored)) if stored else Schedule()
            except (ValueError, TypeError, AttributeError):
                sched = Schedule()
        days = LIST_SEPARATOR.join(vocab.DAY_NAMES[d] for d in sched.days if 0 <= d <= 6)
        nxt = self.meetings.of(sched) if self.meetings is not None else None
        values = (
            sched.text,
            days,
            sched.start,
            sched.end,
            sched.timezone,
            nxt.isoformat() if nxt else "",
        )
        return [v if type(v) is str else "" if v is None else str(v) for v in values]

    def _slow(self, rowid: int, parts: list[Any]) -> list[str]:
        """Return the cells of a row with unusual text, read whole and made safe cell by cell."""
        row = self.conn.execute(f"SELECT {_FULL} FROM groups AS g WHERE g.rowid = ?", (rowid,))
        values: list[Any] = list(row.fetchone())  # SQLite values of any column type
        at = _AT
        for column in TAGS:
            values[at[column]] = vocab.decode_tags(values[at[column]])
        schedule: str | Schedule | None = values[at["days"]]
        if not "".join(v for v in values if isinstance(v, str)).replace("\n", " ").isprintable():
            schedule = self._cleaned(rowid, values)  # a catalog nobody cleaned: as row_group does
        cells = [quick_csv_cell(v) for v in self._schedule_cells(schedule)]
        for column, cell in zip(SCHEDULE, cells, strict=True):
            values[at[column]] = cell
        values[at["description"]] = one_line(values[at["description"]])
        ages = age_cells(
            evidence.from_dates(
                values[at["last_verified"]],
                values[at["last_seen"]],
                values[at["source_updated"]],
                self.today,
            ).age_days
        )
        values[at["age_days"]], values[at["old"]] = ages
        distance = parts[_KINDS.index("distance")]
        if distance is not None:
            values[at["distance_mi"]] = f"{round(distance, 2):.1f}"
        return csv_cells(values)

    def _cleaned(self, rowid: int, values: list[Any]) -> Schedule:
        """Put the listing's values as catalog.row_group cleans them into `values`; return its
        cleaned schedule."""
        from peerfind.catalog.rows import row_group

        cursor = self.conn.execute("SELECT * FROM groups WHERE rowid = ?", (rowid,))
        names = [d[0] for d in cursor.description]
        group = row_group(dict(zip(names, cursor.fetchone(), strict=True)))
        for column in CSV_COLUMNS:
            if column in TAGS:
                values[_AT[column]] = list(getattr(group, column))
            elif column not in SCHEDULE and column != "distance_mi" and hasattr(group, column):
                values[_AT[column]] = getattr(group, column)
        return group.schedule


def _number(value: object) -> str:
    """Return a coordinate cell as the csv module writes str(value), made safe
    (_UNPRINTABLE if it is not printable)."""
    if value is None:
        return ""
    if type(value) is not float and type(value) is not int:  # text where a number belongs
        cell = _csv_line([quick_csv_cell(str(value))])
        return cell if cell.isprintable() else _UNPRINTABLE
    text = str(value)
    # A float's repr is a plain number (-?digits.digits, what csv_cell leaves alone even with
    # a minus sign) unless it has an exponent or is inf/nan; an int's always is.
    if text[0] == "-" and ("e" in text or "n" in text):
        return quick_csv_cell(text)
    return text


def _quote_cells(joined: str) -> str:
    """Return _SEP-joined cells, at least one holding a comma or quote, with each quoted as
    csv.QUOTE_MINIMAL would (no cell holds a line end here)."""
    if '"' not in joined:  # the usual case: one cell holds commas; wrap it where it stands
        head, sep, last = joined.rpartition(_SEP)
        if "," not in head:  # the last cell (most often a description)
            return f'{head}{sep}"{last}"'
        comma = head.find(",")
        begin = head.rfind(_SEP, 0, comma) + 1
        end = head.find(_SEP, comma)
        end = len(head) if end < 0 else end
        if joined.find(",", end) < 0:  # no other cell holds a comma
            return f'{joined[:begin]}"{joined[begin:end]}"{joined[end:]}'
    return _SEP.join(
        [
            '"' + cell.replace('"', '""') + '"' if "," in cell or '"' in cell else cell
            for cell in joined.split(_SEP)
        ]
    )


def _csv_line(cells: list[str]) -> str:
    """Return cells joined with commas, each quoted as csv.QUOTE_MINIMAL quotes it in a row."""
    return ",".join(
        '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell
        for cell in cells
    )


def write_ranked(
    conn: sqlite3.Connection,
    ranked: Iterable[tuple[int, float | None]],
    out: IO[str],
    meetings: NextMeetings | None,
    stats: ExportStats | None = None,
) -> int:
    """Write search results, given as (catalog rowid, distance in miles), in their order."""
    writer = CsvWriter(conn, out, meetings)
    batch: list[tuple[int, float | None]] = []
    for item in (*ranked, None):
        if item is not None:
            batch.append(item)
        if batch and (item is None or len(batch) == BATCH):
            ids = [rid for rid, _ in batch]
            sql = f"SELECT {_PARTS} FROM groups AS g WHERE g.rowid IN ({','.join('?' * len(ids))})"
            found = {row[0]: list(row) for row in conn.execute(sql, ids)}
            slot = 1 + _KINDS.index("distance")
            rows = []
            for rid, distance in batch:
                if rid in found:
                    found[rid][slot] = distance
                    rows.append(found[rid])
            writer.rows(rows)
            batch = []
    writer.close()
    if stats is not None:
        stats.written += writer.written
    return writer.written


def write_where(
    conn: sqlite3.Connection,
    where: list[str],
    args: list[object],
    out: IO[str],
    meetings: NextMeetings | None,
    limit: int | None = None,
    stats: ExportStats | None = None,
) -> int:
    """Write every listing matching SQL conditions on `groups AS g`, in catalog order."""
    writer = CsvWriter(conn, out, meetings)
    sql = (
        f"SELECT {_PARTS} FROM groups AS g WHERE {' AND '.join(where) or '1'} "
        "ORDER BY g.rowid LIMIT ?"
    )
    writer.rows(conn.execute(sql, [*args, -1 if limit is None else limit]))
    writer.close()
    if stats is not None:
        stats.written += writer.written
    return writer.written
