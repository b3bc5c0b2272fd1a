"""The user's clock and time zone, and human phrasing of times ("Tue 7:00 PM, in 2 days")."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peerfind.errors import UsageError


def machine_timezone() -> str:
    """Return this machine's IANA zone name (TZ, /etc/localtime, /etc/timezone), else 'UTC'."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.readlink("/etc/localtime")
        candidates.append(link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else "")
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as fh:
            candidates.append(fh.read().strip())
    except OSError:
        pass
    for name in candidates:
        if name and valid_timezone(name):
            return name
    return "UTC"


def valid_timezone(name: str) -> bool:
    """Return True when `name` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check_timezone(name: str) -> str:
    """Return `name` if it is a known IANA zone; raise UsageError otherwise."""
    if not valid_timezone(name):
        raise UsageError(f"unknown time zone {name!r}; use an IANA name such as America/Chicago.")
    return name


def now(tz: str) -> datetime:
    """Return the current time in `tz`, or the time in PEERFIND_NOW (ISO 8601) when set (tests)."""
    pinned = os.environ.get("PEERFIND_NOW")
    zone = ZoneInfo(tz)
    if pinned:
        try:
            moment = datetime.fromisoformat(pinned)
        except ValueError:
            raise UsageError(
                f"PEERFIND_NOW={pinned[:40]!r} is not an ISO 8601 time such as "
                "2026-04-07T18:00:00-04:00; unset it."
            ) from None
        return moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
    return datetime.now(zone)


def parse_span(text: str) -> timedelta:
    """Return a timedelta for '3h', '90m', '2d' or '1h30m'; raise UsageError otherwise."""
    match = re.fullmatch(
        r"\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*", text.lower()
    )
    if not match or not any(match.groups()):
        raise UsageError(f"--within {text!r}: use a span such as 3h, 90m or 2d.")
    days, hours, minutes = (int(g or 0) if len(g or "") <= 9 else 10**9 for g in match.groups())
    try:
        span = timedelta(days=days, hours=hours, minutes=minutes)
    except OverflowError:
        span = timedelta.max
    if span <= timedelta(0) or span > timedelta(days=31):
        raise UsageError("--within must be between 1 minute and 31 days.")
    return span


def clock(moment: datetime) -> str:
    """Return '7:00 PM' for a datetime."""
    return moment.strftime("%I:%M %p").lstrip("0")


def relative(moment: datetime, current: datetime, with_zone: bool = False) -> str:
    """Return 'Tue 7:00 PM, in 2 days' (or 'now', 'today …, in 3 h') in the moment's own zone.

    With `with_zone`, the zone's abbreviation follows the time when it is not the user's zone.
    """
    if with_zone and moment.utcoffset() != current.utcoffset():
        zone = moment.tzname() or ""
        text = relative(moment, current)
        return text.replace(clock(moment), f"{clock(moment)} {zone}", 1)
    delta = moment - current
    minutes = int(delta.total_seconds() // 60)
    if minutes < 0:
        return f"now (started {clock(moment)})"
    day_gap = (moment.date() - current.astimezone(moment.tzinfo).date()).days
    label = {0: "today", 1: "tomorrow"}.get(
        day_gap, moment.strftime("%a %b %-d") if day_gap > 6 else moment.strftime("%a")
    )
    if minutes == 0:
        return f"{label} {clock(moment)}, starting now"
    if minutes < 60:
        return f"{label} {clock(moment)}, in {minutes} min"
    if minutes < 24 * 60:
        return f"{label} {clock(moment)}, in {minutes // 60} h"
    if day_gap > 1:
        return f"{label} {clock(moment)}, in {day_gap} days"
    return f"{label} {clock(moment)}"


def age(days: int | None) -> str:
    """Return how long ago a listing was confirmed: 'today', '12 d ago', '5 mo ago', '3 y ago'."""
    if days is None:
        return "unknown"
    if days <= 0:
        return "today"
    if days < 60:
        return f"{days} d ago"
    if days < 730:
        return f"{days // 30} mo ago"
    return f"{days // 365} y ago"
