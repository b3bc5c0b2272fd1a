"""Geocoders behind geopy's interface: the offline gazetteer, and an opt-in, cached Nominatim.

`OfflineGeocoder` answers from the bundled gazetteer and carries an HTTP adapter that refuses
every request, so it provably never reaches the network. `online_geocode()` asks OpenStreetMap's
Nominatim (or a configured compatible server) under its usage policy: an identifying User-Agent,
at most one request per second (the time of the last request is kept in the cache file, so the
limit holds across runs), no retries, and a local cache keyed by the normalised query.

Privacy: only the place text is sent, only with --online and only when the gazetteer has no
match. Cached answers are a record of places a person looked up: PEERFIND_GEOCODE_CACHE=off
keeps none (the file then holds only the time of the last request), `peerfind forget` deletes
the file, and geopy's own log lines (which carry the request URL) are kept below WARNING.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geopy.adapters import BaseAdapter, BaseSyncAdapter
from geopy.exc import GeocoderServiceError, GeocoderTimedOut
from geopy.exc import GeocoderUnavailable as _GeopyUnavailable
from geopy.geocoders import Nominatim
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point

from peerfind import USER_AGENT
from peerfind.errors import GeocoderUnavailable, PlaceError, UnknownPlace
from peerfind.paths import user_dir
from peerfind.places import gazetteer
from peerfind.places.gazetteer import Place
from peerfind.places.names import STATE_NAMES, state_code

OSM_CREDIT = "© OpenStreetMap contributors"
DEFAULT_DOMAIN = "nominatim.openstreetmap.org"
CACHE_FILE = "geocode-cache.json"
CACHE_MAX_ENTRIES = 1000
CACHE_SETTING = "PEERFIND_GEOCODE_CACHE"  # off / 0 / no / false: keep no looked-up places
MIN_INTERVAL_S = 1.0
TIMEOUT_S = 5.0
# Nominatim country filter: the US and the territories the gazetteer covers.
COUNTRY_CODES = ["us", "pr", "gu", "vi", "as", "mp"]

# Indirections so tests can drive the rate limit without waiting.
_now: Callable[[], float] = time.time
_sleep: Callable[[float], None] = time.sleep


class RefuseNetwork(BaseSyncAdapter):
    """A geopy HTTP adapter that raises on every request instead of opening a connection."""

    is_available = True

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        """Refuse to fetch `url`."""
        raise GeocoderServiceError(f"the offline geocoder never uses the network (asked for {url})")

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        """Refuse to fetch `url`."""
        return self.get_json(url, timeout=timeout, headers=headers)


def to_location(place: Place, match: str = "exact") -> Location:
    """Wrap a gazetteer Place as a geopy Location whose `raw` dict describes it."""
    raw = {
        "name": place.name,
        "state": place.state,
        "population": place.population,
        "precision": place.precision,
        "match": match,
        "timezone": place.timezone,
        "kind": place.kind,
        "label": place.label,
        "postal_code": place.postal_code,
        "note": place.note,
    }
    return Location(place.label, (place.lat, place.lon), raw)


class OfflineGeocoder(Geocoder):
    """geopy Geocoder over the bundled gazetteer; its adapter refuses all network access."""

    def __init__(self) -> None:
        """Create the geocoder; the gazetteer index opens lazily on the first query."""
        super().__init__(user_agent=USER_AGENT, adapter_factory=RefuseNetwork)

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL
    ) -> Location | list[Location] | None:
        """Return the place(s) a query can mean, largest first; None when nothing matches.

        Exact matches only (fuzzy matches are suggestions, see gazetteer.resolve); with
        exactly_one the largest candidate is returned, so apply the ambiguity policy of
        gazetteer.resolve() when one answer must be chosen for the user.
        """
        places = gazetteer.candidates(str(query))
        if not places:
            return None
        locations = [to_location(p) for p in places]
        return locations[0] if exactly_one else locations

    def reverse(
        self, query: Any, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL
    ) -> Location | list[Location] | None:
        """Return the nearest gazetteer place within 50 miles of a point, or None."""
        point = Point(query)
        place = gazetteer.nearest(point.latitude, point.longitude)
        if place is None:
            return None
        location = to_location(place)
        return location if exactly_one else [location]


def cache_enabled() -> bool:
    """Return False when PEERFIND_GEOCODE_CACHE turns the cache of looked-up places off."""
    value = os.environ.get(CACHE_SETTING, "").strip().lower()
    return value not in ("0", "off", "no", "false")


def _quiet_geopy() -> None:
    """Keep geopy's debug and info lines, which carry the query in the URL, out of any log."""
    geopy_log = logging.getLogger("geopy")
    if geopy_log.getEffectiveLevel() < logging.WARNING:
        geopy_log.setLevel(logging.WARNING)


def online_geocode(
    query: str,
    domain: str = DEFAULT_DOMAIN,
    cache_path: Path | None = None,
    *,
    timeout: float = TIMEOUT_S,
    adapter_factory: Callable[..., BaseAdapter] | None = None,
) -> Place:
    """Geocode a query with Nominatim at `domain`, through the local cache, as a Place (kind
    "address", note crediting OpenStreetMap).

    Raises UnknownPlace when the service finds nothing and GeocoderUnavailable when it cannot
    be reached or refuses the request. `adapter_factory` lets tests supply a fake HTTP adapter.
    """
    text = " ".join(query.split())
    if not text:
        raise PlaceError("no place given to look up online")
    path = cache_path if cache_path is not None else user_dir() / CACHE_FILE
    cache = _load_cache(path)
    keep = cache_enabled()
    if not keep:
        cache["entries"] = {}  # and any kept before the setting was turned off go too
    key = f"{domain}|{gazetteer.normalize(text)}"
    if key in cache["entries"]:
        return _from_entry(text, domain, cache["entries"][key])
    _quiet_geopy()
    wait = float(cache.get("last_request", 0)) + MIN_INTERVAL_S - _now()
    if wait > 0:
        _sleep(min(wait, MIN_INTERVAL_S))
    geocoder = Nominatim(
        user_agent=USER_AGENT, domain=domain, timeout=timeout, adapter_factory=adapter_factory
    )
    cache["last_request"] = _now()
    try:
        location = geocoder.geocode(
            text, exactly_one=True, country_codes=COUNTRY_CODES, addressdetails=True
        )
    except (GeocoderTimedOut, _GeopyUnavailable) as exc:
        _save_cache(path, cache)
        reason = str(exc) or type(exc).__name__
        raise GeocoderUnavailable(
            f"the online geocoder at {domain} did not respond ({reason})"
        ) from exc
    except GeocoderServiceError as exc:
        _save_cache(path, cache)
        reason = str(exc) or type(exc).__name__
        raise GeocoderUnavailable(
            f"the online geocoder at {domain} refused the request ({reason})"
        ) from exc
    entry = None if location is None else _entry(location)
    if keep:
        cache["entries"][key] = entry
    while len(cache["entries"]) > CACHE_MAX_ENTRIES:
        del cache["entries"][next(iter(cache["entries"]))]
    _save_cache(path, cache)
    return _from_entry(text, domain, entry)


def _entry(location: Location) -> dict[str, Any]:
    """Keep what a cached Nominatim answer needs: point, display name and state code."""
    raw = location.raw if isinstance(location.raw, dict) else {}
    address = raw.get("address") or {}
    iso = str(address.get("ISO3166-2-lvl4", ""))
    country = str(address.get("country_code", "")).upper()
    if iso.startswith("US-"):
        state = iso[3:]
    elif country in STATE_NAMES:
        state = country
    else:
        state = state_code(str(address.get("state", ""))) or ""
    return {
        "lat": location.latitude,
        "lon": location.longitude,
        "name": location.address or raw.get("display_name", ""),
        "state": state,
    }


def _from_entry(text: str, domain: str, entry: dict[str, Any] | None) -> Place:
    """Turn a cache entry into a Place, or raise UnknownPlace for a cached miss."""
    if entry is None:
        raise UnknownPlace(f'the online geocoder at {domain} found no US place for "{text}".')
    lat, lon = float(entry["lat"]), float(entry["lon"])
    return Place(
        entry["name"],
        entry["state"],
        lat,
        lon,
        None,
        "address",
        gazetteer.timezone_at(lat, lon),
        OSM_CREDIT,
    )


def _load_cache(path: Path) -> dict[str, Any]:
    """Read the cache file, starting afresh when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        data = {"version": 1, "last_request": 0.0, "entries": {}}
    return data


def _save_cache(path: Path, cache: dict[str, Any]) -> None:
    """Write the cache atomically; a cache that cannot be written is silently skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache, ensure_ascii=False, indent=0), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
