"""BMLT root servers (Narcotics Anonymous) through the semantic JSON API (reference/formats.md 3).

A run starts at `{root}/client_interface/json/?switcher=GetFormats`; that page yields a Follow to
`GetSearchResults` (optionally limited to the service bodies in options["services"], recursively),
carrying the format table in Follow.meta and on the instance. Format key strings are chosen per
server, so they are mapped through their `world_id` (W, M, Y, GL, BEG, WCHR, LANG, VM, HYBR, TC);
the reserved keys VM, HY and TC and the stock keys are known even without a format table.
Every value in a BMLT response is a string; contact_* fields are never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from peerfind import vocab
from peerfind.clean import clean_text, scrub_personal
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page, Schedule
from peerfind.platforms.eventfold import zone_name
from peerfind.platforms.meeting_guide import strip_secrets
from peerfind.platforms.mg_types import PROGRAM_TOPICS
from peerfind.scraping import Scraper, SourceConfig

API = "/client_interface/json/"
FIELDS = (
    "id_bigint",
    "worldid_mixed",
    "service_body_bigint",
    "weekday_tinyint",
    "venue_type",
    "start_time",
    "duration_time",
    "time_zone",
    "formats",
    "lang_enum",
    "longitude",
    "latitude",
    "meeting_name",
    "location_text",
    "location_info",
    "location_street",
    "location_neighborhood",
    "location_city_subsection",
    "location_municipality",
    "location_sub_province",
    "location_province",
    "location_postal_code_1",
    "location_nation",
    "comments",
    "virtual_meeting_link",
    "phone_meeting_number",
    "virtual_meeting_additional_info",
    "published",
    "root_server_uri",
    "format_shared_id_list",
)
# Stock key string -> world id, for servers whose GetFormats page is missing or incomplete.
STOCK_KEYS = {
    "B": "BEG",
    "GL": "GL",
    "M": "M",
    "W": "W",
    "WC": "WCHR",
    "YP": "Y",
    "VM": "VM",
    "HY": "HYBR",
    "TC": "TC",
    "C": "CLOSED",
    "O": "OPEN",
    "ES": "LANG",
    "SL": "",
}
# world id -> (populations, accessibility)
WORLD_TAGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "W": (("women",), ()),
    "M": (("men",), ()),
    "Y": (("young_adults",), ()),
    "GL": (("lgbtq",), ()),
    "BEG": (("newcomers",), ()),
    "WCHR": ((), ("wheelchair",)),
}
LANG_WORDS = {
    "es": "es",
    "sp": "es",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "en": "en",
    "eng": "en",
    "english": "en",
    "english speaking": "en",
    "fr": "fr",
    "french": "fr",
    "français": "fr",
    "de": "de",
    "german": "de",
    "deutsch": "de",
    "fin": "fi",
    "finnish": "fi",
    "per": "fa",
    "persian": "fa",
    "farsi": "fa",
    "pt": "pt",
    "portuguese": "pt",
    "ru": "ru",
    "russian": "ru",
    "pl": "pl",
    "polish": "pl",
    "it": "it",
    "italian": "it",
    "ar": "ar",
    "arabic": "ar",
    "zh": "zh",
    "chinese": "zh",
    "vi": "vi",
    "vietnamese": "vi",
}
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*$")


def _minutes(value: object) -> int | None:
    """Return minutes of a BMLT "HH:MM:SS" value (start or duration; "24:00:00" allowed)."""
    match = _TIME.match(str(value)) if isinstance(value, (str, int)) else None
    if not match or int(match[1]) > 24 or int(match[2]) > 59:
        return None
    return int(match[1]) * 60 + int(match[2])


def _hhmm(minutes: int) -> str:
    """Return 'HH:MM' of minutes since midnight, rolling over midnight."""
    minutes %= 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _s(row: dict[str, Any], key: str) -> str:
    """Return a BMLT field as stripped text (numbers accepted; lists and objects ignored)."""
    value = row.get(key)
    ok = isinstance(value, (str, int, float)) and not isinstance(value, bool)
    return str(value).strip() if ok else ""


def root_of(url: str) -> str:
    """Return the root server URL of a configured root or semantic API URL."""
    return url.split("/client_interface/", 1)[0].rstrip("/")


class Bmlt(Scraper):
    """One BMLT root server (or some of its service bodies, via options["services"])."""

    name = "bmlt"
    platform = "bmlt"

    def __init__(self, config: SourceConfig | None = None) -> None:
        """Create the parser; `formats` maps a server's key strings to format rows."""
        super().__init__(config)
        self.formats: dict[str, dict[str, str]] = {}

    def urls(self) -> tuple[str, ...]:
        """Return the GetFormats URL of the configured root (a full semantic URL is kept)."""
        url = self.config.url or (self.start_urls[0] if self.start_urls else "")
        if not url or "switcher=" in url:
            return (url,) if url else ()
        return (f"{root_of(url)}{API}?switcher=GetFormats",)

    def search_url(self, root: str) -> str:
        """Return the GetSearchResults URL: wanted fields only, services (recursive) if set."""
        params: list[tuple[str, str]] = [
            ("switcher", "GetSearchResults"),
            ("data_field_key", ",".join(FIELDS)),
        ]
        services = self.config.options.get("services")
        if isinstance(services, (str, int)):
            services = [s for s in str(services).split(",") if s.strip()]
        if services:
            params += [("services[]", str(s).strip()) for s in services] + [("recursive", "1")]
        return f"{root}{API}?{urlencode(params, safe=',[]')}"

    def parse(
        self, page: Page, formats: dict[str, dict[str, str]] | None = None
    ) -> Iterator[Group | Follow]:
        """Read a GetFormats page (-> Follow to the meetings) or a GetSearchResults page.

        The runner calls parse(page, **follow.meta), so the format table arrives as `formats`.
        """
        data = page.json("BMLT JSON")
        if "GetFormats" in page.url:
            if not isinstance(data, list):
                raise ParseError(f"{page.url}: GetFormats did not return a list")
            self.formats = {
                _s(f, "key_string"): {k: _s(f, k) for k in f}
                for f in data
                if isinstance(f, dict) and _s(f, "key_string")
            }
            yield Follow(self.search_url(root_of(page.url)), meta={"formats": self.formats})
            return
        if isinstance(formats, dict) and formats:
            self.formats = formats
        if isinstance(data, dict) and isinstance(data.get("meetings"), list):
            if isinstance(data.get("formats"), list):  # get_used_formats=1
                self.formats.update(
                    {
                        _s(f, "key_string"): {k: _s(f, k) for k in f}
                        for f in data["formats"]
                        if isinstance(f, dict)
                    }
                )
            data = data["meetings"]
        if not isinstance(data, list):
            raise ParseError(f"{page.url}: GetSearchResults did not return a list of meetings")
        seen: set[str] = set()
        for row in data:
            if not isinstance(row, dict):
                self.report.skip("not an object")
                continue
            key = clean_text(_s(row, "id_bigint"))
            if not key or not clean_text(_s(row, "meeting_name")):
                self.report.skip("no id or name")
                continue
            if key in seen:
                self.report.skip("duplicate id")
                continue
            seen.add(key)
            if _s(row, "published") == "0":
                self.report.skip("unpublished")
                continue
            group = self._meeting(page, row, key)
            if group is not None:
                yield group

    def _world(self, key: str) -> tuple[str, str, str]:
        """Return (world id, name, type) of a format key string on this server."""
        row = self.formats.get(key)
        if row is None:
            return STOCK_KEYS.get(key, ""), "", ""
        return (
            row.get("world_id", "").upper(),
            row.get("name_string", ""),
            row.get("format_type_enum", ""),
        )

    def _tags(self, keys: list[str]) -> tuple[set[str], set[str], set[str], set[str]]:
        """Return (world ids, populations, languages, accessibility) of a meeting's formats."""
        worlds, pops, langs, access = set[str](), set[str](), set[str](), set[str]()
        for key in keys:
            world, fname, ftype = self._world(key)
            worlds.add(world or key.upper())
            p, a = WORLD_TAGS.get(world, ((), ()))
            pops.update(p)
            access.update(a)
            if key.upper() in ("SL", "ASL") or re.search(r"\bASL\b|sign language", fname, re.I):
                access.add("asl")
                pops.add("deaf_hoh")
            if world == "LANG" or ftype == "LANG":
                lang = LANG_WORDS.get(key.lower()) or LANG_WORDS.get(fname.strip().lower())
                if lang:
                    langs.add(lang)
        return worlds, pops, langs, access

    def _meeting(self, page: Page, row: dict[str, Any], key: str) -> Group | None:
        """Return the Group of one meeting row, or None (counted) when its day or time is bad."""
        day, start = _s(row, "weekday_tinyint"), _minutes(row.get("start_time"))
        if not day.isdigit() or not 1 <= int(day) <= 7 or start is None or start >= 1440:
            self.report.skip("invalid day or time")
            return None
        duration = _minutes(row.get("duration_time"))
        end = _hhmm(start + duration) if duration else None
        keys = [k.strip() for k in _s(row, "formats").split(",") if k.strip()]
        worlds, pops, langs, access = self._tags(keys)
        lang = _s(row, "lang_enum").lower()
        if re.fullmatch(r"[a-z]{2}", lang) and lang != "en":
            langs.add(lang)
        link = _s(row, "virtual_meeting_link")
        phone = _s(row, "phone_meeting_number")
        fmt = self._format(_s(row, "venue_type"), worlds, bool(link), bool(phone))
        closed = "TC" in worlds and fmt in (vocab.IN_PERSON, vocab.HYBRID)
        if closed and fmt == vocab.HYBRID:
            fmt = vocab.PHONE if phone and not link else vocab.ONLINE
            closed = False
        schedule = Schedule(
            kind="weekly",
            days=(int(day) - 1,),
            start=_hhmm(start),
            end=end,
            timezone=zone_name(_s(row, "time_zone")),
            text=f"{vocab.DAY_NAMES[int(day) - 1]}s {_hhmm(start)}" + (f"–{end}" if end else ""),
        )
        virtual = fmt in (vocab.ONLINE, vocab.PHONE)
        topics = PROGRAM_TOPICS.get(self.config.program or "na", ((), ("substance_use",)))
        notes = "\n".join(p for p in (_s(row, "comments"), _s(row, "location_info")) if p)
        root = root_of(page.url)
        return self.valid(
            self.group(
                page,
                source_key=key,
                name=_s(row, "meeting_name"),
                source_url=f"{root}{API}?switcher=GetSearchResults&meeting_ids[]={key}",
                description=scrub_personal(notes),
                populations=tuple(sorted(pops)) + topics[0],
                topics=topics[1],
                languages=tuple(sorted(langs)),
                accessibility=tuple(sorted(access)),
                format=fmt,
                status=vocab.TEMPORARILY_CLOSED if closed and not virtual else vocab.ACTIVE,
                venue="" if virtual else _s(row, "location_text"),
                address="" if virtual else _s(row, "location_street"),
                city=_s(row, "location_municipality") or _s(row, "location_city_subsection"),
                region=_s(row, "location_province"),
                postal_code=_s(row, "location_postal_code_1"),
                country=_s(row, "location_nation"),
                latitude=_s(row, "latitude") or None,
                longitude=_s(row, "longitude") or None,
                geo_precision="city" if virtual else "exact",
                join_url=strip_secrets(link) if link else "",
                join_phone=phone.split(",")[0].strip(),
                join_notes=scrub_personal(_s(row, "virtual_meeting_additional_info")),
                schedule=schedule,
                source_types=tuple(keys),
            )
        )

    @staticmethod
    def _format(venue_type: str, worlds: set[str], link: bool, phone: bool) -> str:
        """Return the format: venue_type is authoritative, the VM/HYBR formats a fallback."""
        if venue_type == "3" or (venue_type not in ("1", "2") and "HYBR" in worlds):
            return vocab.HYBRID
        if venue_type == "2" or (venue_type != "1" and "VM" in worlds):
            return vocab.PHONE if phone and not link else vocab.ONLINE
        return vocab.IN_PERSON
