"""iCalendar (RFC 5545) feeds into Groups: TEC ?ical=1, Events Manager, Google… (formats.md 5).

Each VEVENT is read on its own, so one broken event is skipped and counted ("malformed event")
without losing the rest; a feed is a ParseError only when it is not iCalendar at all or when no
event in it can be read. Recurrence comes from RRULE (+ EXDATE, cancelled RECURRENCE-ID
overrides) via rrule.from_rrule; TEC feeds have no RRULEs but expand each series into dated
instances, which platforms/eventfold.py folds back. Starts may carry a TZID, be UTC (…Z) or be
floating (then the calendar's X-WR-TIMEZONE, else the source's zone, applies).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from peerfind import vocab
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page
from peerfind.places.names import state_code
from peerfind.platforms.classify import strip_cancelled
from peerfind.platforms.eventfold import (
    COUNTRY_WORDS,
    Event,
    build_groups,
    country_code,
    find_join_url,
    html_text,
    zone_name,
)
from peerfind.schedule import rrule
from peerfind.scraping import Scraper

MALFORMED = "malformed event"
# One VEVENT: from BEGIN to the next END, never across another BEGIN (nested = broken).
_VEVENT = re.compile(r"BEGIN:VEVENT\r?\n(?:(?!BEGIN:VEVENT).)*?END:VEVENT", re.S | re.I)
_POSTAL = re.compile(r"\d{4,5}(-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d", re.I)
_STATE_ZIP = re.compile(r"([A-Za-z][A-Za-z .]*?)\.?\s+(\d{5}(?:-\d{4})?)")


def parse_location(text: str) -> dict[str, str]:
    """Split a LOCATION ("Venue, Street, City, ST, Zip, Country") into venue and address parts."""
    out = {"venue": "", "address": "", "city": "", "region": "", "postal_code": "", "country": ""}
    parts = [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]
    if len(parts) == 1:
        only = parts[0]
        if len(only) <= 3 and state_code(only):
            out["region"] = state_code(only) or ""  # TEC's junk "LOCATION:NC"
        elif only[0].isdigit():
            out["address"] = only
        else:
            out["venue"] = only
        return out
    if parts and (
        parts[-1].lower() in COUNTRY_WORDS
        or (len(parts) >= 3 and _POSTAL.fullmatch(parts[-2]) and not _POSTAL.fullmatch(parts[-1]))
    ):
        last = parts.pop()
        out["country"] = country_code(last)
    if parts and _POSTAL.fullmatch(parts[-1]):
        out["postal_code"] = parts.pop()
    if parts and (m := _STATE_ZIP.fullmatch(parts[-1])) and state_code(m[1]):
        out["region"], out["postal_code"] = state_code(m[1]) or "", m[2]
        parts.pop()
    elif parts and len(parts[-1]) <= 3 and state_code(parts[-1]):
        out["region"] = state_code(parts.pop()) or ""
    elif len(parts) >= 4:
        out["region"] = parts.pop()
    if len(parts) >= 2:
        out["city"] = parts.pop()
    if parts and not parts[0][:1].isdigit():
        out["venue"] = parts.pop(0)
    out["address"] = ", ".join(parts)
    if out["region"] and not out["country"] and state_code(out["region"]):
        out["country"] = "US"
    return out


def _text(component: Any, name: str) -> str:
    """Return a text property of a component, unescaped ('' when absent)."""
    value = component.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return html.unescape(str(value)) if value is not None else ""


def _categories(component: Any) -> tuple[str, ...]:
    """Return the CATEGORIES of a component (one or several properties, comma lists)."""
    value = component.get("CATEGORIES")
    items = value if isinstance(value, list) else [value] if value is not None else []
    out: list[str] = []
    for item in items:
        cats = getattr(item, "cats", None)
        out += [html.unescape(str(c)).strip() for c in (cats if cats is not None else [item])]
    return tuple(c for c in out if c)


def _date_value(component: Any, name: str) -> datetime | date | None:
    """Return the date or datetime of a DTSTART/DTEND/RECURRENCE-ID property, or None."""
    prop = component.get(name)
    if isinstance(prop, list):
        prop = prop[0] if prop else None
    value = getattr(prop, "dt", None)
    return value if isinstance(value, (date, datetime)) else None


def _exdates(component: Any) -> list[date | datetime]:
    """Return every EXDATE value of a component."""
    value = component.get("EXDATE")
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [
        d.dt
        for item in items
        for d in getattr(item, "dts", [])
        if isinstance(getattr(d, "dt", None), (date, datetime))
    ]


class ICal(Scraper):
    """Any iCalendar feed; keeps support groups only unless options={"all_events": True}."""

    name = "ical"
    platform = "ical"

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield one Group per support-group event or folded series in the feed."""
        yield from build_groups(self, page, read_calendar(self, page))


def _components(scraper: Scraper, page: Page) -> tuple[list[Any], str | None]:
    """Return the VEVENT components of a feed and its X-WR-TIMEZONE, reading events one by one
    when the calendar as a whole does not parse; raise ParseError when it is not iCalendar."""
    from icalendar import Calendar

    text = page.text.lstrip("\ufeff \r\n\t")
    if not text[:200].upper().startswith("BEGIN:VCALENDAR"):
        kind = "an HTML page" if text[:1] == "<" else "something else"
        raise ParseError(f"{page.url}: expected an iCalendar feed (BEGIN:VCALENDAR), got {kind}")
    head = text.split("BEGIN:VEVENT", 1)[0]
    zone_match = re.search(r"^X-WR-TIMEZONE[^:\r\n]*:(.+?)\r?$", head, re.M | re.I)
    zone = zone_name(zone_match[1]) if zone_match else None
    try:
        calendar = Calendar.from_ical(text)
        return list(calendar.walk("VEVENT")), zone
    except Exception:  # noqa: BLE001 - icalendar raises many types on bad input; retry per event
        pass
    found: list[Any] = []
    chunks = _VEVENT.findall(text)
    for chunk in chunks:
        try:
            found += Calendar.from_ical(f"BEGIN:VCALENDAR\r\n{chunk}\r\nEND:VCALENDAR\r\n").walk(
                "VEVENT"
            )
        except Exception:  # noqa: BLE001
            scraper.report.skip(MALFORMED)
    unclosed = len(re.findall(r"BEGIN:VEVENT", text, re.I)) - len(chunks)
    if unclosed > 0:
        scraper.report.skip(MALFORMED, unclosed)  # cut off, or another event began inside
    if not found:
        raise ParseError(f"{page.url}: no event in this malformed iCalendar feed could be read")
    return found, zone


def read_calendar(scraper: Scraper, page: Page) -> list[Event]:
    """Return the events of an iCalendar page (shared with the tribe-events ICS fallback)."""
    components, cal_zone = _components(scraper, page)
    zone = cal_zone or zone_name(scraper.config.timezone)
    masters: dict[str, Event] = {}
    events: list[Event] = []
    overrides: list[Any] = []
    bad = 0
    for component in components:
        if component.get("RECURRENCE-ID") is not None:
            overrides.append(component)
            continue
        try:
            event = _event(component, zone)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError):
            event = None
        if event is None:
            bad += 1
            scraper.report.skip(MALFORMED)
            continue
        events.append(event)
        if event.schedule is not None:
            masters[event.key] = event
    for component in overrides:
        _apply_override(scraper, component, masters, events, zone)
    if components and bad == len(components):
        raise ParseError(f"{page.url}: no event in this iCalendar feed could be read")
    return events


def _apply_override(
    scraper: Scraper,
    component: Any,
    masters: dict[str, Event],
    events: list[Event],
    zone: str | None,
) -> None:
    """Apply a RECURRENCE-ID override: a cancelled instance becomes an exdate of its series."""
    master = masters.get(_text(component, "UID"))
    try:
        event = _event(component, zone, override=True)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError):
        event = None
    if event is None:
        scraper.report.skip(MALFORMED)
        return
    if master is None or master.schedule is None:
        events.append(event)  # an orphan instance is an event of its own
        return
    rid = _date_value(component, "RECURRENCE-ID")
    if event.cancelled and rid is not None:
        local = _localize(rid, master.timezone)[0]
        day = (local.date() if isinstance(local, datetime) else local).isoformat()
        exdates = tuple(sorted(set(master.schedule.exdates) | {day}))
        master.schedule = replace(master.schedule, exdates=exdates)
    scraper.report.skip("instance override")


def _localize(value: datetime | date, zone: str | None) -> tuple[datetime | date, str | None]:
    """Return (local wall-clock value, zone name): aware times converted, floating ones kept."""
    if not isinstance(value, datetime):
        return value, zone
    if value.tzinfo is None:
        return value, zone
    own = zone_name(getattr(value.tzinfo, "key", None))
    if own and own != "UTC":
        return value.replace(tzinfo=None), own
    if zone:
        return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None), zone
    if value.utcoffset() == timedelta(0):
        return value.astimezone(ZoneInfo("UTC")).replace(tzinfo=None), "UTC"
    return value.replace(tzinfo=None), None


def _event(component: Any, zone: str | None, override: bool = False) -> Event | None:
    """Return the Event of one VEVENT, or None when it has no usable DTSTART or title."""
    errors = {name.upper() for name, _ in getattr(component, "errors", [])}
    start_raw = _date_value(component, "DTSTART")
    if start_raw is None or "DTSTART" in errors:
        return None
    title, cancelled = strip_cancelled(html.unescape(_text(component, "SUMMARY")).strip())
    if not title:
        return None
    start, tz = _localize(start_raw, zone)
    end_raw = _date_value(component, "DTEND")
    if end_raw is None and component.get("DURATION") is not None:
        end_raw = start_raw + component.get("DURATION").dt
    end = _localize(end_raw, tz)[0] if end_raw is not None else None
    cancelled = cancelled or _text(component, "STATUS").upper() == "CANCELLED"
    location = _text(component, "LOCATION").strip()
    url = _text(component, "URL").strip()
    description = html_text(_text(component, "DESCRIPTION"))
    place: dict[str, Any] = (
        parse_location(location) if location and not location.lower().startswith("http") else {}
    )
    join = find_join_url(location, url, description)
    uid = (
        _text(component, "UID").strip()
        or hashlib.sha1(f"{title}|{start_raw}".encode()).hexdigest()[:16]
    )
    geo = component.get("GEO")
    modified = _date_value(component, "LAST-MODIFIED")
    event = Event(
        key=uid,
        title=title,
        start=start,
        end=end,
        timezone=tz,
        url=url,
        description=description,
        categories=_categories(component),
        latitude=getattr(geo, "latitude", None),
        longitude=getattr(geo, "longitude", None),
        fmt=vocab.ONLINE if location.lower().startswith("http") and not place else "",
        join_url=join,
        cancelled=cancelled,
        updated=modified.isoformat()[:10] if modified else "",
        **place,
    )
    rule = component.get("RRULE")
    if rule is not None and not override:
        rule = rule[0] if isinstance(rule, list) else rule
        rule_text = rule.to_ical().decode() if hasattr(rule, "to_ical") else str(rule)
        end_for_rule = end_raw if isinstance(end_raw, datetime) else None
        event.schedule = rrule.from_rrule(
            rule_text, start_raw if tz else start, end_for_rule, tz, _exdates(component)
        )
    return event
