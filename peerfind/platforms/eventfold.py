"""Turn calendar events (TEC REST, iCalendar, schema.org JSON-LD) into Groups.

The three event platforms read their own format into `Event`s; `build_groups()` then does what they
share: keep only support groups (platforms/classify.py), fold the expanded instances of one series
(same title + venue + weekday + local time) into a recurring schedule with rrule.fold_dates,
turn cancelled instances into exdates, drop one-off events that are over, and build the Groups.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peerfind import vocab
from peerfind.clean import clean_text, scrub_personal
from peerfind.models import Group, Page, Schedule
from peerfind.platforms.classify import Verdict, classify
from peerfind.platforms.meeting_guide import strip_secrets
from peerfind.schedule import rrule
from peerfind.scraping import Scraper

_JOIN = re.compile(
    r"https?://[^\s\"'<>]*(zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|"
    r"teams\.live\.com|webex\.com|gotomeeting\.com|whereby\.com|jit\.si)[^\s\"'<>]*",
    re.I,
)
_ONLINE_WORDS = re.compile(r"\b(online|virtual|zoom|webex|google meet|teams)\b", re.I)
_TEC_DATE_URL = re.compile(r"^(?P<base>.+?/)(?P<day>\d{4}-\d{2}-\d{2})/?$")
COUNTRY_WORDS = {
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "us": "US",
    "u.s.a.": "US",
    "canada": "CA",
    "united kingdom": "GB",
    "uk": "GB",
    "ireland": "IE",
    "australia": "AU",
    "new zealand": "NZ",
    "germany": "DE",
    "deutschland": "DE",
    "switzerland": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "austria": "AT",
    "österreich": "AT",
    "france": "FR",
    "netherlands": "NL",
    "mexico": "MX",
    "méxico": "MX",
}


def to_float(value: object) -> float | None:
    """Return a number from a feed (a number or a numeric string) as a float, or None."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return None if math.isnan(number) else number


def country_code(text: str) -> str:
    """Return the ISO code for a country name seen in event feeds ("Schweiz" -> "CH"), else text."""
    return COUNTRY_WORDS.get(text.strip().lower(), text.strip())


def zone_name(name: object) -> str | None:
    """Return an IANA zone name when it names a zone this machine knows, else None."""
    text = str(name or "").strip()
    if not text:
        return None
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return text


@dataclass
class Event:
    """One calendar entry as the event platforms read it, before classification and folding.

    `start`/`end` are local wall-clock datetimes (naive) in `timezone`, or dates for all-day events.
    `schedule` is set when the source itself gives a recurrence (RRULE, eventSchedule).
    """

    key: str
    title: str
    start: datetime | date | None = None
    end: datetime | date | None = None
    timezone: str | None = None
    url: str = ""
    description: str = ""
    categories: tuple[str, ...] = ()
    venue: str = ""
    address: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    fmt: str = ""  # set when the source states it (attendance mode, TEC venue [] = online)
    join_url: str = ""
    cancelled: bool = False
    schedule: Schedule | None = None
    updated: str = ""
    cost: str = ""
    organization: str = ""
    website: str = ""
    phone: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def html_text(value: object) -> str:
    """Return plain text from an HTML fragment or entity-laden string (bs4 only for real markup).

    Numbers become text; null, booleans, lists and objects become ''.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    text = str(value)
    if "<" in text and ">" in text:
        from bs4 import BeautifulSoup

        text = BeautifulSoup(text, "html.parser").get_text("\n")
    return html.unescape(text).strip()


def find_join_url(*texts: str) -> str:
    """Return the first video-meeting link in the texts, without its query (passcodes), or ''."""
    for text in texts:
        match = _JOIN.search(text or "")
        if match:
            return strip_secrets(match.group(0).rstrip(".,;)"))
    return ""


def series_url(url: str) -> str:
    """Return a TEC instance URL without its trailing /YYYY-MM-DD/ (the series page), else ''."""
    match = _TEC_DATE_URL.match(url or "")
    return match["base"] if match else ""


def _local_parts(ev: Event) -> tuple[str, int, str]:
    """Return (ISO date, weekday 0 = Sunday, 'HH:MM' or 'all-day') of an event's start."""
    start = ev.start
    day = start.date() if isinstance(start, datetime) else start
    assert isinstance(day, date)
    clock = start.strftime("%H:%M") if isinstance(start, datetime) else "all-day"
    return day.isoformat(), (day.weekday() + 1) % 7, clock


def _norm(text: str) -> str:
    """Return text lower-cased with runs of non-alphanumerics collapsed (for fold keys)."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def fold_key(ev: Event) -> str:
    """Return the series key of an instance: title, venue, weekday and local start time."""
    _, weekday, clock = _local_parts(ev)
    place = _norm(ev.venue or ev.address) or ("online" if ev.fmt == vocab.ONLINE else "")
    return f"{_norm(ev.title)}|{place}|{vocab.DAY_ABBR[weekday]}|{clock}"


def _format(ev: Event) -> str:
    """Return the group's format: stated by the source, else from the place and join details."""
    if ev.fmt:
        return ev.fmt
    has_place = bool(ev.address or (ev.venue and not _ONLINE_WORDS.search(ev.venue)))
    said = Scraper.detect_format(f"{ev.title} {ev.venue}")
    if has_place:
        return vocab.HYBRID if ev.join_url or said == vocab.HYBRID else vocab.IN_PERSON
    if ev.join_url or _ONLINE_WORDS.search(f"{ev.title} {ev.venue} {ev.description}"):
        return vocab.ONLINE
    return vocab.IN_PERSON


def _end_time(ev: Event) -> str | None:
    """Return the local 'HH:MM' end of a timed event (None for all-day or missing ends)."""
    if isinstance(ev.start, datetime) and isinstance(ev.end, datetime):
        end = ev.end.strftime("%H:%M")
        return end if end != ev.start.strftime("%H:%M") else None
    return None


def _as_datetime(value: datetime | date) -> datetime:
    """Return a date as midnight (all-day instances fold by date)."""
    return value if isinstance(value, datetime) else datetime.combine(value, time(0, 0))


def _fold(instances: list[Event]) -> Schedule:
    """Return the schedule of one series' instances; cancelled instances become exdates."""
    first = instances[0]
    dates = [_as_datetime(ev.start) for ev in instances if ev.start is not None]
    folded = rrule.fold_dates(dates, first.timezone)
    cancelled = {_local_parts(ev)[0] for ev in instances if ev.cancelled}
    if folded.kind == "once":
        folded = replace(folded, dates=tuple(d for d in folded.dates if d not in cancelled))
    else:
        folded = replace(folded, exdates=tuple(sorted(set(folded.exdates) | cancelled)))
    if isinstance(first.start, datetime):
        live = next(ev for ev in instances if not ev.cancelled)
        folded = replace(folded, end=_end_time(live))
    else:
        folded = replace(folded, start=None, end=None)
    return folded


def _is_over(schedule: Schedule, today: date) -> bool:
    """Return True for a schedule with no meeting on or after `today` (past one-offs, ended)."""
    if schedule.kind == "once":
        return all(d < today.isoformat() for d in schedule.dates)
    return bool(schedule.until) and str(schedule.until) < today.isoformat()


def build_groups(scraper: Scraper, page: Page, events: list[Event]) -> Iterator[Group]:
    """Yield the Groups for a page's events, counting every event left out in scraper.report.

    Config options read: `all_events` (keep events that do not look like support groups),
    `keywords` / `skip_keywords` (extra words for the classifier).
    """
    opts = scraper.config.options
    verdicts: dict[int, Verdict] = {}
    series: dict[str, list[Event]] = {}
    for ev in events:
        if not clean_text(ev.title):
            scraper.report.skip("no title")
            continue
        verdict = classify(
            ev.title,
            ev.categories,
            ev.description,
            extra_keywords=_words(opts.get("keywords")),
            extra_skips=_words(opts.get("skip_keywords")),
            keep_all=bool(opts.get("all_events")),
        )
        if not verdict.keep:
            scraper.report.skip(verdict.reason)
            continue
        if ev.schedule is None and ev.start is None:
            scraper.report.skip("no date")
            continue
        verdicts[id(ev)] = verdict
        key = f"rule|{ev.key}" if ev.schedule is not None else fold_key(ev)
        series.setdefault(key, []).append(ev)
    seen: set[str] = set()
    today = page.fetched_at.date()
    for key, instances in series.items():
        instances.sort(key=lambda e: _as_datetime(e.start) if e.start else datetime.min)
        if all(ev.cancelled for ev in instances):
            scraper.report.skip("cancelled", len(instances))
            continue
        first = instances[0]
        schedule = first.schedule if first.schedule is not None else _fold(instances)
        if _is_over(schedule, today):
            scraper.report.skip("over", len(instances))
            continue
        live = [ev for ev in instances if not ev.cancelled]
        base = series_url(live[0].url)
        if len(instances) > 1 and base and all(series_url(ev.url) == base for ev in live):
            source_key, source_url = base, base
        elif len(instances) > 1:
            source_key, source_url = "series:" + key, live[0].url
        else:
            source_key, source_url = first.key, first.url
        if not clean_text(source_key):
            scraper.report.skip("no id", len(instances))
            continue
        if source_key in seen:
            scraper.report.skip("duplicate", len(instances))
            continue
        seen.add(source_key)
        group = scraper.valid(
            _group(scraper, page, live[0], verdicts[id(first)], schedule, source_key, source_url)
        )
        if len(instances) > 1:
            scraper.report.skip("folded into a series", len(instances) - 1)
        if group is not None:
            yield group


def _group(
    scraper: Scraper,
    page: Page,
    ev: Event,
    verdict: Verdict,
    schedule: Schedule,
    source_key: str,
    source_url: str,
) -> Group:
    """Return the Group for one event or folded series."""
    fmt = _format(ev)
    has_coords = ev.latitude is not None and ev.longitude is not None
    precision = "none" if not has_coords else ("city" if fmt == vocab.ONLINE else "exact")
    values: dict[str, object] = {
        "source_key": source_key,
        "name": ev.title,
        "source_url": source_url or page.url,
        "description": scrub_personal(ev.description),
        "populations": verdict.populations,
        "topics": verdict.topics,
        "format": fmt,
        "venue": "" if fmt == vocab.ONLINE and _ONLINE_WORDS.search(ev.venue) else ev.venue,
        "address": ev.address,
        "city": ev.city,
        "region": ev.region,
        "postal_code": ev.postal_code,
        "country": ev.country,
        "latitude": ev.latitude,
        "longitude": ev.longitude,
        "geo_precision": precision,
        "join_url": ev.join_url,
        "schedule": schedule,
        "cost": ev.cost,
        "website": ev.website,
        "phone": ev.phone,
        "source_updated": ev.updated,
        "source_types": ev.categories,
    }
    if ev.organization:
        values["organization"] = ev.organization
    return scraper.group(page, **values)


def _words(value: object) -> tuple[str, ...]:
    """Return a config option given as a list or a comma-separated string as a tuple of words."""
    if isinstance(value, str):
        return tuple(w.strip() for w in value.split(",") if w.strip())
    if isinstance(value, (list, tuple)):
        return tuple(str(w).strip() for w in value if str(w).strip())
    return ()
