"""The TSML plugin's CSV import spreadsheet (template.csv) as a platform: `--platform tsml-csv`.

Intergroups fill in the 12 Step Meeting List plugin's template (code4recovery/12-step-meeting-list
template.csv: "Time", "End Time", "Day", "Name", "Location", "Address", "Region", "Types",
"Notes", "Timezone", …, "Slug", "Updated") and upload it. The plugin's importer
(includes/functions_import.php) turns headers into snake_case keys, accepts a few aliases (Zip,
Meeting, Location Name, Start Time), reads days by name, 12-hour times and type names, and makes a
missing or repeated slug unique; each row then reads like a Meeting Guide feed row, so the Meeting
Guide parser does the rest. Contact columns (Contact 1 Name …) are never read.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from peerfind.errors import ParseError
from peerfind.models import Page
from peerfind.platforms.meeting_guide import MeetingGuide

_ALIASES = {
    "zip": "postal_code",
    "meeting": "name",
    "location_name": "location",
    "start_time": "time",
    "id": "slug",
    "full_address": "formatted_address",
}
_NEEDED = {"name", "time", "day"}


def header_key(header: str) -> str:
    """Return the row key of a CSV header: 'End Time' -> 'end_time', 'Zip' -> 'postal_code'."""
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    return _ALIASES.get(key, key)


def _slugify(text: str) -> str:
    """Return a lower-case hyphenated slug of text (WordPress sanitize_title, roughly)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def read_rows(text: str, url: str = "") -> list[dict[str, Any]]:
    """Return the spreadsheet's rows as Meeting Guide rows; ParseError when it is not one."""
    body = text.lstrip("\ufeff")
    if body.lstrip()[:1] in ("<", "{", "["):
        raise ParseError(f"{url}: expected a TSML CSV spreadsheet, got HTML or JSON")
    try:
        reader = csv.reader(io.StringIO(body))
        headers = [header_key(h) for h in next(reader, [])]
        records = list(reader)
    except csv.Error as exc:
        raise ParseError(f"{url}: malformed CSV ({exc})") from None
    if not set(headers) >= _NEEDED:
        missing = ", ".join(sorted(_NEEDED - set(headers)))
        raise ParseError(f"{url}: not a TSML CSV spreadsheet (no {missing} column)")
    rows: list[dict[str, Any]] = []
    used: dict[str, int] = {}
    for record in records:
        if not any(cell.strip() for cell in record):
            continue  # blank lines, as the plugin skips them
        row = {k: v.strip() for k, v in zip(headers, record, strict=False) if k and v.strip()}
        slug = _slugify(str(row.get("slug") or row.get("name") or row.get("location") or ""))
        if slug:
            if slug in used:
                used[slug] += 1
                slug = f"{slug}-{used[slug]}"
            used.setdefault(slug, 1)
        row["slug"] = slug
        rows.append(row)
    return rows


class TsmlCsv(MeetingGuide):
    """A TSML import spreadsheet published as CSV (the plugin's template.csv columns)."""

    name = "tsml_csv"
    platform = "tsml-csv"

    def load_rows(self, page: Page) -> list[Any]:
        """Return the spreadsheet's rows shaped as Meeting Guide feed rows."""
        return read_rows(page.text, page.url)
