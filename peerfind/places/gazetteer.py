"""Offline US gazetteer: turn a ZIP code, "City, ST", a bare city name or coordinates into a point.

This module is on the search path, so it imports only the standard library and peerfind's
paths/errors helpers. Data comes from the bundled TSVs through a SQLite index built on first use
(see gazetteer_index). The policy follows shared/reference/geocoding.md sections 4 and 5: exact
matches on a normalised key; fuzzy matching only suggests; an ambiguous bare name is picked only
when its largest place has at least ten times the people of the next, otherwise the candidates
are listed. Every error is a PlaceError subclass with a one-line, user-facing message.
"""

from __future__ import annotations

import math
import re
import sqlite3

from peerfind.errors import PlaceError, UnknownPlace
from peerfind.places import index as _index
from peerfind.places.index import Progress, is_ready, prepare
from peerfind.places.names import name_key, normalize, state_code, state_name
from peerfind.places.parse import (
    ZIP_ONLY,
    Reading,
    clean,
    format_number,
    looks_like_address,
    parse_coordinates,
    readings,
    trailing_zip,
)
from peerfind.places.place import Place
from peerfind.places.suggest import ambiguity_error, not_found_error, state_only_error

__all__ = [
    "Place",
    "Progress",
    "candidates",
    "is_ready",
    "locate",
    "name_key",
    "nearest",
    "normalize",
    "prepare",
    "resolve",
    "timezone_at",
    "timezone_for_state",
]

EARTH_RADIUS_MI = 3958.7613
NEAREST_MI = 50.0  # nearest() and the outside-the-US check look this far
PICK_RATIO = 10  # a bare name picks its largest place when it is this many times the next
SMALL_TOWN = 100_000  # a bare name resolving to a smaller place says the index is US-only
STATE_NAMESAKE_MIN = 1_000_000  # a state's name alone means its namesake city this large
ADDRESS_NOTE = "addresses resolve only to their ZIP code or city"
_PLACE_SQL = (
    "SELECT p.id, p.name, p.state, p.lat, p.lon, p.population, p.timezone, n.tier "
    "FROM names n JOIN places p ON p.id = n.place_id WHERE n.key = ?"
)


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in miles between two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(a)))


def _db() -> sqlite3.Connection:
    """Return the shared read-only index connection (built silently on first use)."""
    return _index.connect()


def resolve(query: str) -> Place:
    """Resolve a place query to one point, or raise a PlaceError saying what to try instead.

    Order: coordinates, ZIP (also ZIP+4 and an address ending in a ZIP), "City, ST" /
    "City, State" / "City ST", then a bare name.
    """
    text = clean(query)
    if not text:
        raise PlaceError(
            'no place given: use a ZIP code, "City, ST" or coordinates ("45.52,-122.68")'
        )
    coords = parse_coordinates(text)
    if coords is not None:
        return _coordinates(*coords)
    only = ZIP_ONLY.match(text)
    if only:
        return _zip_or_raise(only.group(1))
    if text.isdigit() and len(text) == 4:  # a spreadsheet dropped the leading 0 of 02139
        padded = _zip_place("0" + text)
        if padded is not None:
            raise UnknownPlace(f"{text} is not a ZIP code; did you mean {padded.label}?")
    tail = trailing_zip(text)
    if tail is not None:
        rest, code = tail
        place = _zip_place(code)
        if place is not None:
            if looks_like_address(rest):
                place = place.with_note(f"{ADDRESS_NOTE}; using ZIP {place.label}")
            return place
        try:
            place = _resolve_name(rest)
        except PlaceError:
            raise UnknownPlace(f"{code} is not a US ZIP code we know.") from None
        return place.with_note(f"{code} is not a US ZIP code we know; using {place.label}")
    return _resolve_name(text)


def candidates(query: str) -> list[Place]:
    """Return every place the query could mean, largest first ([] when nothing matches).

    Coordinates and ZIP codes give one place; invalid coordinates raise PlaceError.
    """
    text = clean(query)
    if not text:
        return []
    coords = parse_coordinates(text)
    if coords is not None:
        return [_coordinates(*coords)]
    only = ZIP_ONLY.match(text)
    if only:
        place = _zip_place(only.group(1))
        return [place] if place else []
    tail = trailing_zip(text)
    if tail is not None:
        place = _zip_place(tail[1])
        if place is not None:
            return [place]
        text = tail[0]
    for reading in readings(text):
        hits = _lookup(name_key(reading.city), reading.state)
        if hits:
            return [_city(row) for row in hits]
    return []


def nearest(lat: float, lon: float, max_miles: float = NEAREST_MI) -> Place | None:
    """Return the gazetteer place nearest to a point within max_miles, else None."""
    rows = _within("places", "name, state, lat, lon, population, timezone", lat, lon, max_miles)
    if not rows:
        return None
    _, (name, state, plat, plon, population, timezone) = min(rows, key=lambda r: r[0])
    return Place(name, state, plat, plon, population or None, "city", timezone)


def timezone_at(lat: float, lon: float) -> str | None:
    """Return the IANA time zone of the nearest ZIP or place (up to 300 mi away), else None."""
    for miles in (25.0, 100.0, 300.0):
        rows = _within("zips", "timezone", lat, lon, miles)
        rows += _within("places", "timezone", lat, lon, miles)
        if rows:
            return min(rows, key=lambda r: r[0])[1][0]
    return None


def timezone_for_state(state: str) -> str | None:
    """Return the most common time zone among a state's ZIP codes ("OR", "Oregon", "Ore.")."""
    code = state_code(state)
    if code is None:
        return None
    row = _db().execute("SELECT timezone FROM state_zones WHERE state = ?", (code,)).fetchone()
    return row[0] if row else None


def locate(
    address: str | None, city: str | None, region: str | None, postal_code: str | None
) -> tuple[float, float, str] | None:
    """Place a scraped listing: (lat, lon, "postal") from its ZIP, (lat, lon, "city") from its
    city and state, or None. Never guesses: an ambiguous bare city or a ZIP in another state
    than `region` gives None unless the city settles it."""
    region = (region or "").strip()
    state = state_code(region) if region else None
    if region and state is None:
        return None  # not a US state: nothing here can place it
    codes = []
    match = re.match(r"\s*(\d{5})(?:-\d{4})?\s*$", postal_code or "")
    if match:
        codes.append(match.group(1))
    street = clean(address or "")
    tail = trailing_zip(street) if street else None
    if tail is not None:
        codes.append(tail[1])
        street = tail[0]
    for code in codes:
        place = _zip_place(code)
        if place is not None and (state is None or place.state == state):
            return (place.lat, place.lon, "postal")
    text = clean(city or "")
    if text and state is not None:
        options = [Reading(text, state, False)]
    else:  # "Portland, OR" in the city field, or the city inside the street address
        options = [
            Reading(r.city, r.state or state, r.address)
            for r in readings(text or street)
            if not r.bad_state and (state is None or r.state in (None, state))
        ]
    for reading in options:
        hits = _lookup(name_key(reading.city), reading.state)
        if hits and (reading.state is not None or len(hits) == 1 or _clear_winner(hits)):
            return (hits[0][3], hits[0][4], "city")
    return None


def _resolve_name(text: str) -> Place:
    """Resolve a city query (with or without a state, perhaps inside an address)."""
    options = readings(text)
    if not options:
        raise PlaceError(f'"{text}" is not a place name; use a ZIP code, "City, ST" or coordinates')
    first = options[0]
    if first.bad_state:
        raise UnknownPlace(_bad_state_message(first), [])
    for reading in options:
        place = _resolve_reading(reading)
        if place is not None:
            if reading.address:
                place = place.with_note(f"{ADDRESS_NOTE}; using {place.label}")
            return place
    raise not_found_error(_db(), first.city, first.state)


def _resolve_reading(reading: Reading) -> Place | None:
    """Apply the match policy to one reading; None when it matches nothing."""
    key = name_key(reading.city)
    if not key:
        return None
    hits = _lookup(key, reading.state)
    if reading.state is not None:
        if not hits:
            return None
        top = hits[0]
        if len(hits) == 1:
            return _city(top)
        pop = f" (pop. {top[5]:,})" if top[5] else ""
        return _city(
            top,
            f"{len(hits)} places in {state_name(reading.state)} are called "
            f'"{top[1]}"; using the largest{pop}. Give a ZIP code for another.',
        )
    code = state_code(reading.city)
    if code and hits and hits[0][2] == code and (hits[0][5] or 0) >= STATE_NAMESAKE_MIN:
        place = _city(hits[0])  # "New York": the city far more often than the state
        return place.with_note(
            f'"{reading.city}" taken as {place.label}; for elsewhere in the '
            "state give a city or a ZIP code."
        )
    if hits and hits[0][7] == _index.TIER_NICKNAME:
        place = _city(hits[0])
        if code:
            return place.with_note(
                f'"{reading.city}" taken as {place.label}, not the state of {state_name(code)}'
            )
        return place
    if code is not None:
        raise state_only_error(_db(), reading.city, code, [_city(h) for h in hits])
    if not hits:
        return None
    if len(hits) == 1:
        return _us_only(reading.city, _city(hits[0]), "")
    if _clear_winner(hits):
        largest = _city(hits[0])
        others = len(hits) - 1
        places = "place has" if others == 1 else "places have"
        note = (
            f'"{reading.city}" taken as {largest.label} (pop. {largest.population:,}); '
            f"{others} smaller {places} the same name, add a state for those."
        )
        return _us_only(reading.city, largest, note)
    raise ambiguity_error(reading.city, [_city(h) for h in hits])


def _us_only(name: str, place: Place, note: str) -> Place:
    """Return `place`, noting for a small town that the index covers the United States only
    (so "Toronto" is not silently Toronto, OH); `note` is kept otherwise."""
    if (place.population or 0) >= SMALL_TOWN:
        return place.with_note(note) if note else place
    pop = f" (pop. {place.population:,})" if place.population else ""
    return place.with_note(
        f'"{name}" taken as {place.label}{pop}: the place index covers the United States only. '
        "Add a state or ZIP code, or use --online for a place elsewhere."
    )


def _clear_winner(hits: list[tuple]) -> bool:
    """Tell whether the largest hit has at least PICK_RATIO times the people of the next."""
    top = hits[0][5] or 0
    second = (hits[1][5] or 0) if len(hits) > 1 else 0
    return top > 0 and top >= PICK_RATIO * second


def _bad_state_message(reading: Reading) -> str:
    """Explain that the part after the comma is not a US state."""
    import difflib

    names = {name.lower(): name for name in _state_names()}
    close = difflib.get_close_matches((reading.bad_state or "").lower(), names, n=1, cutoff=0.75)
    hint = f'"{reading.city}, {names[close[0]]}"' if close else f'"{reading.city}, ST"'
    return (
        f'"{reading.bad_state}" is not a US state or territory; write {hint} '
        "or give a ZIP code (the offline gazetteer covers the US only)."
    )


def _state_names() -> list[str]:
    """Return the full names of every state and territory."""
    from peerfind.places.names import STATE_NAMES

    return list(STATE_NAMES.values())


def _lookup(key: str, state: str | None = None) -> list[tuple]:
    """Return the place rows for a name key (in a state, if given), best tier only, largest first.

    Row: (id, name, state, lat, lon, population, timezone, tier).
    """
    if state is None:
        rows = _db().execute(_PLACE_SQL, (key,)).fetchall()
    else:
        rows = _db().execute(_PLACE_SQL + " AND n.state = ?", (key, state)).fetchall()
    if not rows:
        return []
    best = min(row[7] for row in rows)
    seen: dict[int, tuple] = {}
    for row in rows:
        if row[7] == best:
            seen.setdefault(row[0], row)
    return sorted(seen.values(), key=lambda r: (-(r[5] or 0), r[2], r[1], r[0]))


def _city(row: tuple, note: str | None = None) -> Place:
    """Build a city Place from a place row."""
    _, name, state, lat, lon, population, timezone, _tier = row
    return Place(name, state, lat, lon, population or None, "city", timezone, note)


def _zip_place(code: str) -> Place | None:
    """Return the Place of a known ZIP code, else None."""
    row = (
        _db()
        .execute("SELECT city, state, lat, lon, timezone FROM zips WHERE zip = ?", (code,))
        .fetchone()
    )
    if row is None:
        return None
    city, state, lat, lon, timezone = row
    return Place(city, state, lat, lon, None, "zip", timezone, postal_code=code)


def _zip_or_raise(code: str) -> Place:
    """Return the Place of a ZIP code or raise UnknownPlace."""
    place = _zip_place(code)
    if place is None:
        raise UnknownPlace(f"{code} is not a US ZIP code we know.")
    return place


def _coordinates(lat: float, lon: float, lat_text: str, lon_text: str) -> Place:
    """Check a coordinate pair and return it as a Place, warning when it lies outside the US."""
    if not -90 <= lat <= 90:
        if -90 <= lon <= 90 and -180 <= lat <= 180:
            swaps = [(lon, lat), (lon, -lat)]
            lat2, lon2 = next((p for p in swaps if nearest(*p) is not None), swaps[0])
            raise PlaceError(
                f"{lat_text} is not a valid latitude (it must lie within ±90). "
                f'Swapped? Try "{format_number(lat2)}, {format_number(lon2)}".'
            )
        raise PlaceError(f"{lat_text} is not a valid latitude (it must lie within ±90).")
    if not -180 <= lon <= 180:
        raise PlaceError(f"{lon_text} is not a valid longitude (it must lie within ±180).")
    name = f"{format_number(lat)}, {format_number(lon)}"
    near = nearest(lat, lon)
    note = None
    if near is None:
        note = f"{name} lies outside the United States, beyond the offline gazetteer"
        flipped = nearest(lat, -lon) if lon else None
        if flipped is not None:
            note += f'; for {flipped.label} write "{format_number(lat)}, {format_number(-lon)}"'
    return Place(
        name, near.state if near else "", lat, lon, None, "coords", timezone_at(lat, lon), note
    )


def _within(table: str, columns: str, lat: float, lon: float, miles: float) -> list[tuple]:
    """Return (distance, row) for rows of `table` within `miles` of a point (bounding box, then
    exact haversine), splitting the box where it crosses the antimeridian."""
    dlat = miles / 69.0
    edge = min(89.9, abs(lat) + dlat)
    dlon = min(180.0, miles / (69.0 * math.cos(math.radians(edge))))
    lo, hi = lon - dlon, lon + dlon
    if lo < -180:
        ranges = [(lo + 360, 180.0), (-180.0, hi)]
    elif hi > 180:
        ranges = [(lo, 180.0), (-180.0, hi - 360)]
    else:
        ranges = [(lo, hi)]
    sql = (
        f"SELECT lat, lon, {columns} FROM {table} WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
    )
    out = []
    db = _db()
    for west, east in ranges:
        for row in db.execute(sql, (lat - dlat, lat + dlat, west, east)):
            dist = haversine_miles(lat, lon, row[0], row[1])
            if dist <= miles:
                out.append((dist, row[2:]))
    return out
