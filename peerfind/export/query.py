"""Export what a query matches (or the whole catalog) to a file: what `peerfind export` runs.

CSV is written straight from catalog rows (export_csv, the one CSV writer, also behind
`search -o csv`); the other formats from result dicts.
Everything is read in one snapshot, so a scrape committing meanwhile cannot mix two versions.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from peerfind.errors import UsageError
from peerfind.export.common import ExportStats, export_rows, format_for_path, open_output
from peerfind.schedule.recurrence import NextMeetings
from peerfind.search import engine
from peerfind.search import query as s


@dataclass
class ExportReport:
    """What an export wrote, and whether a cap or --limit may have left matches out."""

    stats: ExportStats
    limit_reached: bool = False
    capped: bool = False


def check_everything(q: s.Query) -> None:
    """Raise UsageError for options that an export of every listing cannot honour."""
    if q.lat is not None:
        raise UsageError("--all exports every matching listing wherever it is; drop --near.")
    if q.dates or q.window or q.within is not None:
        raise UsageError(
            "--all exports whole listings, not meetings at a time: drop --now, --within, "
            "--time and --day today/tomorrow (weekday names such as --day mon work)."
        )


def export_query(
    conn: sqlite3.Connection,
    q: s.Query,
    path: str | os.PathLike[str],
    *,
    everything: bool = False,
    force: bool = False,
    hsds: bool = False,
) -> ExportReport:
    """Write the results of `q` (or, with `everything`, every listing its filters match)."""
    if not str(path).strip():
        from peerfind.errors import UsageError

        raise UsageError(
            "give the file (or, with --hsds, the folder) to write, e.g. "
            "`peerfind export groups.csv --near 02139`."
        )
    fmt = format_for_path(path, hsds=hsds)
    report = ExportReport(ExportStats())
    if everything:
        check_everything(q)
    conn.execute("BEGIN")
    try:
        if everything:
            _export_all(conn, q, path, fmt, force, report)
        else:
            outcome = engine.search(conn, q)
            report.capped = outcome.capped
            report.limit_reached = len(outcome.results) >= q.limit
            if fmt == "csv":
                with open_output(path, force=force) as out:
                    write_results_csv(conn, q, outcome.results, out, report.stats)
            else:
                dicts = (r.to_dict() for r in outcome.results)
                export_rows(dicts, path, force=force, hsds=hsds, fmt=fmt, stats=report.stats)
    finally:
        conn.rollback()
    return report


def write_results_csv(
    conn: sqlite3.Connection,
    q: s.Query,
    results: list[s.Result],
    out: IO[str],
    stats: ExportStats | None = None,
) -> int:
    """Write search results as CSV, in their order, with the search's own next meetings."""
    from peerfind.export import csv_rows as export_csv

    ranked = [(r.rowid, r.distance_mi) for r in results if r.rowid]
    return export_csv.write_ranked(conn, ranked, out, q.meetings or _meetings(q, False), stats)


def _meetings(q: s.Query, remember: bool = True) -> NextMeetings | None:
    """Return the next-meeting calculator for the query's moment (None without a clock)."""
    return NextMeetings(q.now, q.user_tz, remember=remember) if q.now is not None else None


def _conditions(q: s.Query) -> tuple[list[str], list[object]]:
    """Return SQL conditions on `groups AS g` for the query's filters (no place, no clock)."""
    where, args = s.filters(q, place_based=False)  # unqualified columns: groups is alone
    if q.formats:
        formats = sorted(set(s.place_formats(q)) | set(s.remote_formats(q)))
        where.append(f"format IN ({','.join('?' * len(formats))})")
        args += formats
    if q.text:  # no need to count the matches (TextMatch) for one SQL condition
        from peerfind.search.text import fts_query, text_condition

        cond, params = text_condition(fts_query(q.text))
        where.append(cond)
        args += params
    return where, args


def _export_all(
    conn: sqlite3.Connection,
    q: s.Query,
    path: str | os.PathLike[str],
    fmt: str,
    force: bool,
    report: ExportReport,
) -> None:
    """Write every listing matching the query's filters, in catalog order."""
    where, args = _conditions(q)
    if fmt == "csv":
        from peerfind.export import csv_rows as export_csv

        with open_output(path, force=force) as out:
            export_csv.write_where(
                conn, where, args, out, _meetings(q, False), q.limit, report.stats
            )
    else:
        export_rows(
            _all_dicts(conn, q, where, args), path, force=force, fmt=fmt, stats=report.stats
        )
    report.limit_reached = report.stats.written >= q.limit


def _all_dicts(
    conn: sqlite3.Connection, q: s.Query, where: list[str], args: list[object]
) -> Iterator[dict[str, object]]:
    """Yield result dicts for every matching listing, in catalog order."""
    from peerfind.catalog.db import row_group

    meetings = _meetings(q)
    sql = (
        f"SELECT g.rowid AS _rowid, g.* FROM groups AS g WHERE {' AND '.join(where)} "
        "ORDER BY g.rowid LIMIT ?"
    )
    for row in conn.execute(sql, [*args, q.limit]):
        group = row_group(row)
        nxt = meetings.of(group.schedule) if meetings is not None else None
        yield s.Result(group, None, nxt, s.age_days(group, q.now), rowid=row["_rowid"]).to_dict()
