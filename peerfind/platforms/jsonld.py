"""schema.org Event JSON-LD in web pages into Groups (reference/formats.md 6).

Reads every `<script type="application/ld+json">` block of a page (a block may hold an object, a
list or an `@graph`; broken blocks are skipped and counted), keeps `Event` and its subtypes and
`EventSeries`, and takes the page's `Organization` as the organization when the source names none.
A recurring group described by `eventSchedule` (byDay, repeatFrequency, byMonthWeek, byMonthDay,
startTime/endTime, scheduleTimezone, exceptDate) gets that schedule; dated events are folded like
other calendars (platforms/eventfold.py). Only support groups are kept unless
options={"all_events": True}.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from peerfind import vocab
from peerfind.clean import is_placeholder_contact
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page, Schedule
from peerfind.platforms.classify import strip_cancelled
from peerfind.platforms.eventfold import (
    Event,
    build_groups,
    country_code,
    find_join_url,
    html_text,
    to_float,
    zone_name,
)
from peerfind.platforms.ical import parse_location
from peerfind.platforms.meeting_guide import strip_secrets
from peerfind.scraping import Scraper

BROKEN = "broken JSON-LD block"
_MODES = {
    "OfflineEventAttendanceMode": vocab.IN_PERSON,
    "OnlineEventAttendanceMode": vocab.ONLINE,
    "MixedEventAttendanceMode": vocab.HYBRID,
}
_DAYS = {
    "sunday": 0,
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "su": 0,
    "mo": 1,
    "tu": 2,
    "we": 3,
    "th": 4,
    "fr": 5,
    "sa": 6,
}
_ORG_TYPES = {
    "Organization",
    "NGO",
    "LocalBusiness",
    "NonprofitOrganization",
    "MedicalOrganization",
    "GovernmentOrganization",
    "Corporation",
}


def _enum(value: object) -> str:
    """Return the bare name of a schema.org value ("https://schema.org/EventCancelled" -> ...)."""
    return re.split(r"[/:#]", str(value or "").strip())[-1]


def _types(node: dict[str, Any]) -> set[str]:
    """Return a node's @type values as bare names."""
    value = node.get("@type")
    return {_enum(v) for v in (value if isinstance(value, list) else [value]) if v}


def _str(value: object) -> str:
    """Return a text value ('' for null, objects and lists), entities decoded."""
    return html_text(value)


def script_blocks(page: Page) -> list[str]:
    """Return the texts of a page's JSON-LD blocks (a bare JSON-LD document counts as one)."""
    text = page.text.lstrip("\ufeff \r\n\t")
    if text[:1] in ("{", "["):
        return [text]
    if "<" not in text:
        raise ParseError(f"{page.url}: expected an HTML page with JSON-LD, got something else")
    from bs4 import BeautifulSoup

    doc = BeautifulSoup(page.text, "html.parser")
    return [
        tag.string or tag.get_text()
        for tag in doc.find_all("script")
        if str(tag.get("type") or "").strip().lower() == "application/ld+json"
    ]


def nodes(data: object) -> Iterator[dict[str, Any]]:
    """Yield the top-level nodes of a JSON-LD value: objects, list items and @graph members."""
    if isinstance(data, list):
        for item in data:
            yield from nodes(item)
    elif isinstance(data, dict):
        if isinstance(data.get("@graph"), list):
            yield from nodes(data["@graph"])
        if "@type" in data:
            yield data


def _when(value: object, zone: str | None) -> tuple[datetime | date | None, str | None]:
    """Return (local wall time or date, zone) of an ISO 8601 startDate/endDate."""
    text = str(value or "").strip() if isinstance(value, str) else ""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text), zone
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, zone
    if moment.tzinfo is None:
        return moment, zone
    if zone:
        return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None), zone
    if moment.utcoffset() == timedelta(0):
        return moment.replace(tzinfo=None), "UTC"
    return moment.replace(tzinfo=None), None


def _clock(value: object) -> str | None:
    """Return 'HH:MM' of a schema.org Time ("19:00", "19:00:00", "19:00:00-05:00"), or None."""
    match = re.match(r"^(\d{1,2}):(\d{2})", str(value or "").strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return f"{int(match[1]):02d}:{match[2]}"


def _list(value: object) -> list[Any]:
    """Return a value as a list (None -> [])."""
    return value if isinstance(value, list) else [] if value is None else [value]


def event_schedule(node: dict[str, Any], zone: str | None) -> Schedule | None:
    """Return the Schedule of an eventSchedule (the first one), or None when there is none."""
    spec = next((s for s in _list(node.get("eventSchedule")) if isinstance(s, dict)), None)
    if spec is None:
        return None
    tz = zone_name(spec.get("scheduleTimezone")) or zone
    days = sorted(
        {_DAYS[_enum(d).lower()] for d in _list(spec.get("byDay")) if _enum(d).lower() in _DAYS}
    )
    first, _ = _when(spec.get("startDate"), None)
    last, _ = _when(spec.get("endDate"), None)
    anchor = (first.date() if isinstance(first, datetime) else first) if first else None
    until = (last.date() if isinstance(last, datetime) else last) if last else None
    base = Schedule(
        start=_clock(spec.get("startTime")),
        end=_clock(spec.get("endTime")),
        timezone=tz,
        until=until.isoformat() if until else None,
        exdates=tuple(
            sorted(
                {
                    str(d)[:10]
                    for d in _list(spec.get("exceptDate"))
                    if re.match(r"\d{4}-\d{2}-\d{2}", str(d))
                }
            )
        ),
        text=_str(spec.get("description")),
    )
    freq = str(spec.get("repeatFrequency") or "").strip().upper()
    match = re.fullmatch(r"P(\d{1,3})([DWMY])", freq)
    count, unit = (
        (int(match[1]), match[2])
        if match
        else (1, {"DAILY": "D", "WEEKLY": "W", "MONTHLY": "M"}.get(freq, ""))
    )
    if anchor and not days:
        days = [(anchor.weekday() + 1) % 7]
    nths = sorted(
        {
            int(n)
            for n in _list(spec.get("byMonthWeek"))
            if str(n).lstrip("-").isdigit() and int(n) in (1, 2, 3, 4, 5, -1)
        }
    )
    monthday = next(
        (int(d) for d in _list(spec.get("byMonthDay")) if str(d).isdigit() and 1 <= int(d) <= 31),
        None,
    )
    if unit == "D" and count == 1:
        return replace(base, kind="weekly", days=tuple(range(7)))
    if unit == "W" and days and count >= 1:
        anchor_text = anchor.isoformat() if anchor and count > 1 else None
        return replace(base, kind="weekly", days=tuple(days), interval=count, anchor=anchor_text)
    if unit == "M" and count == 1 and nths and days:
        return replace(base, kind="monthly_nth", days=tuple(days), nths=tuple(nths))
    if unit == "M" and count == 1 and (monthday or anchor):
        return replace(base, kind="monthly_date", monthday=monthday or anchor.day)  # type: ignore[union-attr]
    return replace(base, kind="unparsed", text=base.text or freq)


class JsonLd(Scraper):
    """Any web page carrying schema.org Event JSON-LD (TEC event pages, Eventbrite, …)."""

    name = "jsonld"
    platform = "jsonld"

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield the Groups of the page's Event / EventSeries nodes."""
        blocks = script_blocks(page)
        found: list[dict[str, Any]] = []
        broken = 0
        for block in blocks:
            try:
                found += list(nodes(json.loads(block, strict=False)))
            except (json.JSONDecodeError, RecursionError, TypeError):
                broken += 1
                self.report.skip(BROKEN)
        if blocks and broken == len(blocks):
            raise ParseError(f"{page.url}: no JSON-LD block on the page could be read")
        org = next((n for n in found if _types(n) & _ORG_TYPES), None)
        events = []
        for node in found:
            if any(t.endswith("Event") or t == "EventSeries" for t in _types(node)):
                event = self._event(page, node, org)
                if event is not None:
                    events.append(event)
        yield from build_groups(self, page, events)

    def _event(self, page: Page, node: dict[str, Any], org: dict[str, Any] | None) -> Event | None:
        """Return the Event of one JSON-LD node, or None (counted) when it has no name."""
        title, cancelled = strip_cancelled(_str(node.get("name")))
        if not title:
            self.report.skip("no name")
            return None
        zone = zone_name(self.config.timezone)
        start, tz = _when(node.get("startDate"), zone)
        end, _ = _when(node.get("endDate"), tz)
        status = _enum(node.get("eventStatus"))
        url = _str(node.get("url"))
        description = _str(node.get("description"))
        key = (
            _str(node.get("@id"))
            or url
            or hashlib.sha1(f"{title}|{node.get('startDate')}".encode()).hexdigest()[:16]
        )
        event = Event(
            key=key,
            title=title,
            start=start,
            end=end,
            timezone=tz,
            url=url,
            description=description,
            cancelled=cancelled or status in ("EventCancelled", "EventPostponed"),
            fmt=_MODES.get(_enum(node.get("eventAttendanceMode")), ""),
        )
        if status == "EventMovedOnline":
            event.fmt = vocab.ONLINE
        for place in _list(node.get("location")):
            self._place(event, place)
        event.join_url = event.join_url or find_join_url(description)
        event.schedule = event_schedule(node, tz)
        categories = [c for c in _list(node.get("keywords")) if isinstance(c, str)]
        event.categories = tuple(_str(c) for c in categories if _str(c))
        event.cost = _cost(node.get("offers"))
        organizer = (
            next(
                (
                    o
                    for o in _list(node.get("organizer"))
                    if isinstance(o, dict) and _types(o) & _ORG_TYPES
                ),
                None,
            )
            or org
        )
        if organizer is not None and not self.config.organization:
            event.organization = _str(organizer.get("name"))
        if organizer is not None:
            event.website = _str(organizer.get("url"))
            phone = _str(organizer.get("telephone"))
            event.phone = "" if is_placeholder_contact(phone) else phone
        return event

    @staticmethod
    def _place(event: Event, place: object) -> None:
        """Fill an Event's venue, address, coordinates or join link from one location value."""
        if isinstance(place, str):
            if place.strip().lower().startswith("http"):
                event.join_url = event.join_url or strip_secrets(place.strip())
            elif not event.venue and not event.address:
                for key, value in parse_location(html_text(place)).items():
                    setattr(event, key, value)
            return
        if not isinstance(place, dict):
            return
        if "VirtualLocation" in _types(place):
            link = _str(place.get("url"))
            if link.lower().startswith("http"):
                event.join_url = strip_secrets(link)
            return
        event.venue = _str(place.get("name")) or event.venue
        address = place.get("address")
        if isinstance(address, str):
            parts = parse_location(html_text(address))
            parts.pop("venue", None)
            for key, value in parts.items():
                setattr(event, key, value)
        elif isinstance(address, dict):
            country = address.get("addressCountry")
            country = country.get("name") if isinstance(country, dict) else country
            event.address = _str(address.get("streetAddress"))
            event.city = _str(address.get("addressLocality"))
            event.region = _str(address.get("addressRegion"))
            event.postal_code = _str(address.get("postalCode"))
            event.country = country_code(_str(country))
        geo = place.get("geo")
        if isinstance(geo, dict):
            event.latitude, event.longitude = (
                to_float(geo.get("latitude")),
                to_float(geo.get("longitude")),
            )


def _cost(offers: object) -> str:
    """Return a cost phrase from schema.org offers ("Free", "10 USD"), or ''."""
    offer = next((o for o in _list(offers) if isinstance(o, dict)), None)
    if offer is None:
        return ""
    price = _str(offer.get("price"))
    if price in ("0", "0.0", "0.00"):
        return "Free"
    return f"{price} {_str(offer.get('priceCurrency'))}".strip()
