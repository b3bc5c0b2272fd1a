"""Property tests: every platform parser either yields valid Groups or raises ParseError.

For each parser registered in peerfind.platforms.platforms(), arbitrary bytes, arbitrary JSON,
JSON shaped like the formats (objects with the fields the parsers read) and for the text formats
arbitrary iCalendar lines and JSON-LD blocks must produce only Groups whose problems() is empty,
Follow requests, or a peerfind.errors.ParseError; any other exception is a bug.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page
from peerfind.platforms import platform_class, platforms
from peerfind.scraping import SourceConfig

FETCHED = datetime(2026, 8, 21, 12, 0, tzinfo=UTC)
# The URL each parser is pointed at (BMLT reads both of its pages; its switcher picks the reader).
URLS = {
    "bmlt": (
        "https://bmlt.example.org/main_server/client_interface/json/?switcher=GetFormats",
        "https://bmlt.example.org/main_server/client_interface/json/?switcher=GetSearchResults",
    ),
    "hsds": ("https://hsds.example.org/services", "https://hsds.example.org/datapackage.json"),
}
FIELDS = sorted(
    {
        # Meeting Guide
        "name",
        "slug",
        "day",
        "time",
        "end_time",
        "timezone",
        "address",
        "city",
        "state",
        "postal_code",
        "latitude",
        "longitude",
        "approximate",
        "types",
        "conference_url",
        "conference_phone",
        "attendance_option",
        "formatted_address",
        "coordinates",
        "updated",
        # BMLT
        "id_bigint",
        "meeting_name",
        "weekday_tinyint",
        "start_time",
        "duration_time",
        "time_zone",
        "venue_type",
        "formats",
        "virtual_meeting_link",
        "phone_meeting_number",
        "published",
        "key_string",
        "world_id",
        "format_type_enum",
        "meetings",
        "lang_enum",
        # TEC / JSON-LD
        "events",
        "next_rest_url",
        "id",
        "title",
        "start_date",
        "end_date",
        "utc_start_date",
        "utc_end_date",
        "all_day",
        "venue",
        "categories",
        "tags",
        "hide_from_listings",
        "status",
        "description",
        "url",
        "geo_lat",
        "geo_lng",
        "@type",
        "@graph",
        "startDate",
        "endDate",
        "location",
        "eventSchedule",
        "byDay",
        "repeatFrequency",
        "startTime",
        "eventStatus",
        "eventAttendanceMode",
        "geo",
        # HSDS
        "contents",
        "service",
        "service_at_locations",
        "schedules",
        "freq",
        "byday",
        "interval",
        "opens_at",
        "closes_at",
        "phones",
        "number",
        "languages",
        "code",
        "resources",
        "path",
        "last_page",
        "page_number",
        "total_pages",
        "organization",
        "addresses",
        "location_type",
    }
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "1",
            "7",
            "2",
            "3",
            "19:00:00",
            "01:30:00",
            "24:00:00",
            "23:59",
            "2026-09-01 19:00:00",
            "2026-09-01T19:00:00-05:00",
            "Europe/Berlin",
            "VM,HY,TC,W",
            "WEEKLY",
            "MONTHLY",
            "TH,2SA,-1FR",
            "P1W",
            "Monday",
            "https://zoom.us/j/1?pwd=x",
            "support group",
            "publish",
            "Event",
        ]
    )
)
any_json = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(FIELDS), inner, max_size=5)
    ),
    max_leaves=25,
)
shaped = st.recursive(
    st.dictionaries(st.sampled_from(FIELDS), scalars, max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=6)
    ),
    max_leaves=30,
)
ics_lines = st.lists(
    st.sampled_from(
        [
            "BEGIN:VEVENT",
            "END:VEVENT",
            "SUMMARY:Peer support group",
            "SUMMARY:*CANCELED* x",
            "DTSTART:20260901T190000Z",
            "DTSTART;TZID=America/Chicago:20260901T190000",
            "DTSTART;VALUE=DATE:20260901",
            "DTSTART:2026garbage",
            "DTEND:20260901T200000",
            "RRULE:FREQ=WEEKLY;BYDAY=TH",
            "RRULE:FREQ=MONTHLY;BYDAY=-1SA",
            "RRULE:FREQ=YEARLY;BYYEARDAY=3",
            "RRULE:garbage",
            "EXDATE:20260908T190000Z",
            "RECURRENCE-ID:20260908T190000Z",
            "STATUS:CANCELLED",
            "UID:a",
            "UID:b",
            "LOCATION:Hall\\, 1 Main St\\, Springfield\\, IL\\, 62701\\, United States",
            "LOCATION:NC",
            "GEO:40.1;-89.2",
            "GEO:x",
            "URL:https://e.org/e/2026-09-01/",
            "CATEGORIES:Support Groups",
            "DURATION:PT1H",
            "X-WR-TIMEZONE:Nowhere/Else",
        ]
    )
    | st.text(max_size=20),
    max_size=25,
)


def _maybe(good: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Return a strategy giving mostly plausible values, sometimes (1 in 10) arbitrary ones."""
    return st.integers(0, 9).flatmap(lambda n: good if n else scalars)


def _record(
    required: dict[str, st.SearchStrategy[object]], extra: tuple[str, ...] = ()
) -> st.SearchStrategy[dict[str, object]]:
    """Return a strategy for one record: plausible required fields plus some arbitrary ones."""
    return st.fixed_dictionaries(
        {k: _maybe(v) for k, v in required.items()}, optional=dict.fromkeys(extra, any_json)
    )


hhmm = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
stamp = st.builds(lambda d, t: f"2026-{d:%m-%d} {t}:00", st.dates(), hhmm)
# Characters the cleaner must remove: C0/C1 controls, ESC, bidi controls, zero width space, BOM,
# word joiner and invisible operators (U+2060-2064), tag characters (U+E0000-E007F).
INVISIBLE = (
    "\x00\x07\x1b\x7f\x85\x9b\x9d\u061c\u200b\u200e\u202a\u202e\u2060\u2061"
    "\u2062\u2063\u2064\u2066\u2069\ufeff\U000e0000\U000e0001\U000e0041\U000e007f"
)
hidden = st.text(alphabet=st.sampled_from(INVISIBLE + "ab =+@-1\t\n"), max_size=30)
words = (
    st.sampled_from(
        [
            "Peer Support Group",
            "Family Support Group",
            "Gala",
            "Board meeting",
            "LGBTQ+ Connection",
            "Veterans grief group",
            "Yoga",
        ]
    )
    | st.text(max_size=20)
    | st.builds(lambda a, b: a + "group" + b, hidden, hidden)
)
zones = st.sampled_from(["America/New_York", "Europe/Berlin", "UTC", "", "Not/AZone"])
RECORDS: dict[str, st.SearchStrategy[object]] = {
    "meeting-guide": st.lists(
        _record(
            {
                "name": words,
                "slug": st.text(min_size=1, max_size=8) | st.integers(),
                "day": st.integers(0, 6) | st.lists(st.integers(-1, 8), max_size=3),
                "time": hhmm,
                "end_time": hhmm,
                "types": st.lists(st.sampled_from(["W", "ONL", "TC", "X", "S"])),
                "timezone": zones,
                "latitude": st.floats(-200, 200),
                "longitude": st.floats(-200, 200),
                "approximate": st.sampled_from(["yes", "no", True]),
                "address": st.text(max_size=20),
                "conference_url": st.sampled_from(
                    ["https://zoom.us/j/1?pwd=2", "javascript:x", ""]
                ),
                "attendance_option": st.sampled_from(["in_person", "online", "hybrid", "inactive"]),
            },
            ("conference_phone", "coordinates", "updated"),
        ),
        max_size=4,
    ),
    "bmlt": st.lists(
        _record(
            {
                "id_bigint": st.integers(0, 99999).map(str),
                "meeting_name": words,
                "weekday_tinyint": st.integers(0, 8).map(str),
                "start_time": hhmm.map(lambda t: t + ":00"),
                "duration_time": st.sampled_from(["01:00:00", "24:00:00", "", "1:30"]),
                "venue_type": st.sampled_from(["1", "2", "3", "4", ""]),
                "formats": st.sampled_from(["VM", "HY,W", "TC,WC", "ES,SL,YP", ""]),
                "time_zone": zones,
                "latitude": st.floats(-200, 200).map(str),
                "longitude": st.floats(-200, 200).map(str),
                "phone_meeting_number": st.sampled_from(["", "+1 555 0100,,123#"]),
                "virtual_meeting_link": st.sampled_from(["", "https://zoom.us/j/1?pwd=2"]),
            },
            ("published", "virtual_meeting_additional_info", "location_street", "contact_name_1"),
        ),
        max_size=4,
    ),
    "tribe-events": st.fixed_dictionaries(
        {
            "events": st.lists(
                _record(
                    {
                        "id": st.integers(1, 10**6),
                        "title": words,
                        "utc_start_date": stamp,
                        "utc_end_date": stamp,
                        "start_date": stamp,
                        "timezone": zones,
                        "all_day": st.booleans(),
                        "url": st.sampled_from(["https://e.org/e/x/2026-09-01/", ""]),
                        "venue": st.just([])
                        | st.fixed_dictionaries(
                            {
                                "venue": words,
                                "address": st.text(max_size=15),
                                "geo_lat": st.floats(-200, 200),
                                "geo_lng": st.floats(-200, 200),
                            }
                        ),
                        "categories": st.lists(st.fixed_dictionaries({"name": words}), max_size=2),
                    },
                    ("hide_from_listings", "status", "description", "cost"),
                ),
                max_size=5,
            )
        }
    ),
    "jsonld": st.lists(
        _record(
            {
                "@type": st.sampled_from(["Event", "EventSeries", "SocialEvent", "Organization"]),
                "name": words,
                "startDate": st.sampled_from(
                    ["2026-09-01T19:00:00-05:00", "2026-09-01", "2026-09-01T19:00:00Z"]
                ),
                "eventSchedule": st.fixed_dictionaries(
                    {
                        "byDay": st.sampled_from(
                            ["Monday", "https://schema.org/Sunday", ["MO", "x"]]
                        ),
                        "repeatFrequency": st.sampled_from(["P1W", "P2W", "P1M", "P1D", "weird"]),
                        "startTime": hhmm,
                        "byMonthWeek": st.integers(-2, 6),
                    }
                ),
                "location": st.text(max_size=20)
                | st.fixed_dictionaries({"@type": st.just("Place"), "name": words}),
            },
            ("eventStatus", "eventAttendanceMode", "endDate", "url"),
        ),
        max_size=4,
    ),
    "hsds": st.lists(
        _record(
            {
                "id": st.uuids().map(str),
                "name": words,
                "description": words,
                "status": st.sampled_from(["active", "defunct", "temporarily closed"]),
                "schedules": st.lists(
                    st.fixed_dictionaries(
                        {
                            "freq": st.sampled_from(["WEEKLY", "MONTHLY", "DAILY"]),
                            "byday": st.sampled_from(["TH,FR", "2TU,4TU", "-1FR", "XX"]),
                            "interval": st.integers(0, 3),
                            "opens_at": hhmm,
                            "closes_at": hhmm,
                            "until": st.sampled_from(["2030-01-01", "", "x"]),
                            "count": st.integers(0, 3),
                        }
                    ),
                    max_size=2,
                ),
                "service_at_locations": st.lists(
                    st.fixed_dictionaries(
                        {
                            "id": st.uuids().map(str),
                            "location": st.fixed_dictionaries(
                                {
                                    "location_type": st.sampled_from(["physical", "virtual"]),
                                    "latitude": st.floats(-200, 200),
                                    "name": words,
                                }
                            ),
                        }
                    ),
                    max_size=2,
                ),
            },
            ("phones", "languages", "organization", "attributes"),
        ),
        max_size=3,
    ),
}
RECORDS["css"] = RECORDS["meeting-guide"]
vevent = st.lists(
    st.sampled_from(
        [
            "SUMMARY:Peer support group",
            "DTSTART:20260901T190000Z",
            "DTEND:20260901T200000Z",
            "DTSTART;TZID=America/Chicago:20260901T190000",
            "DTSTART;VALUE=DATE:20260901",
            "RRULE:FREQ=WEEKLY;BYDAY=TH",
            "RRULE:FREQ=MONTHLY;BYDAY=2SA,4SA",
            "RRULE:COUNT=0",
            "EXDATE:20260908T190000Z",
            "RECURRENCE-ID:20260908T190000Z",
            "STATUS:CANCELLED",
            "UID:a",
            "LOCATION:Hall\\, 1 Main St\\, Springfield\\, IL\\, 62701",
            "GEO:40.1;-89.2",
            "URL:https://e.org/e/x/2026-09-01/",
            "CATEGORIES:Support Groups",
        ]
    ),
    min_size=1,
    max_size=8,
).map(lambda props: ["BEGIN:VEVENT", *props, "END:VEVENT"])


def _page(url: str, text: str, content: bytes | None = None) -> Page:
    """Return a Page as the fetcher would make it."""
    return Page(
        url=url,
        text=text,
        fetched_at=FETCHED,
        content=content if content is not None else text.encode(),
    )


# Parsers that need configuration to run at all get a fixed, valid one instead of fuzz options.
FIXED_OPTIONS = {
    "css": {
        "block": "li, div, tr",
        "name": "h2, h3, a, td",
        "schedule": "p, span",
        "address": "address, p",
        "join": "a",
    }
}


def _check(name: str, page: Page, **options: object) -> None:
    """Parse `page` with a fresh parser: valid Groups and Follows, or ParseError, nothing else."""
    opts = FIXED_OPTIONS.get(name, options)
    scraper = platform_class(name)(SourceConfig(name="fuzz", platform=name, options=dict(opts)))
    try:
        items = list(scraper.parse(page))
    except ParseError:
        return
    for item in items:
        assert isinstance(item, (Group, Follow))
        if isinstance(item, Group):
            assert item.problems() == [], (item, item.problems())
            texts = [v for v in vars(item).values() if isinstance(v, str)]
            assert not any(c in INVISIBLE.replace("\x85", "") for t in texts for c in t), item


def _urls(name: str) -> tuple[str, ...]:
    """Return the URLs to try for a platform."""
    return URLS.get(name, (f"https://{name}.example.org/feed",))


FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("name", sorted(platforms()))
@FUZZ
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes(name: str, data: bytes) -> None:
    for url in _urls(name):
        _check(name, _page(url, data.decode("utf-8", "replace"), data))


@pytest.mark.parametrize("name", sorted(platforms()))
@FUZZ
@given(value=any_json)
def test_arbitrary_json(name: str, value: object) -> None:
    text = json.dumps(value)
    for url in _urls(name):
        _check(name, _page(url, text))


@pytest.mark.parametrize("name", sorted(platforms()))
@FUZZ
@given(value=shaped, keep_all=st.booleans())
def test_json_shaped_like_the_formats(name: str, value: object, keep_all: bool) -> None:
    text = json.dumps(value)
    for url in _urls(name):
        _check(name, _page(url, text), all_events=keep_all, support_groups_only=not keep_all)


@pytest.mark.parametrize("name", ["ical", "tribe-events"])
@FUZZ
@given(lines=ics_lines)
def test_arbitrary_icalendar(name: str, lines: list[str]) -> None:
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR"]) + "\r\n"
    _check(name, _page(f"https://{name}.example.org/events/?ical=1", text), all_events=True)


@pytest.mark.parametrize("name", sorted(platforms()))
@FUZZ
@given(data=st.data(), keep_all=st.booleans())
def test_records_close_to_valid(name: str, data: st.DataObject, keep_all: bool) -> None:
    value = data.draw(RECORDS.get(name, shaped))
    for url in _urls(name):
        _check(
            name,
            _page(url, json.dumps(value)),
            all_events=keep_all,
            support_groups_only=not keep_all,
        )


@FUZZ
@given(events=st.lists(vevent, max_size=4), keep_all=st.booleans())
def test_icalendar_events_close_to_valid(events: list[list[str]], keep_all: bool) -> None:
    lines = [line for event in events for line in event]
    text = (
        "\r\n".join(["BEGIN:VCALENDAR", "X-WR-TIMEZONE:America/New_York", *lines, "END:VCALENDAR"])
        + "\r\n"
    )
    _check("ical", _page("https://ical.example.org/events/?ical=1", text), all_events=keep_all)


@FUZZ
@given(blocks=st.lists(shaped | st.text(max_size=40), max_size=3))
def test_arbitrary_jsonld_blocks(blocks: list[object]) -> None:
    scripts = "".join(
        f'<script type="application/ld+json">{b if isinstance(b, str) else json.dumps(b)}</script>'
        for b in blocks
    )
    _check(
        "jsonld",
        _page("https://jsonld.example.org/e", f"<html><head>{scripts}</head></html>"),
        all_events=True,
    )


@FUZZ
@given(text=hidden | st.text(max_size=60))
def test_cleaner_leaves_no_invisible_character(text: str) -> None:
    from peerfind.clean import clean_text, csv_cell, terminal_safe

    for cleaned in (
        clean_text(text),
        clean_text(text, multiline=True),
        terminal_safe(text),
        csv_cell(text),
    ):
        assert not any(c in INVISIBLE for c in cleaned), repr(cleaned)
