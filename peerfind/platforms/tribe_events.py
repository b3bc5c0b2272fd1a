"""The Events Calendar (WordPress "Tribe") REST API into Groups (reference/formats.md 4).

`{root}/wp-json/tribe/events/v1/events?start_date=now&per_page=50`, paged through `next_rest_url`.
Times come from `utc_start_date` + the site's `timezone`; `hide_from_listings` events are skipped;
a venue of `[]` means no venue (an online event: join links are looked for in the description and
the event website). Pages are gathered until the last one, then the expanded instances of recurring
series are folded and only support groups kept (platforms/eventfold.py, platforms/classify.py), so a
series spread over several pages is still one group.

When a site blocks or lacks the REST API (401/403/404 on the REST URL) the runner asks
`fallback_urls()` for the site's iCalendar feed `{root}/events/?ical=1`; parse() reads that too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from peerfind import vocab
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page
from peerfind.places.names import state_code
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
from peerfind.platforms.ical import read_calendar
from peerfind.scraping import Scraper, SourceConfig

REST_PATH = "/wp-json/tribe/events/v1/events"
_STAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")


def site_root(url: str) -> str:
    """Return the WordPress site root of a TEC REST URL, an ?ical=1 URL or a site address."""
    for marker in ("/wp-json/", "/?rest_route=", "?rest_route=", "/events/?ical", "/events?ical"):
        if marker in url:
            return url.split(marker, 1)[0].rstrip("/")
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def _stamp(value: object) -> datetime | None:
    """Return the naive datetime of a TEC "YYYY-MM-DD HH:MM:SS" value, or None."""
    match = _STAMP.match(str(value or ""))
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in match.groups(default="0"))
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _names(terms: object) -> tuple[str, ...]:
    """Return the names of TEC category/tag term objects."""
    out: list[str] = []
    for term in terms if isinstance(terms, list) else []:
        if isinstance(term, dict):
            out.append(html_text(term.get("name") or str(term.get("slug") or "").replace("-", " ")))
        elif isinstance(term, str):
            out.append(html_text(term))
    return tuple(dict.fromkeys(t for t in out if t))


class TribeEvents(Scraper):
    """A WordPress site running The Events Calendar; keeps support groups only (see classify.py)."""

    name = "tribe_events"
    platform = "tribe-events"

    def __init__(self, config: SourceConfig | None = None) -> None:
        """Create the parser; events of earlier pages wait in `_pending` until the last page."""
        super().__init__(config)
        self._pending: list[Event] = []
        self._followed: set[str] = set()

    def urls(self) -> tuple[str, ...]:
        """Return the REST list URL (a configured site root becomes its events endpoint)."""
        url = self.config.url or (self.start_urls[0] if self.start_urls else "")
        if not url or "tribe/events" in url or "ical" in url:
            return (url,) if url else ()
        query = urlencode({"start_date": "now", "per_page": 50})
        return (f"{site_root(url)}{REST_PATH}?{query}",)

    def fallback_urls(self) -> tuple[str, ...]:
        """Return the iCalendar feed to try when the REST URL answers 401, 403 or 404.

        The runner calls this after a refused or missing REST endpoint and hands the ICS page to
        parse(), which reads it with the ical parser's reader (same classification and folding).
        """
        urls = self.urls()
        return (f"{site_root(urls[0])}/events/?ical=1",) if urls else ()

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield a Follow for the next page, or (on the last page) the Groups of every page."""
        text = page.text.lstrip("\ufeff \r\n\t")
        if text[:15].upper() == "BEGIN:VCALENDAR":
            yield from build_groups(self, page, read_calendar(self, page))
            return
        data = page.json("Events Calendar JSON")
        events = data
        if isinstance(data, dict):
            single = "start_date" in data or "utc_start_date" in data
            events = data.get("events") if "events" in data else [data] if single else None
        if not isinstance(events, list):
            raise ParseError(f"{page.url}: not an Events Calendar events response")
        for raw in events:
            event = self._event(raw)
            if event is not None:
                self._pending.append(event)
        nxt = data.get("next_rest_url") if isinstance(data, dict) else None
        if (
            isinstance(nxt, str)
            and nxt.startswith(("http://", "https://"))
            and nxt not in self._followed
            and len(self._followed) < self.max_pages
        ):
            self._followed.add(nxt)
            yield Follow(nxt)
            return
        pending, self._pending = self._pending, []
        yield from build_groups(self, page, pending)

    def _event(self, raw: object) -> Event | None:
        """Return the Event of one REST event object, or None (counted) when it is left out."""
        if not isinstance(raw, dict):
            self.report.skip("not an object")
            return None
        if raw.get("hide_from_listings") is True:
            self.report.skip("hidden from listings")
            return None
        if raw.get("status") not in (None, "publish"):
            self.report.skip("not published")
            return None
        title, cancelled = strip_cancelled(html_text(raw.get("title")))
        key = str(raw.get("id") or raw.get("global_id") or raw.get("url") or "")
        if not title or not key:
            self.report.skip("no title or id")
            return None
        zone = zone_name(raw.get("timezone")) or zone_name(self.config.timezone)
        start, end = self._times(raw, zone)
        if start is None:
            self.report.skip("no date")
            return None
        description = html_text(raw.get("description"))
        website = str(raw.get("website") or "")
        venue = raw.get("venue") if isinstance(raw.get("venue"), dict) else {}
        event = Event(
            key=key,
            title=title,
            start=start,
            end=end,
            timezone=zone,
            url=str(raw.get("url") or ""),
            description=description,
            categories=_names(raw.get("categories")) + _names(raw.get("tags")),
            join_url=find_join_url(website, description),
            cancelled=cancelled,
            cost=html_text(raw.get("cost")),
            updated=str(raw.get("modified") or "")[:10],
        )
        if venue:
            region = html_text(
                venue.get("stateprovince") or venue.get("state") or venue.get("province")
            )
            event.venue = html_text(venue.get("venue"))
            event.address = html_text(venue.get("address"))
            event.city = html_text(venue.get("city"))
            event.region = (state_code(region) or region) if len(region) > 2 else region
            event.postal_code = html_text(venue.get("zip"))
            event.country = country_code(html_text(venue.get("country")))
            event.latitude, event.longitude = (
                to_float(venue.get("geo_lat")),
                to_float(venue.get("geo_lng")),
            )
        else:
            event.fmt = vocab.ONLINE  # venue [] (or none): nothing to walk into
        return event

    def _times(
        self, raw: dict[str, Any], zone: str | None
    ) -> tuple[datetime | date | None, datetime | date | None]:
        """Return local (start, end): dates for all-day events, else UTC times in the site zone."""
        if raw.get("all_day") is True:
            start, end = _stamp(raw.get("start_date")), _stamp(raw.get("end_date"))
            return (start.date() if start else None), (end.date() if end else None)
        out: list[datetime | None] = []
        for local_key, utc_key in (("start_date", "utc_start_date"), ("end_date", "utc_end_date")):
            utc = _stamp(raw.get(utc_key))
            if utc is not None and zone:
                out.append(utc.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None))
            else:
                out.append(_stamp(raw.get(local_key)))
        return out[0], out[1]
