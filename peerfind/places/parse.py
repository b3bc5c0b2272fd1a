"""Split a place query into its parts: coordinates, a ZIP code, or city-and-state readings.

Pure functions over strings (standard library only); the gazetteer decides what they mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from peerfind.places.names import state_code

_NUMBER = r"([-+]?\d{1,3}(?:\.\d+)?)"
_COORDS = re.compile(rf"^{_NUMBER}\s*°?\s*([NSns])?\s*(?:,\s*|\s+){_NUMBER}\s*°?\s*([EWew])?$")
ZIP_ONLY = re.compile(r"^(\d{5})(?:-?\d{4})?$")
_TRAILING_ZIP = re.compile(r"^(.*?\S)[\s,]+(\d{5})(?:-\d{4})?$")
_COUNTRY = {"us", "usa", "unitedstates", "unitedstatesofamerica", "america"}


@dataclass(frozen=True)
class Reading:
    """One way to read a name query: a city part, an optional state code, and whether it was
    part of a longer address."""

    city: str
    state: str | None
    address: bool
    bad_state: str | None = None  # "Paris, France": the part where a state was expected


def clean(query: str) -> str:
    """Collapse runs of whitespace and trim the query."""
    return " ".join(query.split())


def parse_coordinates(text: str) -> tuple[float, float, str, str] | None:
    """Return (lat, lon, lat text, lon text) for "45.52,-122.68", "45.52 -122.68" or
    "45.52N 122.68W"; None when the text is not a pair of numbers. Values are not range-checked."""
    match = _COORDS.match(text)
    if not match:
        return None
    lat_text, ns, lon_text, ew = match.groups()
    lat, lon = float(lat_text), float(lon_text)
    if ns:
        lat = -abs(lat) if ns in "Ss" else abs(lat)
    if ew:
        lon = -abs(lon) if ew in "Ww" else abs(lon)
    return lat, lon, lat_text, lon_text


def trailing_zip(text: str) -> tuple[str, str] | None:
    """Split off a final ZIP: "1 Main St, Salem, OR 97301" -> ("1 Main St, Salem, OR", "97301")."""
    match = _TRAILING_ZIP.match(text)
    if not match:
        return None
    return match.group(1).strip(" ,"), match.group(2)


def looks_like_address(text: str) -> bool:
    """Tell whether text carries a street part (it starts with a house number or has 3+ parts)."""
    parts = [p for p in text.split(",") if p.strip()]
    return len(parts) >= 3 or bool(re.match(r"\s*\d", text))


def split_state_words(text: str) -> tuple[str, str] | None:
    """Read the last one to three words as a state when a city part remains ("boston ma")."""
    words = text.split()
    for n in (3, 2, 1):
        if len(words) > n:
            code = state_code(" ".join(words[-n:]))
            if code:
                return " ".join(words[:-n]), code
    return None


def readings(text: str) -> list[Reading]:
    """Return the ways to read a name query, most specific first.

    "City, ST" and "City, State name" read the last comma part as the state; without a comma the
    last one to three words may be a state ("Las Cruces New Mexico"), and the whole text is
    always tried as a bare name too. Longer comma lists are addresses: their street is ignored.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    while len(parts) > 1 and parts[-1].lower().replace(".", "").replace(" ", "") in _COUNTRY:
        parts.pop()
    if not parts:
        return []
    if len(parts) == 1:
        split = split_state_words(parts[0])
        out = [Reading(split[0], split[1], False)] if split else []
        return [*out, Reading(parts[0], None, False)]
    address = looks_like_address(", ".join(parts))
    code = state_code(parts[-1])
    if code:
        return [Reading(parts[-2], code, address)]
    split = split_state_words(parts[-1])
    if split:
        return [Reading(split[0], split[1], True), Reading(parts[-1], None, True)]
    if address:
        return [Reading(parts[-1], None, True)]
    return [Reading(parts[0], None, False, bad_state=parts[1])]


def format_number(value: float) -> str:
    """Format a coordinate without trailing zeros: 45.5 -> "45.5", -122.0 -> "-122"."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
