"""Open Referral HSDS 3.0 (211 / human-services directories) into Groups (reference/formats.md 7).

Reads the JSON forms (one nested `service`, a bare list, the paged list envelope `contents[]` of
services or of service_at_location objects; the next page is followed) and the tabular package: a
`datapackage.json` URL yields Follows for the tables peerfind needs, one after another
(parse_table), and the last one assembles them (platforms/hsds_csv.py); a local directory is read
by `read_directory()`. One Group per service at a location (or per service without one).

Only services that look like support groups are kept unless options["support_groups_only"] is
False. Only organization and service phones are used (never contacts'); placeholder e-mails and
numbers are dropped; out-of-range coordinates (the official example has latitude 100) are dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from peerfind import vocab
from peerfind.clean import clean_text, is_placeholder_contact, scrub_personal
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page, Schedule
from peerfind.platforms.classify import NOT_SUPPORT, tags
from peerfind.platforms.eventfold import zone_name
from peerfind.platforms.hsds_csv import TABLES, assemble, package_paths, read_rows
from peerfind.platforms.htmltools import with_query
from peerfind.schedule import rrule
from peerfind.scraping import Scraper, SourceConfig

SUPPORT = re.compile(
    r"support group|\bpeer\b|peer[- ](support|led|run)|self[- ]help|mutual aid", re.I
)
_STATUS = {
    "active": vocab.ACTIVE,
    "inactive": vocab.INACTIVE,
    "temporarily closed": vocab.TEMPORARILY_CLOSED,
}
_LANG3 = {
    "eng": "en",
    "spa": "es",
    "fra": "fr",
    "fre": "fr",
    "deu": "de",
    "ger": "de",
    "por": "pt",
    "rus": "ru",
    "zho": "zh",
    "chi": "zh",
    "vie": "vi",
    "kor": "ko",
    "ara": "ar",
    "urd": "ur",
    "pol": "pl",
    "slk": "sk",
    "ita": "it",
    "tgl": "tl",
}
_ZONE = re.compile(
    r"\b(?:America|Europe|Asia|Africa|Australia|Pacific|Atlantic|Indian)/[A-Za-z_]+"
    r"(?:/[A-Za-z_]+)?\b"
)


def _s(value: object) -> str:
    """Return a scalar as stripped text ('' for null, lists and objects)."""
    ok = isinstance(value, (str, int, float)) and not isinstance(value, bool)
    return str(value).strip() if ok else ""


def _dicts(value: object) -> list[dict[str, Any]]:
    """Return the dict items of a list value (anything else -> [])."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    """Return a dict value as it is (anything else -> {})."""
    return value if isinstance(value, dict) else {}


def _clock(value: object) -> str | None:
    """Return 'HH:MM' of an HSDS time ("10:00:00", "19:00-05:00"), or None."""
    match = re.match(r"^(\d{1,2}):(\d{2})", _s(value))
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return f"{int(match[1]):02d}:{match[2]}"


def _phone(value: object) -> str:
    """Return a public phone number without the stray quotes some exports wrap it in."""
    number = _s(value).strip("\"' ")
    return "" if not number or is_placeholder_contact(number) else number


def hsds_schedule(row: dict[str, Any], fallback_day: datetime, zone: str | None) -> Schedule:
    """Return the Schedule of one HSDS schedule object (freq, interval, byday, bymonthday …)."""
    text = scrub_personal(_s(row.get("description")))
    start, end = _clock(row.get("opens_at")), _clock(row.get("closes_at"))
    tz = next((z for z in _ZONE.findall(text) if zone_name(z)), None) or zone
    freq = _s(row.get("freq")).upper()
    if freq not in ("WEEKLY", "MONTHLY"):
        return Schedule(kind="unparsed", start=start, end=end, timezone=tz, text=text)
    parts = [f"FREQ={freq}"]
    interval = _s(row.get("interval"))
    if interval.isdigit() and int(interval) > 1:
        parts.append(f"INTERVAL={int(interval)}")
    if _s(row.get("byday")):
        parts.append("BYDAY=" + re.sub(r"\s+", "", _s(row.get("byday"))).upper())
    elif freq == "MONTHLY" and _s(row.get("bymonthday")):
        parts.append("BYMONTHDAY=" + _s(row.get("bymonthday")).split(",")[0].strip())
    until = re.sub(r"\D", "", _s(row.get("until"))[:10])
    if len(until) == 8:
        parts.append(f"UNTIL={until}")  # HSDS allows UNTIL with COUNT; RFC 5545 does not
    elif _s(row.get("count")).isdigit():
        parts.append(f"COUNT={_s(row.get('count'))}")
    try:
        day = datetime.fromisoformat(_s(row.get("dtstart"))[:10])
    except ValueError:
        day = fallback_day.replace(tzinfo=None)
    hour, minute = (int(start[:2]), int(start[3:])) if start else (0, 0)
    first = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    last = first.replace(hour=int(end[:2]), minute=int(end[3:])) if end and start else None
    made = rrule.from_rrule(";".join(parts), first, last, tz, text=text)
    return made if start else replace(made, start=None, end=None)


def _merge(schedules: list[Schedule]) -> Schedule | None:
    """Return one Schedule for several: weekly rows at the same times merge their days."""
    if not schedules:
        return None
    first = schedules[0]
    if all(
        s.kind == "weekly" and s.interval == 1 and (s.start, s.end) == (first.start, first.end)
        for s in schedules
    ):
        days = tuple(sorted({d for s in schedules for d in s.days}))
        return replace(first, days=days)
    return first


class Hsds(Scraper):
    """An HSDS 3.0 publisher (JSON API or tabular package) that gave peerfind its data."""

    name = "hsds"
    platform = "hsds"

    def __init__(self, config: SourceConfig | None = None) -> None:
        """Create the parser; `_queue` holds the package tables still to fetch."""
        super().__init__(config)
        self._queue: list[tuple[str, str]] = []  # (resource name, URL)
        self._tables: dict[str, str] = {}

    def urls(self) -> tuple[str, ...]:
        """Return the configured URL; a folder URL ending in '/' means its datapackage.json."""
        url = self.config.url
        if url.endswith("/"):
            return (url + "datapackage.json",)
        return (url,) if url else self.start_urls

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Read a JSON page (services or datapackage.json); a CSV page goes to parse_table."""
        if self._queue or page.url.lower().split("?")[0].endswith(".csv"):
            yield from self.parse_table(page)
            return
        data = page.json("HSDS JSON")
        if isinstance(data, dict) and "resources" in data:
            paths = package_paths(data)
            self._queue = [(n, urljoin(page.url, paths[n])) for n in TABLES if n in paths]
            self._tables = {}
            yield Follow(self._queue[0][1], callback="parse_table")
            return
        yield from self._services(page, _services_of(page, data))
        if isinstance(data, dict) and data.get("last_page") is False:
            number = data.get("page_number")
            if isinstance(number, int) and 0 < number < min(
                self.max_pages, _int(data.get("total_pages"))
            ):
                yield Follow(with_query(page.url, page=number + 1))

    def parse_table(self, page: Page) -> Iterator[Group | Follow]:
        """Keep one fetched CSV table; fetch the next, or assemble the package after the last."""
        name = next((n for n, u in self._queue if u == page.url), "")
        if not name:
            base = page.url.rsplit("/", 1)[-1].split("?")[0]
            name = next((n for n, p in TABLES.items() if p == base), "")
        if not name:
            raise ParseError(f"{page.url}: not a table of this HSDS package")
        read_rows(page.text, f"{page.url}")  # fail on the page that is broken
        self._tables[name] = page.text
        self._queue = [(n, u) for n, u in self._queue if n != name]
        if self._queue:
            yield Follow(self._queue[0][1], callback="parse_table")
            return
        tables, self._tables = self._tables, {}
        yield from self._services(page, assemble(tables))

    def read_directory(self, path: str | Path, fetched_at: datetime) -> list[Group]:
        """Return the Groups of a tabular package in a local folder (reads the files itself)."""
        folder = Path(path)
        descriptor = folder / "datapackage.json"
        paths = (
            package_paths(json.loads(descriptor.read_text("utf-8")))
            if descriptor.exists()
            else {n: p for n, p in TABLES.items() if (folder / p).exists()}
        )
        tables = {
            n: (folder / p).read_text("utf-8") for n, p in paths.items() if (folder / p).exists()
        }
        page = Page(url=folder.resolve().as_uri() + "/", text="", fetched_at=fetched_at)
        return [g for g in self._services(page, assemble(tables)) if isinstance(g, Group)]

    def _services(self, page: Page, services: list[Any]) -> Iterator[Group]:
        """Yield the Groups of nested service objects, counting those left out."""
        only_support = self.config.options.get("support_groups_only", True)
        seen: set[str] = set()
        for service in services:
            if (
                not isinstance(service, dict)
                or not clean_text(_s(service.get("id")))
                or not clean_text(_s(service.get("name")))
            ):
                self.report.skip("no id or name")
                continue
            status = _s(service.get("status")).lower()
            if status == "defunct":
                self.report.skip("defunct")
                continue
            terms = [
                _s((a.get("taxonomy_term") or {}).get("name"))
                for a in _dicts(service.get("attributes"))
                if isinstance(a.get("taxonomy_term"), dict)
            ]
            program = _dict(service.get("program"))
            texts = [
                _s(service.get(k))
                for k in ("name", "alternate_name", "description", "eligibility_description")
            ]
            texts += terms + [_s(program.get("name"))]
            if only_support and not any(SUPPORT.search(t) for t in texts if t):
                self.report.skip(NOT_SUPPORT)
                continue
            places = _dicts(service.get("service_at_locations")) or [{}]
            for sal in places:
                key = clean_text(_s(sal.get("id"))) or clean_text(_s(service["id"]))
                if key in seen:
                    self.report.skip("duplicate")
                    continue
                seen.add(key)
                group = self.valid(
                    self._group(page, service, sal, texts, _STATUS.get(status, vocab.ACTIVE))
                )
                if group is not None:
                    yield group

    def _group(
        self,
        page: Page,
        service: dict[str, Any],
        sal: dict[str, Any],
        texts: list[str],
        status: str,
    ) -> Group:
        """Return the Group of one service at one location (`sal` empty when it has none)."""
        org = _dict(service.get("organization"))
        location = _dict(sal.get("location"))
        addresses = _dicts(location.get("addresses"))
        physical = next((a for a in addresses if _s(a.get("address_type")) == "physical"), None)
        area = physical or (addresses[0] if addresses else {})
        rows = _dicts(sal.get("schedules")) or _dicts(service.get("schedules"))
        zone = zone_name(self.config.timezone)
        schedule = _merge([hsds_schedule(r, page.fetched_at, zone) for r in rows]) or Schedule(
            kind="unparsed", text=""
        )
        attending = " ".join(_s(r.get("attending_type")) for r in rows)
        fmt = self._format(
            _s(location.get("location_type")),
            attending,
            bool(physical or (location and _s(location.get("location_type")) != "virtual")),
        )
        pops, topics = tags(*texts)
        phones = _dicts(service.get("phones")) + _dicts(org.get("phones"))
        email = _s(service.get("email")) or _s(org.get("email"))
        langs = {
            _LANG3.get(c, c)
            for c in (_s(x.get("code")).lower() for x in _dicts(service.get("languages")))
            if c
        }
        lat, lon = location.get("latitude"), location.get("longitude")
        return self.group(
            page,
            source_key=clean_text(_s(sal.get("id"))) or _s(service.get("id")),
            name=_s(service.get("name")),
            source_url=_s(service.get("url")) or page.url,
            organization=_s(org.get("name")) or self.config.organization,
            description=scrub_personal(_s(service.get("description"))),
            populations=pops,
            topics=topics,
            languages=tuple(sorted(lang for lang in langs if re.fullmatch(r"[a-z]{2}", lang))),
            cost=_s(service.get("fees_description")),
            format=fmt,
            status=status,
            venue=_s(location.get("name")) if fmt != vocab.ONLINE else "",
            address=", ".join(
                p for p in (_s(area.get("address_1")), _s(area.get("address_2"))) if p
            )
            if physical
            else "",
            city=_s(area.get("city")),
            region=_s(area.get("state_province")),
            postal_code=_s(area.get("postal_code")),
            country=_s(area.get("country")),
            latitude=lat if isinstance(lat, (int, float, str)) else None,
            longitude=lon if isinstance(lon, (int, float, str)) else None,
            geo_precision="exact",
            join_url=_s(location.get("url")) if fmt == vocab.ONLINE else "",
            schedule=schedule,
            phone=next((p for p in (_phone(x.get("number")) for x in phones) if p), ""),
            email="" if is_placeholder_contact(email) else email,
            website=_s(service.get("url")) or _s(org.get("website")),
            source_updated=(_s(service.get("last_modified")) or _s(service.get("assured_date")))[
                :10
            ],
            source_types=tuple(t for t in texts[4:] if t),
            last_verified=_assured(service, page),
        )

    @staticmethod
    def _format(location_type: str, attending: str, has_place: bool) -> str:
        """Return the format from the location type and the free-text attending_type."""
        lower = attending.lower()
        remote = any(w in lower for w in ("online", "virtual", "remote", "video", "zoom"))
        in_person = "in person" in lower or "in-person" in lower
        if location_type == "virtual" or (remote and not has_place and not in_person):
            return vocab.PHONE if "phone" in lower and not remote else vocab.ONLINE
        if has_place and remote:
            return vocab.HYBRID
        return vocab.IN_PERSON


def _assured(service: dict[str, Any], page: Page) -> str:
    """Return the service's `assured_date` (when its information was last checked) as the
    listing's verification date, when it is a real date no later than the page."""
    from peerfind.evidence import plausible

    return plausible(_s(service.get("assured_date"))[:10], page.fetched_at.date())


def _int(value: object) -> int:
    """Return an int for a JSON number, else 0."""
    return value if isinstance(value, int) else 0


def _services_of(page: Page, data: Any) -> list[Any]:
    """Return the nested services of a JSON page: one service, a list, or a paged envelope."""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        out = []
        for item in data["contents"]:
            if isinstance(item, dict) and isinstance(item.get("service"), dict):
                sal = {k: v for k, v in item.items() if k != "service"}
                out.append({**item["service"], "service_at_locations": [sal]})
            else:
                out.append(item)
        return out
    if isinstance(data, dict) and "id" in data and "name" in data:
        return [data]
    if isinstance(data, list):
        return data
    raise ParseError(f"{page.url}: not an HSDS service, list or paged envelope")
