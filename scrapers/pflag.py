"""PFLAG chapters (find-a-chapter data) and their meetings (chapter pages' dated events).

The find-a-chapter page embeds every chapter in an inline `tmscripts = {…}` object whose
`chapter_data` is itself a JSON string. Each chapter becomes an organization-level listing; its
chapter page lists dated events (`<div class="event anim-me">`), which are grouped into series and
folded into a recurrence ("third Tuesday") unless the description says the recurrence in words.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from peerfind import vocab
from peerfind.clean import scrub_personal
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page, Schedule
from peerfind.platforms.classify import classify, tags
from peerfind.platforms.htmltools import absolute, lines, soup, split_address
from peerfind.platforms.meeting_guide import strip_secrets
from peerfind.schedule import recurrence as schedule
from peerfind.schedule import rrule
from peerfind.schedule.phrases import read_schedule
from peerfind.scraping import Scraper

POPULATIONS = ("lgbtq", "families")
CHAPTER_NOTE = "PFLAG chapter. See its chapter page or contact it for meeting times and places."
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_TIME_RANGE = re.compile(
    r"(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?\s*(?:[-–—]|to)\s*(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?"
    r"(?:\s*([A-Z]{2,4}T))?",
    re.I,
)
_ZONES = {
    "ET": "America/New_York",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CT": "America/Chicago",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MT": "America/Denver",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "AKDT": "America/Anchorage",
    "HST": "Pacific/Honolulu",
}
_RECURRING = ("weekly", "monthly_nth", "monthly_date")


class Pflag(Scraper):
    """PFLAG: one listing per chapter, plus one per recurring chapter meeting."""

    name = "pflag"
    organization = "PFLAG"
    start_urls = ("https://pflag.org/findachapter/",)
    max_pages = 600  # about 345 chapter pages

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield a listing per chapter of the find-a-chapter data, and a Follow to its page."""
        for chapter in load_chapters(page):
            name = html.unescape(str(chapter.get("chapter_name") or "")).strip()
            if not name:
                self.report.skip("chapter without a name")
                continue
            url = absolute(page, str(chapter.get("url") or ""))
            yield self._chapter_group(page, chapter, name, url)
            if url:
                yield Follow(url, callback="parse_chapter")

    def parse_chapter(self, page: Page) -> Iterator[Group | Follow]:
        """Yield one listing per meeting series on a chapter page."""
        doc = soup(page)
        heading = doc.select_one("h1")
        chapter = heading.get_text(" ", strip=True) if heading is not None else ""
        series: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for block in doc.select("div.event.anim-me"):
            event = self._parse_event(block)
            if event is None:
                self.report.skip("event without a date, time or title")
                continue
            key = (
                event["title"].lower(),
                event["start"] + event["end"],
                " ".join(event["location"]).lower(),
            )
            series.setdefault(key, []).append(event)
        for events in series.values():
            group = self._series_group(page, chapter, events)
            if group is not None:
                yield group

    def _chapter_group(self, page: Page, chapter: dict[str, Any], name: str, url: str) -> Group:
        """Return the organization-level listing of one chapter."""
        raw = html.unescape(str(chapter.get("location") or ""))
        place = split_address(re.split(r"<br\s*/?>|\n", raw, flags=re.I))
        return self.group(
            page,
            source_key="chapter:" + (_slug(url) or re.sub(r"\W+", "-", name.lower())),
            name=name,
            organization=name,
            source_url=url or page.url,
            description=CHAPTER_NOTE,
            populations=POPULATIONS,
            format=vocab.IN_PERSON,
            **place,
            latitude=chapter.get("latitude"),
            longitude=chapter.get("longitude"),
            geo_precision="exact" if place["address"] else "city",
            phone=str(chapter.get("phone") or ""),
            email=str(chapter.get("email") or ""),
            website=str(chapter.get("website") or ""),
        )

    def _parse_event(self, block: Any) -> dict[str, Any] | None:
        """Return one dated event (title, date, time text, location lines, link, text), or None."""
        title_tag = block.select_one("h3")
        title = title_tag.get_text(" ", strip=True) if title_tag is not None else ""
        month = _text(block.select_one("span.month"))[:3].lower()
        day = re.match(r"\d{1,2}", _text(block.select_one("span.dates")))
        year = re.search(r"\d{4}", _text(block.select_one("span[class^=year]")))
        time_text = " ".join(_labelled(block, "time"))
        match = _TIME_RANGE.search(time_text)
        if not (title and month in _MONTHS and day and year and match):
            return None
        desc = block.select_one(".description")
        link = block.select_one(".location a[href^=http]")
        return {
            "title": title,
            "date": (int(year[0]), _MONTHS.index(month) + 1, int(day[0])),
            "time": time_text,
            "start": _hhmm(match[1], match[2], match[3]),
            "end": _hhmm(match[4], match[5], match[6]),
            "zone": _ZONES.get((match[7] or "").upper()),
            "location": _labelled(block, "location"),
            "join": strip_secrets(str(link["href"])) if link is not None else "",
            "description": "\n".join(lines(desc)),
        }

    def _series_group(self, page: Page, chapter: str, events: list[dict[str, Any]]) -> Group | None:
        """Return the listing of one series of dated events, or None when it is not a meeting."""
        first = events[0]
        verdict = classify(
            first["title"], description=first["description"], extra_keywords=("meeting",)
        )
        if not verdict.keep:
            self.report.skip("not a support meeting")
            return None
        place = self._parse_place(first["location"])
        zone = schedule.timezone_for_region(place["region"], "US") if place["region"] else None
        zone = zone or first["zone"]
        sched = self._parse_schedule(events, zone)
        if sched.kind == "once" and len(events) == 1 and "support" not in first["title"].lower():
            self.report.skip("one-off event")
            return None
        pops, topics = tags(first["title"])
        text = " ".join(first["location"]) + " " + first["description"]
        fmt = self.detect_format(text)
        return self.group(
            page,
            source_key=f"{_slug(page.url)}:{re.sub(r'[^a-z0-9]+', '-', first['title'].lower())}"
            f":{first['start']}",
            name=first["title"],
            organization=chapter or self.organization,
            description=scrub(first["description"]),
            populations=POPULATIONS + pops,
            topics=topics,
            format=fmt,
            schedule=sched,
            **(place if fmt != vocab.ONLINE else {}),
            join_url=first["join"] if fmt != vocab.IN_PERSON else "",
        )

    def _parse_schedule(self, events: list[dict[str, Any]], zone: str | None) -> Schedule:
        """Return the series' recurrence: the description's words if they say one, else folded."""
        first = events[0]
        for sentence in re.split(r"(?<=[.!?])\s+|\n", first["description"]):
            if not re.search(r"day|week|month", sentence, re.I):
                continue
            said = read_schedule(sentence, zone)
            if said.kind in _RECURRING:
                return replace(
                    said,
                    start=said.start or first["start"],
                    end=said.end or first["end"],
                    timezone=said.timezone or zone,
                    text=f"{sentence.strip()} {first['time']}".strip(),
                )
        tzinfo = ZoneInfo(zone) if zone else None
        moments = [
            datetime(*e["date"], *map(int, e["start"].split(":"))).replace(tzinfo=tzinfo)
            for e in events
        ]
        dates = ", ".join(f"{y}-{m:02d}-{d:02d}" for y, m, d in sorted(e["date"] for e in events))
        folded = rrule.fold_dates(moments, zone, text=f"{dates}, {first['time']}")
        return replace(folded, end=first["end"])

    @staticmethod
    def _parse_place(location: list[str]) -> dict[str, str]:
        """Return venue and address parts from an event's Location lines."""
        if not location:
            return {}
        venue = location[0] if not re.match(r"\d", location[0]) and len(location) > 1 else ""
        rest = location[1:] if venue else location
        return {"venue": venue, **split_address(rest)}


def load_chapters(page: Page) -> list[dict[str, Any]]:
    """Return the chapters of the find-a-chapter page's inline `tmscripts` data."""
    match = re.search(r"\btmscripts\s*=\s*", page.text)
    if match is None:
        raise ParseError(f"{page.url}: no tmscripts chapter data on the page")
    try:
        data, _ = json.JSONDecoder().raw_decode(page.text, match.end())
        chapters = json.loads(data["chapter_data"])
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ParseError(f"{page.url}: unreadable tmscripts chapter data ({exc})") from None
    if not isinstance(chapters, list):
        raise ParseError(f"{page.url}: chapter_data is not a list")
    return [c for c in chapters if isinstance(c, dict)]


def scrub(text: str) -> str:
    """Return an event description without contacts, meeting ids, passcodes or facilitators."""
    kept = [line for line in text.splitlines() if not re.search(r"facilitat|hosted by", line, re.I)]
    return scrub_personal("\n".join(kept))


def _labelled(block: Any, label: str) -> list[str]:
    """Return the text lines that follow a 'Location' / 'Time' label inside an event block."""
    container = block.select_one(f".{label}")
    out = lines(container)
    if out and out[0].rstrip(":").strip().lower() == label:
        out = out[1:]
    return out


def _text(tag: Any) -> str:
    """Return the stripped text of an element ('' when missing)."""
    return tag.get_text(" ", strip=True) if tag is not None else ""


def _hhmm(hour: str, minute: str | None, meridiem: str) -> str:
    """Return 'HH:MM' (24-hour) for a 12-hour clock time."""
    h = int(hour) % 12 + (12 if meridiem.lower() == "p" else 0)
    return f"{h:02d}:{int(minute or 0):02d}"


def _slug(url: str) -> str:
    """Return the last path segment of a URL."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] if url else ""
