"""Fill in what listings lack before they are stored: coordinates from addresses, time zones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from peerfind import vocab
from peerfind.models import Group


def _default_tools() -> tuple[
    Callable[..., Any] | None, Callable[..., Any] | None, Callable[..., Any] | None
]:
    """Return (locate, timezone_at, timezone_for_region) when those modules are available."""
    locate = tz_at = tz_region = None
    try:
        from peerfind.places import gazetteer

        locate = getattr(gazetteer, "locate", None)
        tz_at = getattr(gazetteer, "timezone_at", None)
    except ImportError:
        pass
    try:
        from peerfind.schedule import recurrence as schedule

        tz_region = getattr(schedule, "timezone_for_region", None)
    except ImportError:
        pass
    return locate, tz_at, tz_region


def enrich(
    groups: Iterable[Group],
    *,
    locate: Callable[..., Any] | None = None,
    tz_at: Callable[..., Any] | None = None,
    tz_region: Callable[..., Any] | None = None,
    defaults: bool = True,
    corrections: Counter[str] | None = None,
) -> tuple[list[Group], int, int]:
    """Geocode listings with an address but no coordinates, and give zoneless ones a zone.

    A placed in-person or hybrid listing whose stated zone keeps another clock than its place
    (a feed that says America/Chicago for Ohio, a name read as "Mountain" time) takes the zone of
    its place; each such change is counted in `corrections` by its reason.

    Returns (groups, how many were geocoded, how many got a time zone). The lookups default to
    gazetteer.locate / gazetteer.timezone_at / schedule.timezone_for_region.
    """
    if defaults:
        found = _default_tools()
        locate, tz_at, tz_region = locate or found[0], tz_at or found[1], tz_region or found[2]
    out: list[Group] = []
    geocoded = zoned = 0
    places: dict[tuple[str, str, str, str], Any] = {}
    for group in groups:
        if locate and group.latitude is None and (group.address or group.city or group.postal_code):
            key = (group.address, group.city, group.region, group.postal_code)
            if key not in places:
                places[key] = _safe(locate, *key)
            if places[key]:
                lat, lon, precision = places[key]
                group = replace(group, latitude=lat, longitude=lon, geo_precision=precision)
                geocoded += 1
        placed = group.format in (vocab.IN_PERSON, vocab.HYBRID) and group.latitude is not None
        if tz_at and placed and group.schedule.timezone:
            group = _check_zone(group, tz_at, corrections)
        if not group.schedule.timezone:
            zone = None
            # An online meeting's point is often a placeholder (the organization's home city or a
            # country centroid): its zone says nothing about the meeting's clock.
            placed = group.format in (vocab.IN_PERSON, vocab.HYBRID)
            if tz_at and placed and group.latitude is not None and group.longitude is not None:
                zone = _safe(tz_at, group.latitude, group.longitude)
            if not zone and tz_region and (group.region or group.country):
                zone = _safe(tz_region, group.region or None, group.country or None)
            if zone:
                group = replace(group, schedule=replace(group.schedule, timezone=zone))
                zoned += 1
        out.append(group)
    return out, geocoded, zoned


def _check_zone(group: Group, tz_at: Callable[..., Any], corrections: Counter[str] | None) -> Group:
    """Return the group with its place's zone when its stated zone keeps another clock."""
    stated = group.schedule.timezone or ""
    place = _safe(tz_at, group.latitude, group.longitude)
    if not place or place == stated or same_clock(stated, place):
        return group
    from peerfind.platforms.meeting_guide import zone_hint

    hint = zone_hint(group.name)
    if hint and hint[1] and hint[0] == stated:
        return group  # "7pm Eastern" in its name: the publisher gave the time in that zone
    if corrections is not None:
        corrections[f"stated zone {stated} contradicts its place ({place}); used {place}"] += 1
    return replace(group, schedule=replace(group.schedule, timezone=place))


def same_clock(a: str, b: str, year: int | None = None) -> bool:
    """Tell whether two IANA zones keep the same UTC offsets in winter and summer."""
    year = year or datetime.now().year
    try:
        za, zb = ZoneInfo(a), ZoneInfo(b)
    except (ValueError, KeyError, OSError):
        return False
    for month in (1, 7):
        moment = datetime(year, month, 15, 12)
        if moment.replace(tzinfo=za).utcoffset() != moment.replace(tzinfo=zb).utcoffset():
            return False
    return True


def _safe(func: Callable[..., Any], *args: Any) -> Any:
    """Call a lookup; its errors mean 'not found' (a gazetteer problem must not fail a run)."""
    try:
        return func(*args)
    except Exception:
        return None
