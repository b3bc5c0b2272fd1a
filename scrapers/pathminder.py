"""Pathminder Meetings, the platform SMART Recovery and LifeRing publish their meetings on.

Each site's sitemap.xml lists its meeting pages (`/meetings/<id>/`). A meeting page carries an
AddEvent block (`class="addeventatc"`: spans `start`/`end` local, `timezone` IANA, `title`,
`description`, `recurring` RRULE), audience and language labels, a Google Maps directions link
with the address, and a Pathcheck join link for online meetings. Facilitator names are never kept.

Disabled by default: both organizations ask to be contacted before their listings are reused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peerfind import vocab
from peerfind.clean import scrub_personal
from peerfind.models import Follow, Group, Page, Schedule
from peerfind.platforms.htmltools import lines, sitemap_urls, soup, split_address
from peerfind.platforms.meeting_guide import strip_secrets
from peerfind.schedule import recurrence as schedule
from peerfind.schedule import rrule
from peerfind.schedule.phrases import read_schedule
from peerfind.scraping import Scraper


@dataclass(frozen=True)
class Program:
    """An organization publishing on Pathminder: its sitemap and what its meetings are about."""

    key: str
    organization: str
    sitemap: str
    topics: tuple[str, ...] = ("substance_use",)


PROGRAMS = {
    "smart": Program("smart", "SMART Recovery", "https://meetings.smartrecovery.org/sitemap.xml"),
    "lifering": Program(
        "lifering", "LifeRing Secular Recovery", "https://meetings.lifering.org/sitemap.xml"
    ),
}
HOSTS = {urlsplit(p.sitemap).netloc: key for key, p in PROGRAMS.items()}  # host[:port] -> program

AUDIENCES: dict[str, tuple[str, ...]] = {
    "family & friends": ("families",),
    "family and friends": ("families",),
    "young adults": ("young_adults",),
    "teens": ("youth",),
    "lgbtqia+": ("lgbtq",),
    "bipoc": ("bipoc",),
    "women": ("women",),
    "men": ("men",),
    "military/veterans & first responders": ("veterans",),
    "veterans": ("veterans",),
}
LANGUAGES = {
    "english": "en",
    "spanish": "es",
    "español": "es",
    "french": "fr",
    "français": "fr",
    "portuguese": "pt",
    "german": "de",
    "italian": "it",
    "farsi": "fa",
    "persian": "fa",
    "chinese": "zh",
    "mandarin": "zh",
    "korean": "ko",
    "japanese": "ja",
    "russian": "ru",
    "arabic": "ar",
    "hindi": "hi",
    "polish": "pl",
    "dutch": "nl",
    "swedish": "sv",
}
_MEETING_URL = re.compile(r"/meetings/(\d+)/?$")
_STAMP_FORMATS = (
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)
_PERSONAL = re.compile(r"facilitat|host(ed)? by|co-?host|your host", re.I)


class Pathminder(Scraper):
    """SMART Recovery and LifeRing meetings: sitemap, then each meeting page."""

    name = "pathminder"
    organization = "SMART Recovery / LifeRing Secular Recovery"
    start_urls = tuple(p.sitemap for p in PROGRAMS.values())
    enabled_by_default = False  # the organizations ask to be contacted first
    max_pages = 1600  # about 1,250 SMART and 160 LifeRing meeting pages

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield a Follow per meeting page of a sitemap (and per child sitemap of an index)."""
        urls, is_index = sitemap_urls(page.text)
        for url in urls:
            if is_index:
                yield Follow(url, callback="parse")
            elif _MEETING_URL.search(urlsplit(url).path):
                yield Follow(url, callback="parse_meeting")

    def parse_meeting(self, page: Page) -> Iterator[Group | Follow]:
        """Yield the listing of one meeting page."""
        doc = soup(page)
        block = doc.select_one(".addeventatc")
        match = _MEETING_URL.search(urlsplit(page.url).path)
        if block is None or match is None:
            self.report.skip("no AddEvent block")
            return
        event = {
            span_class: _span(block, span_class)
            for span_class in ("start", "end", "timezone", "title", "description", "recurring")
        }
        sched = self._parse_schedule(event)
        if sched is None:
            self.report.skip("no start time")
            return
        program = self.program(page.url)
        heading = doc.select_one("h1")
        title = heading.get_text(" ", strip=True) if heading is not None else ""
        audiences = self._labels(doc, "audience") + self._labels(doc, "program")
        pops = tuple(p for label in audiences for p in AUDIENCES.get(_label_key(label), ()))
        langs = tuple(
            LANGUAGES[x.lower()] for x in self._labels(doc, "language") if x.lower() in LANGUAGES
        )
        place, join = self._parse_address(doc), self._parse_join(doc)
        fmt = (
            vocab.HYBRID
            if place and join
            else vocab.ONLINE
            if join
            else vocab.IN_PERSON
            if place
            else self.detect_format(event["description"])
        )
        if fmt == vocab.IN_PERSON and not place:
            place = _host_place(title)
        yield self.group(
            page,
            source_key=f"{program.key or urlsplit(page.url).hostname}:{match[1]}",
            name=event["title"] or re.sub(r"\s*#\d+.*$", "", title) or title,
            organization=program.organization,
            description=self._parse_description(event["description"]),
            populations=pops,
            topics=program.topics,
            languages=langs,
            format=fmt,
            schedule=sched,
            **(place if fmt != vocab.ONLINE else {}),
            join_url=join,
        )

    def program(self, url: str) -> Program:
        """Return the program of a page: the configured one, else by host, else a generic one."""
        key = self.config.program or HOSTS.get(urlsplit(url).netloc, "")
        return PROGRAMS.get(key) or Program("", self.config.organization or self.organization, "")

    def _parse_schedule(self, event: dict[str, str]) -> Schedule | None:
        """Return the schedule from the AddEvent start/end, zone and RRULE (or prose), else None."""
        start, end = _stamp(event["start"]), _stamp(event["end"])
        if start is None:
            return None
        zone = event["timezone"] if _is_zone(event["timezone"]) else None
        if event["recurring"]:
            sched = rrule.from_rrule(event["recurring"], start, end, tzid=zone)
            if sched.kind != "unparsed":
                return replace(sched, text=schedule.describe(sched))
        said = read_schedule(event["description"], zone)
        if said.kind in ("weekly", "monthly_nth", "monthly_date"):
            return said
        once = rrule.fold_dates([start], zone)
        end_text = end.strftime("%H:%M") if end else None
        return replace(
            once,
            end=end_text if end_text != once.start else None,
            text=schedule.describe(replace(once, end=end_text)),
        )

    @staticmethod
    def _labels(doc: Any, heading: str) -> list[str]:
        """Return the labels listed under a heading such as 'Audiences' or 'Languages'."""
        for tag in doc.find_all(["h2", "h3", "h4", "h5", "dt", "strong", "span", "div", "p"]):
            text = tag.get_text(" ", strip=True).rstrip(":").strip().lower()
            if text not in (heading, heading + "s"):
                continue
            sibling = tag.find_next_sibling()
            if sibling is None:
                return []
            items = sibling.select("li, .label, .badge") or [sibling]
            texts = [item.get_text(" ", strip=True) for item in items]
            return [t for text in texts for t in re.split(r"\s*,\s*", text) if t]
        return []

    @staticmethod
    def _parse_address(doc: Any) -> dict[str, str]:
        """Return the address from the Google Maps directions link ({} when there is none)."""
        link = doc.select_one('a[href*="maps/dir//"]')
        if link is None:
            return {}
        raw = unquote_plus(str(link["href"]).split("maps/dir//", 1)[1].split("/@")[0])
        return split_address(raw.split(","))

    @staticmethod
    def _parse_join(doc: Any) -> str:
        """Return the Pathcheck join link of an online meeting ('' when there is none)."""
        link = doc.select_one('a[href*="pathcheck.net/j/"]')
        return strip_secrets(str(link["href"])) if link is not None else ""

    @staticmethod
    def _parse_description(text: str) -> str:
        """Return the meeting description without facilitator names, contacts or passcodes."""
        kept = [line for line in text.splitlines() if not _PERSONAL.search(line)]
        return scrub_personal("\n".join(kept))


def _span(block: Any, span_class: str) -> str:
    """Return the text of an AddEvent span (newlines kept for the description)."""
    tag = block.select_one(f"span.{span_class}")
    return "\n".join(lines(tag)) if tag is not None else ""


def _stamp(text: str) -> datetime | None:
    """Return the naive local datetime of an AddEvent start/end value, or None."""
    for fmt in _STAMP_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def _is_zone(name: str) -> bool:
    """Return True for a known IANA time-zone name."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return bool(name)


def _label_key(label: str) -> str:
    """Return an audience label without its age range: 'Teens (13-17)' -> 'teens'."""
    return re.sub(r"\s*\(.*?\)\s*", "", label).strip().lower()


def _host_place(title: str) -> dict[str, str]:
    """Return city and state from a title ending 'Meeting #123 Springfield, IL' ({} otherwise)."""
    match = re.search(r"#\d+\s+(.+)$", title)
    return split_address(match[1].split(",")) if match else {}
