"""How old the installed catalog is, and the once-a-day note search prints when it is old.

The catalog's date is when its listings were gathered as a whole, not the age of each listing:
- a catalog installed by `peerfind update` carries the date its snapshot was published
  (meta `published`, written by update from the manifest);
- otherwise it is the bundled catalog, whose date is the newest recording date of the bundled
  feeds (meta `bundled:<source>` = "<recorded> | <origin>"), however recently it was built.
A local `peerfind scrape` of some sources does not change the date: it refreshes those sources
only. Light on purpose (sqlite3, datetime, os): search imports it.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

STALE_DAYS = 30
PUBLISHED = "published"  # meta key: the manifest date of the snapshot installed by update
SNAPSHOT_SHA = "published_sha256"  # meta key: that snapshot's sha256
STAMP = "catalog-age-noted"  # file in the user folder: the day the note was last shown


def catalog_date(conn: sqlite3.Connection) -> str | None:
    """Return the catalog's date as YYYY-MM-DD (published snapshot, else bundle), or None."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (PUBLISHED,)).fetchone()
        if row and row[0]:
            return str(row[0])[:10]
        rows = conn.execute("SELECT value FROM meta WHERE key LIKE 'bundled:%'").fetchall()
    except sqlite3.DatabaseError:
        return None
    dates = [str(r[0]).split("|", 1)[0].strip()[:10] for r in rows if r[0]]
    dates = [d for d in dates if _parse(d) is not None]
    return max(dates) if dates else None


def _parse(text: str) -> date | None:
    """Return the date in YYYY-MM-DD text, or None."""
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def age_days(catalog_day: str | None, today: date) -> int | None:
    """Return how many days old a catalog dated `catalog_day` is on `today` (None: unknown)."""
    day = _parse(catalog_day or "")
    return None if day is None else (today - day).days


def note_text(catalog_day: str, channel_set: bool) -> str:
    """Return the one-line note for an old catalog (worded for whether a channel is set)."""
    if channel_set:
        return f"Catalog from {catalog_day}. `peerfind update` fetches newer listings."
    return (
        f"Catalog from {catalog_day}. Listings may have changed since; "
        "`peerfind update --from URL` fetches a newer published catalog."
    )


def stale_note(conn: sqlite3.Connection, today: date, stamp_dir: Path) -> str | None:
    """Return the note when the catalog is over STALE_DAYS old and not noted today, else None.

    Records today in `stamp_dir`/STAMP so the note shows at most once a day (a folder that
    cannot be written only means the note may show again).
    """
    day = catalog_date(conn)
    age = age_days(day, today)
    if day is None or age is None or age <= STALE_DAYS:
        return None
    stamp = stamp_dir / STAMP
    try:
        if stamp.read_text(encoding="utf-8").strip() == today.isoformat():
            return None
    except (OSError, UnicodeDecodeError):
        pass
    try:
        stamp_dir.mkdir(parents=True, exist_ok=True)
        tmp = stamp_dir / f".{STAMP}.{os.getpid()}.tmp"
        tmp.write_text(today.isoformat() + "\n", encoding="utf-8")
        os.replace(tmp, stamp)
    except OSError:
        pass
    from peerfind.catalog.channel import configured

    return note_text(day, bool(configured()))


def note_if_old(conn: sqlite3.Connection) -> None:
    """Print the old-catalog note on stderr when due (search's table output calls this)."""
    import shutil
    import sys
    import textwrap

    from peerfind.paths import user_dir
    from peerfind.schedule.clock import now

    try:
        text = stale_note(conn, now("UTC").date(), user_dir())
    except Exception:  # a note must never break a search
        return
    if text:  # wrapped at spaces to the terminal, never inside a word
        width = max(40, shutil.get_terminal_size((80, 24)).columns)
        print(
            textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False),
            file=sys.stderr,
        )
