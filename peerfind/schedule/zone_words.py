"""Time zones a listing states in words: abbreviations such as "(AEDT)" or "7pm EST", and names
such as "South Africa Time" or "London time". Used by parsers for feeds without a zone field."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

# Zones whose abbreviations are read; the abbreviations themselves come from the tz database
# (what ZoneInfo calls them in January and July), so none is typed here.
_ABBREVIATED = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Halifax",
    "America/St_Johns",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Athens",
    "Africa/Johannesburg",
    "Australia/Sydney",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Perth",
    "Pacific/Auckland",
)
# Place or region words followed by "time" (as in "7pm South Africa Time").
_NAMED = {
    "south africa": "Africa/Johannesburg",
    "south african": "Africa/Johannesburg",
    "london": "Europe/London",
    "uk": "Europe/London",
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
    "new zealand": "Pacific/Auckland",
    "ireland": "Europe/Dublin",
    "dublin": "Europe/Dublin",
}
_NAMED_RE = re.compile(r"\b(" + "|".join(_NAMED) + r")\s+time\b", re.I)


@cache
def abbreviations() -> dict[str, str]:
    """Return {abbreviation: IANA zone} for the abbreviations only one listed zone uses."""
    seen: dict[str, set[str]] = {}
    for name in _ABBREVIATED:
        zone = ZoneInfo(name)
        for month in (1, 7):
            abbr = datetime(2026, month, 15, 12, tzinfo=zone).tzname() or ""
            if abbr.isalpha() and len(abbr) >= 3:
                seen.setdefault(abbr.upper(), set()).add(name)
    return {abbr: zones.pop() for abbr, zones in seen.items() if len(zones) == 1}


def stated_zone(text: str) -> str | None:
    """Return the IANA zone a text states by abbreviation ("(AEDT)", "7pm EST") or by name
    ("South Africa Time"), or None."""
    if not text:
        return None
    found = _NAMED_RE.search(text)
    if found:
        return _NAMED[found[1].lower()]
    table = abbreviations()
    for word in re.findall(r"\b[A-Z]{3,5}\b", text):  # upper case only: "EST", not "est"
        if word in table:
            return table[word]
    return None
