"""Write search results as JSON, NDJSON, iCalendar or HSDS, streaming, to files or stdout.

Every writer takes an iterable of result dicts (`Group.to_dict()` plus search extras such as
distance_mi, next_meeting, day, start_time, timezone, schedule_text) and a text stream, and
returns how many rows it wrote. CSV is read from the catalog by its one writer (export_csv),
with the columns and cell rules kept here. Only the standard library is imported here; the
iCalendar and HSDS writers live in export_ics / export_hsds and import their dependencies when
called.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import IO, Any

from peerfind import vocab
from peerfind.clean import FORMULA_START, csv_cell
from peerfind.errors import UsageError

# File plumbing and dict -> Group live in files.py / records.py; re-exported for callers here.
from peerfind.export.files import (
    ExportStats as ExportStats,
)
from peerfind.export.files import (
    SafeFile as SafeFile,
)
from peerfind.export.files import (
    check_target as check_target,
)
from peerfind.export.files import (
    format_for_path as format_for_path,
)
from peerfind.export.files import (
    open_output as open_output,
)
from peerfind.export.records import group_of as group_of
from peerfind.export.records import schedule_of as schedule_of

# The CSV columns, in order; each is documented in docs/export-formats.md. Do not reorder.
CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "organization",
    "format",
    "status",
    "populations",
    "topics",
    "languages",
    "accessibility",
    "schedule_text",
    "days",
    "start_time",
    "end_time",
    "timezone",
    "next_meeting",
    "venue",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "distance_mi",
    "join_url",
    "phone",
    "email",
    "website",
    "source",
    "source_url",
    "last_seen",
    "source_updated",
    "program",
    "openness",
    "last_verified",
    "feedback_url",
    "feedback_email",
    "description",
    "age_days",
    "old",
)
STALE_DAYS = 90  # = search.STALE_DAYS: "old" is "yes" past this many days unconfirmed


def one_line(text: object) -> str:
    """Return text with its line breaks as spaces (how the description column is written)."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


LIST_SEPARATOR = "; "
FORMATS = ("csv", "json", "ndjson", "ics", "hsds")


LINK_COLUMNS = ("source_url", "join_url", "website")  # models.URL_FIELDS


def link_sql(expr: str) -> str:
    """Return SQL giving the link in `expr` when it is http(s), tel or mailto, else '' (what
    clean.clean_url keeps), for the exports that SQLite writes without making Groups.

    LIKE ignores ASCII case as lower() does, and the patterns hold no wildcard but the final
    '%': the same test as comparing lower(substr(...)) with each prefix, in half the time.
    """
    return (
        f"CASE WHEN {expr} LIKE 'https://%' OR {expr} LIKE 'http://%' OR "
        f"{expr} LIKE 'mailto:%' OR {expr} LIKE 'tel:%' THEN {expr} ELSE '' END"
    )


def _joined(value: object) -> str:
    """Return a list as 'a; b', anything else as text ('' for None)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value if v not in (None, ""))
    if isinstance(value, str) and value.startswith("|") and value.endswith("|"):
        return LIST_SEPARATOR.join(vocab.decode_tags(value))
    return str(value)


def age_cells(days: object) -> tuple[str, str]:
    """Return the age_days and old cells for a listing confirmed `days` ago (None: unknown)."""
    if type(days) is not int:
        return "", ""
    return str(days), "yes" if days > STALE_DAYS else "no"


def age_days(last_seen: object, today: date | None) -> int | None:
    """Return how many days before `today` a listing was last confirmed (as search counts)."""
    if today is None or not isinstance(last_seen, str) or not last_seen:
        return None
    try:
        return (today - date.fromisoformat(last_seen[:10])).days
    except ValueError:
        return None


def csv_cells(values: list[Any]) -> list[str]:
    """Return formula-safe CSV cells for values in CSV_COLUMNS order (text, lists, numbers)."""
    return [quick_csv_cell(_joined(value)) for value in values]


def quick_csv_cell(text: str) -> str:
    """Return csv_cell(text), skipping its regular expressions for plain printable text."""
    if not text:
        return text
    if text.isprintable() and not text.lstrip(" ").startswith(FORMULA_START):
        return text  # no control, escape or formula character: csv_cell would not change it
    return csv_cell(text)


def _json(row: dict[str, Any]) -> str:
    """Return one result dict as compact JSON text (non-ASCII kept, odd values as strings)."""
    return json.dumps(row, ensure_ascii=False, default=str, separators=(", ", ": "))


def write_json(
    rows: Iterable[dict[str, Any]], out: IO[str], stats: ExportStats | None = None
) -> int:
    """Write a JSON array, one result per line, without holding the results in memory."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(("\n" if count == 0 else ",\n") + _json(row))
        count += 1
    out.write("\n]\n" if count else "]\n")
    if stats is not None:
        stats.written += count
    return count


def write_ndjson(
    rows: Iterable[dict[str, Any]], out: IO[str], stats: ExportStats | None = None
) -> int:
    """Write one JSON object per line (newline-delimited JSON); return rows written."""
    count = 0
    for row in rows:
        out.write(_json(row) + "\n")
        count += 1
    if stats is not None:
        stats.written += count
    return count


def export_rows(
    rows: Iterable[dict[str, Any]],
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    hsds: bool = False,
    fmt: str | None = None,
    stats: ExportStats | None = None,
) -> int:
    """Write result dicts to `path` in the format its extension names; return rows written."""
    fmt = fmt or format_for_path(path, hsds=hsds)
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}.")
    stats = stats if stats is not None else ExportStats()
    if fmt == "hsds":
        from peerfind.export.hsds import write_hsds

        return write_hsds(rows, Path(path), force=force, stats=stats)
    if fmt == "ics":
        from peerfind.export.ics import write_ics

        with open_output(path, force=force) as out:
            return write_ics(rows, out, stats=stats)
    if fmt == "csv":  # read from the catalog by the one CSV writer: export_csv
        raise UsageError("CSV is written from the catalog: use peerfind export FILE.csv.")
    writer = {"json": write_json, "ndjson": write_ndjson}[fmt]
    with open_output(path, force=force) as out:
        return writer(rows, out, stats=stats)
