"""Write search results as JSON, NDJSON, iCalendar or HSDS, streaming, to files or stdout.

Every writer takes an iterable of result dicts (`Group.to_dict()` plus search extras such as
distance_mi, next_meeting, day, start_time, timezone, schedule_text) and a text stream, and
returns how many rows it wrote. CSV is read from the catalog by its one writer (export_csv),
with the columns and cell rules kept here. Only the standard library is imported here; the
iCalendar and HSDS writers live in export_ics / export_hsds and import their dependencies when
called.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from peerfind import vocab
from peerfind.clean import _FORMULA_START, csv_cell
from peerfind.errors import UsageError
from peerfind.models import Group, Schedule

# The CSV columns, in order; each is documented in docs/export-formats.md. Do not reorder.
CSV_COLUMNS: tuple[str, ...] = (
    "id", "name", "organization", "format", "status", "populations", "topics", "languages",
    "accessibility", "schedule_text", "days", "start_time", "end_time", "timezone",
    "next_meeting", "venue", "address", "city", "region", "postal_code", "country", "latitude",
    "longitude", "geo_precision", "distance_mi", "join_url", "phone", "email", "website",
    "source", "source_url", "last_seen", "source_updated", "program", "openness",
    "last_verified", "feedback_url", "feedback_email", "description", "age_days", "old",
)
STALE_DAYS = 90  # = search.STALE_DAYS: "old" is "yes" past this many days unconfirmed
# The description on one line (line breaks as spaces), in SQL and in Python alike.
DESCRIPTION_SQL = ("replace(replace(replace(coalesce(g.description, ''), char(13, 10), ' '), "
                   "char(13), ' '), char(10), ' ')")


def one_line(text: object) -> str:
    """Return text with its line breaks as spaces, as DESCRIPTION_SQL makes it."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
LIST_SEPARATOR = "; "
FORMATS = ("csv", "json", "ndjson", "ics", "hsds")
_EXTENSIONS = {".csv": "csv", ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson",
               ".ics": "ics", ".ical": "ics"}


@dataclass
class ExportStats:
    """What an export wrote and what it left out, with reasons."""

    written: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # groups not written, by reason
    omitted: Counter[str] = field(default_factory=Counter)  # parts of written groups left out

    def summary(self) -> str:
        """Return e.g. '12 groups written; skipped 2 (2 no recurring schedule)'."""
        text = f"{self.written} groups written"
        if self.skipped:
            reasons = ", ".join(f"{n} {why}" for why, n in self.skipped.most_common())
            text += f"; skipped {sum(self.skipped.values())} ({reasons})"
        if self.omitted:
            text += "; left out " + ", ".join(f"{n} {w}" for w, n in self.omitted.most_common())
        return text


LINK_COLUMNS = ("source_url", "join_url", "website")  # models.URL_FIELDS


def link_sql(expr: str) -> str:
    """Return SQL giving the link in `expr` when it is http(s), tel or mailto, else '' (what
    clean.clean_url keeps), for the exports that SQLite writes without making Groups."""
    return (f"CASE WHEN lower(substr({expr}, 1, 7)) IN ('http://', 'mailto:') OR "
            f"lower(substr({expr}, 1, 8)) = 'https://' OR lower(substr({expr}, 1, 4)) = 'tel:' "
            f"THEN {expr} ELSE '' END")


def schedule_of(row: dict[str, Any]) -> Schedule:
    """Return the Schedule of a result dict (`schedule` dict, or `schedule_detail` when the
    search result put the published text in `schedule`)."""
    for key in ("schedule", "schedule_detail"):
        value = row.get(key)
        if isinstance(value, dict):
            return Schedule.from_dict(value)
    text = row.get("schedule_text") or row.get("schedule") or ""
    return Schedule(text=str(text))


def group_of(row: dict[str, Any]) -> Group:
    """Return the Group a result dict was made from."""
    return Group.from_dict({**row, "schedule": schedule_of(row).to_dict()})


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
    return [_cell(_joined(value)) for value in values]


def _cell(text: str) -> str:
    """Return csv_cell(text), skipping its regular expressions for plain printable text."""
    if not text:
        return text
    if text.isprintable() and not text.lstrip(" ").startswith(_FORMULA_START):
        return text  # no control, escape or formula character: csv_cell would not change it
    return csv_cell(text)


def _json(row: dict[str, Any]) -> str:
    """Return one result dict as compact JSON text (non-ASCII kept, odd values as strings)."""
    return json.dumps(row, ensure_ascii=False, default=str, separators=(", ", ": "))


def write_json(rows: Iterable[dict[str, Any]], out: IO[str],
               stats: ExportStats | None = None) -> int:
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


def write_ndjson(rows: Iterable[dict[str, Any]], out: IO[str],
                 stats: ExportStats | None = None) -> int:
    """Write one JSON object per line (newline-delimited JSON); return rows written."""
    count = 0
    for row in rows:
        out.write(_json(row) + "\n")
        count += 1
    if stats is not None:
        stats.written += count
    return count


def format_for_path(path: str | os.PathLike[str], *, hsds: bool = False) -> str:
    """Return the export format for a path: by extension, 'hsds' for a folder or --hsds,
    'csv' for '-' (stdout); raise UsageError for an unknown extension."""
    text = os.fspath(path)
    if hsds:
        if text == "-":
            raise UsageError("an HSDS export is a folder of files; give a folder, not '-'.")
        return "hsds"
    if text == "-":
        return "csv"
    target = Path(text)
    if text.endswith(("/", os.sep)) or (target.is_dir() and not target.is_symlink()):
        return "hsds"
    fmt = _EXTENSIONS.get(target.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(_EXTENSIONS))
        raise UsageError(f"cannot tell the export format of {text!r}: use one of {known}, "
                         "or --hsds FOLDER for an Open Referral HSDS package.")
    return fmt


class SafeFile:
    """A new file written beside its target and moved into place only when complete.

    Refuses a target that is a symlink, a folder, or (without `force`) an existing file; the
    temporary file is created with O_EXCL | O_NOFOLLOW so nothing planted there is followed.
    """

    def __init__(self, target: Path, *, force: bool = False, binary: bool = False) -> None:
        """Check the target and open a temporary file next to it."""
        self.target = target
        check_target(target, force=force)
        self.tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.tmp, flags, 0o666)
        except OSError as exc:
            raise UsageError(f"cannot write in {target.parent}: {exc.strerror}.") from None
        self.stream: IO[Any] = (os.fdopen(fd, "wb") if binary else
                                os.fdopen(fd, "w", encoding="utf-8", newline=""))

    def finish(self) -> None:
        """Flush the temporary file to disk and close it (a full disk shows here, before any
        file is moved into place)."""
        if not self.stream.closed:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()

    def commit(self) -> None:
        """Flush the temporary file to disk and move it over the target atomically."""
        self.finish()
        if self.target.is_symlink():
            self.abort()
            raise UsageError(f"{self.target} became a symbolic link while writing; not replaced.")
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        """Close and remove the temporary file, leaving the target as it was."""
        if not self.stream.closed:
            with contextlib.suppress(OSError):  # what was buffered could not be written
                self.stream.close()
        self.tmp.unlink(missing_ok=True)


def check_target(target: Path, *, force: bool) -> None:
    """Raise UsageError when `target` must not be written: symlink, folder, existing file."""
    if target.is_symlink():
        raise UsageError(f"{target} is a symbolic link; peerfind will not write through it.")
    if target.is_dir():
        raise UsageError(f"{target} is a folder; give a file name (or use --hsds for a folder).")
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; use --force to replace it.")
    if not target.parent.is_dir():
        raise UsageError(f"the folder {target.parent} does not exist.")


@contextmanager
def open_output(path: str | os.PathLike[str], *, force: bool = False,
                binary: bool = False) -> Iterator[IO[Any]]:
    """Yield a stream for `path` ('-' = stdout); the file appears only if the block succeeds."""
    if os.fspath(path) == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        sys.stdout.flush()
        return
    safe = SafeFile(Path(path), force=force, binary=binary)
    try:
        yield safe.stream
    except BaseException:
        safe.abort()
        raise
    safe.commit()


def export_rows(rows: Iterable[dict[str, Any]], path: str | os.PathLike[str], *,
                force: bool = False, hsds: bool = False, fmt: str | None = None,
                stats: ExportStats | None = None) -> int:
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
