"""Word the gazetteer's errors: unknown names (with close matches), ambiguous names, bare states.

Each function returns the exception for the caller to raise; messages are one line and say what
to try next (shared/reference/geocoding.md section 5). Standard library only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from peerfind.errors import AmbiguousPlace, PlaceError, UnknownPlace
from peerfind.places.names import name_key, state_name

TYPE_CHECKING = False  # spares importing typing on the search path
if TYPE_CHECKING:
    from peerfind.places.place import Place

MAX_SUGGESTIONS = 3
FUZZY_CUTOFF = 0.8
BOTH_MIN_POPULATION = 100_000  # a state name whose namesake is this big may mean the place
TERRITORIES = frozenset({"PR", "GU", "VI", "AS", "MP", "FM", "MH", "PW"})
_TRY_ONLINE = (
    'Give a ZIP code or coordinates ("45.52,-122.68"), or add --online to query OpenStreetMap.'
)
_NAMED = (
    "SELECT p.name, p.state FROM names n JOIN places p ON p.id = n.place_id "
    "WHERE n.key = ? AND n.tier <= 1"
)


def describe(place: Place) -> str:
    """Return a candidate line: "Springfield, MO (pop. 170,188)" (no population if unknown)."""
    if place.population:
        return f"{place.label} (pop. {place.population:,})"
    return place.label


def join_or(labels: Sequence[str]) -> str:
    """Join labels that themselves contain commas: "A or B or C"."""
    return " or ".join(labels)


def _labels(db: sqlite3.Connection, key: str, state: str | None) -> list[str]:
    """Return "Name, ST" for the places with a key (in a state, if given), largest first."""
    sql = _NAMED + (" AND n.state = ?" if state else "")
    sql += " ORDER BY COALESCE(p.population, 0) DESC, p.state, p.name"
    rows = db.execute(sql, (key, state) if state else (key,)).fetchall()
    return list(dict.fromkeys(f"{name}, {st}" for name, st in rows))


def not_found_error(db: sqlite3.Connection, city: str, state: str | None) -> UnknownPlace:
    """Return the error for a name that matches nothing, suggesting up to three close names."""
    import difflib

    key = name_key(city)
    if state:
        where = state_name(state)
        keys = [
            r[0]
            for r in db.execute(
                "SELECT DISTINCT key FROM names WHERE state = ? AND tier <= 1", (state,)
            )
        ]
        close = difflib.get_close_matches(key, keys, n=MAX_SUGGESTIONS, cutoff=FUZZY_CUTOFF)
        labels = [_labels(db, k, state)[0] for k in close]
        if labels:
            return UnknownPlace(
                f'{where} has no place called "{city}"; did you mean {join_or(labels)}?', labels
            )
        elsewhere = _labels(db, key, None)
        if elsewhere:
            more = len(elsewhere) - MAX_SUGGESTIONS
            rest = f" (or {more} more)" if more > 0 else ""
            shown = elsewhere[:MAX_SUGGESTIONS]
            return UnknownPlace(
                f'{where} has no place called "{city}"; did you mean {join_or(shown)}{rest}?', shown
            )
        return UnknownPlace(
            f"the offline gazetteer (US cities, towns and ZIP codes) has no "
            f'"{city}" in {where}. {_TRY_ONLINE}'
        )
    keys = [r[0] for r in db.execute("SELECT DISTINCT key FROM names WHERE tier <= 1")]
    close = difflib.get_close_matches(key, keys, n=MAX_SUGGESTIONS, cutoff=FUZZY_CUTOFF)
    labels = [_labels(db, k, None)[0] for k in close]
    if labels:
        return UnknownPlace(
            f'the offline gazetteer has no place called "{city}"; did you mean {join_or(labels)}?',
            labels,
        )
    return UnknownPlace(
        f'the offline gazetteer (US cities, towns and ZIP codes) has no "{city}". '
        'Give a ZIP code, "City, ST" or coordinates ("45.52,-122.68"), '
        "or add --online to query OpenStreetMap."
    )


def ambiguity_error(text: str, places: Sequence[Place]) -> AmbiguousPlace:
    """Return the error for a bare name shared by places of similar size, largest first."""
    top = places[0]
    listed = " · ".join(describe(p) for p in places[:MAX_SUGGESTIONS])
    return AmbiguousPlace(
        f'"{text}" is ambiguous: {len(places)} places share that name. Add a state '
        f'("{top.label}") or give a ZIP code. Largest: {listed}.',
        [describe(p) for p in places],
    )


def state_only_error(
    db: sqlite3.Connection, text: str, code: str, places: Sequence[Place]
) -> PlaceError:
    """Return the error for a query that names a state (and perhaps also places)."""
    kind = "a territory" if code in TERRITORIES else "a state"
    rows = db.execute(
        "SELECT name FROM places WHERE state = ? AND population IS NOT NULL "
        "ORDER BY population DESC LIMIT 2",
        (code,),
    ).fetchall()
    examples = [f"{name}, {code}" for (name,) in rows]
    if places and (places[0].population or 0) >= BOTH_MIN_POPULATION:
        top = places[0]
        example = next((e for e in examples if e != top.label), None)
        more = len(places) - 1
        extra = f" (and the name of {more} more place{'s' if more != 1 else ''})" if more else ""
        town = f', a town in the state such as "{example}"' if example else ""
        return AmbiguousPlace(
            f'"{text}" is both {kind} and {top.label}{extra}. '
            f'Write "{top.label}"{town}, or a ZIP code.',
            [describe(p) for p in places],
        )
    example = f' (e.g. "{examples[0]}")' if examples else ""
    message = (
        f'"{text}" names {kind}, which has no single centre to measure from. '
        f"Use a city, ZIP code or coordinates{example}."
    )
    if places:
        message += f' For the town of that name, write "{places[0].label}".'
    return PlaceError(message)
