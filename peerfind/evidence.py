"""What a listing's dates prove: verified by a person, still listed by a feed, or only edited.

Three dates are kept apart (see DESIGN.md, 'The record'):
- `last_verified`: the source says a person last checked the listing then (TSML last_contact);
- `last_seen`: a feed we read last listed it then (the recorded date of a bundled feed, or the
  date of a scrape); the listing was published, not necessarily checked;
- `source_updated`: the source last edited it then (which says nothing about it still meeting).

The strongest evidence is a verification made within a year of the listing date, else the
listing date, and an edit date only when there is nothing else. Stdlib only: search imports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from peerfind.models import Group

VERIFIED, LISTED, EDITED = "verified", "listed", "edited"
FRESH_DAYS = 365  # evidence within this many days counts as current for ranking and counts
EDIT_GAP_DAYS = 365  # an edit this much older than the listing date is mentioned with it


@dataclass(frozen=True)
class Evidence:
    """The strongest date a listing has, what kind it is, and (when asked) how old it is."""

    kind: str = ""  # verified | listed | edited | "" (no date at all)
    date: str = ""  # ISO date
    age_days: int | None = None  # days before `now`, when a clock was given
    edited: str = ""  # the source's own edit date, when much older than a listed date

    def label(self, precise: bool = False) -> str:
        """Return e.g. 'verified 2025-03' or 'listed 2025-07, edited 2021-03' ('' without one)."""
        if not self.kind:
            return ""
        text = f"{self.kind} {self.date if precise else self.date[:7]}"
        if self.edited:
            text += f", edited {self.edited if precise else self.edited[:7]}"
        return text


def _day(value: str) -> date | None:
    """Return the date of an ISO date or timestamp, or None."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def of(g: Group, now: datetime | date | None = None) -> Evidence:
    """Return the strongest evidence that a listing is current."""
    return from_dates(g.last_verified, g.last_seen, g.source_updated, now)


def from_dates(
    verified_text: str | None,
    listed_text: str | None,
    edited_text: str | None,
    now: datetime | date | None = None,
) -> Evidence:
    """Return of() for the three date strings of a listing (verified, listed, edited)."""
    today = now.date() if isinstance(now, datetime) else now
    verified, listed = _day(verified_text or ""), _day(listed_text or "")
    edited = _day(edited_text or "")
    kind, when = "", None
    if verified and (listed is None or (listed - verified).days <= FRESH_DAYS):
        kind, when = VERIFIED, verified
    elif listed:
        kind, when = LISTED, listed
    elif verified:
        kind, when = VERIFIED, verified
    elif edited:
        kind, when = EDITED, edited
    if when is None:
        return Evidence()
    note = ""
    if kind == LISTED and edited and (when - edited).days > EDIT_GAP_DAYS:
        note = edited.isoformat()
    age = (today - when).days if today else None
    return Evidence(kind, when.isoformat(), age, note)


def plausible(text: str, latest: date) -> str:
    """Return an ISO date (or a timestamp's date) when it is a real date from 1980 up to
    `latest` (the date the page was fetched or recorded), else ''."""
    day = _day(text.strip())
    return day.isoformat() if day is not None and date(1980, 1, 1) <= day <= latest else ""


def verified_within(g: Group, today: date, days: int = FRESH_DAYS) -> bool:
    """Return True when a person at the source verified the listing within `days` of today."""
    verified = _day(g.last_verified)
    return verified is not None and (today - verified).days <= days


def rank_tier(g: Group, today: date | None) -> int:
    """Return 0 for a listing verified within a year, 1 for one listed within a year, else 2."""
    return tier_of(g.last_verified, g.last_seen, g.source_updated, today)


def tier_of(verified: str | None, seen: str | None, edited: str | None, today: date | None) -> int:
    """Return rank_tier() from the three date strings of a catalog row."""
    if today is None:
        return 1
    return tier(verified, from_dates(verified, seen, edited, today).age_days, today)


def tier(verified: str | None, age_days: int | None, today: date | None) -> int:
    """Return rank_tier() from the verified date and the age of the listing's evidence."""
    if today is None:
        return 1
    day = _day(verified or "")
    if day is not None and (today - day).days <= FRESH_DAYS:
        return 0
    return 1 if age_days is not None and age_days <= FRESH_DAYS else 2


# evidence date (of() above) of a catalog row, as SQL on the groups table's columns
SQL_DATE = (
    "(CASE WHEN coalesce(last_verified, '') != '' AND (coalesce(last_seen, '') = '' OR "
    "julianday(substr(last_seen, 1, 10)) - julianday(substr(last_verified, 1, 10)) "
    f"<= {FRESH_DAYS}) THEN substr(last_verified, 1, 10) "
    "WHEN coalesce(last_seen, '') != '' THEN substr(last_seen, 1, 10) "
    "WHEN coalesce(last_verified, '') != '' THEN substr(last_verified, 1, 10) "
    "ELSE substr(coalesce(source_updated, ''), 1, 10) END)"
)
# verified within a year of `?` (an ISO date: today minus FRESH_DAYS)
SQL_VERIFIED_SINCE = "(coalesce(last_verified, '') != '' AND substr(last_verified, 1, 10) >= ?)"


# Compiled on first use, by re's own cache: only --max-age reads it.
_SPAN = r"^\s*(\d{1,3})\s*(mo|mos|months?|y|yrs?|years?|d|days?|w|weeks?)\s*$"


def parse_max_age(text: str) -> int:
    """Return a --max-age span ('12mo', '6mo', '2y', '90d', '8w') in days; raise ValueError."""
    match = re.match(_SPAN, text or "", re.I)
    if not match or int(match[1]) == 0:
        raise ValueError(f"--max-age {text!r}: use a span such as 6mo, 12mo, 2y or 90d.")
    number, unit = int(match[1]), match[2].lower()
    if unit.startswith("y"):
        return number * 365
    if unit.startswith("mo"):
        return round(number * 365 / 12)
    if unit.startswith("w"):
        return number * 7
    return number


def dates_dict(g: Group, now: datetime | date | None = None) -> dict[str, object]:
    """Return the evidence as JSON fields: kind, date, label and the report-a-problem link."""
    from peerfind import feedback

    ev = of(g, now)
    chan = feedback.channel(g)
    return {
        "evidence": ev.kind or None,
        "evidence_date": ev.date or None,
        "evidence_label": ev.label() or None,
        "report_problem": chan.target or None,
    }
