"""The iCalendar parser on a real TEC feed (tests/fixtures/ics) and on small RFC 5545 cases.

The real feed is an art museum's calendar: none of its 30 events is a support group, so by
default all are skipped; options={"all_events": True} keeps them to test parsing and folding.
The small calendars below exercise recurrence forms the museum feed does not use.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from conftest import FIXTURES, load_page

from peerfind import vocab
from peerfind.errors import ParseError
from peerfind.models import Group, Page
from peerfind.platforms import platform_class
from peerfind.platforms.classify import NOT_SUPPORT
from peerfind.platforms.ical import ICal, parse_location
from peerfind.scraping import SourceConfig

URL = "https://www.ashevilleart.org/events/?ical=1"
FETCHED = datetime(2026, 8, 21, 12, 0, tzinfo=UTC)
MUSEUM = "https://www.ashevilleart.org/event/"


def parse(
    all_events: bool = True, fetched_at: datetime = FETCHED, **cfg: object
) -> tuple[list[Group], ICal]:
    """Parse the museum feed; return its groups and the parser (for the report)."""
    parser = ICal(
        SourceConfig(
            name="aam", platform="ical", url=URL, options={"all_events": all_events}, **cfg
        )
    )  # type: ignore[arg-type]
    return parser.parse_groups(
        load_page("ics/tec-ical-ashevilleart-ECPv6.ics", url=URL, fetched_at=fetched_at)
    ), parser


def by_key(groups: list[Group], key: str) -> Group:
    """Return the group with this source key."""
    return next(g for g in groups if g.source_key == key)


def calendar(*events: str, header: str = "") -> Page:
    """Return a page holding a VCALENDAR with the given VEVENT bodies."""
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{header}{body}END:VCALENDAR\r\n"
    return Page(
        url="https://example.org/events.ics",
        text=text.replace("\n\r\n", "\r\n"),
        fetched_at=FETCHED,
    )


def one(page: Page, **cfg: object) -> Group:
    """Return the single group of a small calendar (all events kept)."""
    parser = ICal(SourceConfig(name="t", options={"all_events": True}, **cfg))  # type: ignore[arg-type]
    (group,) = parser.parse_groups(page)
    return group


def test_registered() -> None:
    assert platform_class("ical") is ICal


def test_museum_feed_has_no_support_groups() -> None:
    groups, parser = parse(all_events=False)
    assert groups == []
    assert parser.report.produced == 0
    assert parser.report.skipped == {NOT_SUPPORT: 30}


def test_museum_feed_report_when_keeping_all_events() -> None:
    groups, parser = parse()
    assert len(groups) == 21
    assert parser.report.produced == 21
    assert parser.report.skipped == {"folded into a series": 9}
    assert all(g.problems() == [] for g in groups)


def test_event_with_full_location_and_geo() -> None:
    groups, _ = parse()
    group = by_key(groups, "10006735-1787391000-1787395500@www.ashevilleart.org")
    assert group.name == "The Art of Presence: Meditation and Reflection in the Museum"
    assert group.source_url == (
        MUSEUM + "the-art-of-presence-meditation-and-reflection-in-the-museum-2/"
    )
    assert group.schedule.kind == "once"
    assert group.schedule.dates == ("2026-08-22",)
    assert (group.schedule.start, group.schedule.end) == ("09:30", "10:45")
    assert group.schedule.timezone == "America/New_York"
    assert (group.venue, group.address, group.city) == (
        "Asheville Art Museum",
        "2 South Pack Square",
        "Asheville",
    )
    assert (group.region, group.postal_code, group.country) == ("NC", "28801", "US")
    assert (group.latitude, group.longitude) == (35.594671, -82.551283)
    assert group.geo_precision == "exact"
    assert group.format == vocab.IN_PERSON
    assert group.source_types == ("Wellness",)
    assert group.source_updated == "2026-07-30"


def test_expanded_weekly_series_is_folded_with_cancelled_instance_as_exdate() -> None:
    groups, _ = parse()
    group = by_key(groups, MUSEUM + "public-tour-special-exhibitions-2-2-3-4-4/")
    assert group.name == "Public Tour: Featured Exhibition"
    assert group.schedule.kind == "weekly"
    assert group.schedule.days == (6,)  # Saturdays
    assert (group.schedule.start, group.schedule.end) == ("14:00", "15:00")
    assert group.schedule.exdates == ("2026-08-22",)  # "*CANCELED*" in SUMMARY
    sunday = by_key(groups, MUSEUM + "public-tour-discovering-art-in-asheville-44-3-9/")
    assert (sunday.schedule.kind, sunday.schedule.days) == ("weekly", (0,))
    assert sunday.schedule.exdates == ("2026-08-23",)


def test_same_title_on_two_dates_stays_dated() -> None:
    groups, _ = parse()
    (sounds,) = [g for g in groups if g.name == "Sunday Sounds: Steve Lapointe"]
    assert sounds.schedule.kind == "once"
    assert sounds.schedule.dates == ("2026-08-30", "2026-09-06")


def test_junk_state_only_location_and_all_day_event() -> None:
    groups, _ = parse()
    studio = by_key(groups, "10007461-1787403600-1787414400@www.ashevilleart.org")
    assert (studio.venue, studio.address, studio.region) == ("", "", "NC")
    assert (studio.latitude, studio.geo_precision) == (None, "none")
    weekend = by_key(groups, "10007478-1788566400-1788739199@www.ashevilleart.org")
    assert weekend.schedule.dates == ("2026-09-05",)
    assert weekend.schedule.start is None


def test_floating_all_day_event_takes_config_zone() -> None:
    groups, _ = parse(timezone="America/New_York")
    weekend = by_key(groups, "10007478-1788566400-1788739199@www.ashevilleart.org")
    assert weekend.schedule.timezone == "America/New_York"


def test_past_one_off_events_are_over_but_series_stay() -> None:
    groups, parser = parse(fetched_at=datetime(2026, 12, 1, tzinfo=UTC))
    # folded weekly series have no end (the feed shows a sample of them); dated events are over
    assert sorted(g.name for g in groups) == [
        "Public Tour: Discovering Art in Asheville",
        "Public Tour: Featured Exhibition",
    ]
    assert parser.report.skipped == {"over": 21, "folded into a series": 7}


def test_parse_location() -> None:
    assert parse_location(
        "Asheville Art Museum, 2 South Pack Square, Asheville, NC, 28801, United States"
    ) == {
        "venue": "Asheville Art Museum",
        "address": "2 South Pack Square",
        "city": "Asheville",
        "region": "NC",
        "postal_code": "28801",
        "country": "US",
    }
    assert parse_location("NC")["region"] == "NC"
    assert parse_location("Room 4, 12 Main St, Springfield, IL 62701") == {
        "venue": "Room 4",
        "address": "12 Main St",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "country": "US",
    }


# --- recurrence and time forms (small calendars) ------------------------------------------


def test_weekly_rrule_with_tzid_and_exdate() -> None:
    group = one(
        calendar("""UID:w1
SUMMARY:Weekly
DTSTART;TZID=America/Chicago:20260903T190000
DTEND;TZID=America/Chicago:20260903T203000
RRULE:FREQ=WEEKLY;BYDAY=TH
EXDATE;TZID=America/Chicago:20261126T190000""")
    )
    s = group.schedule
    assert (s.kind, s.days, s.start, s.end) == ("weekly", (4,), "19:00", "20:30")
    assert s.timezone == "America/Chicago"
    assert s.exdates == ("2026-11-26",)
    assert group.source_key == "w1"


def test_every_other_week_rrule() -> None:
    s = one(
        calendar("""UID:b1
SUMMARY:Biweekly
DTSTART;TZID=America/New_York:20260908T180000
RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU""")
    ).schedule
    assert (s.kind, s.days, s.interval, s.anchor) == ("weekly", (2,), 2, "2026-09-08")


@pytest.mark.parametrize(
    ("rule", "nths"),
    [
        ("FREQ=MONTHLY;BYDAY=2SA", (2,)),
        ("FREQ=MONTHLY;BYDAY=-1SA", (-1,)),
        ("FREQ=MONTHLY;BYDAY=1SA,3SA", (1, 3)),
    ],
)
def test_nth_weekday_rrules(rule: str, nths: tuple[int, ...]) -> None:
    s = one(
        calendar(f"""UID:m1
SUMMARY:Monthly
DTSTART;TZID=America/New_York:20260912T100000
RRULE:{rule}""")
    ).schedule
    assert (s.kind, s.days, s.nths) == ("monthly_nth", (6,), nths)


def test_utc_start_takes_calendar_zone_and_floating_too() -> None:
    header = "X-WR-TIMEZONE:America/Los_Angeles\r\n"
    utc = one(calendar("UID:u\nSUMMARY:UTC\nDTSTART:20260902T020000Z", header=header)).schedule
    assert (utc.dates, utc.start, utc.timezone) == (("2026-09-01",), "19:00", "America/Los_Angeles")
    floating = one(calendar("UID:f\nSUMMARY:Floating\nDTSTART:20260901T190000", header=header))
    assert (floating.schedule.start, floating.schedule.timezone) == ("19:00", "America/Los_Angeles")
    bare = one(calendar("UID:z\nSUMMARY:UTC only\nDTSTART:20260902T020000Z")).schedule
    assert (bare.start, bare.timezone) == ("02:00", "UTC")


def test_recurrence_id_overrides() -> None:
    master = """UID:r1
SUMMARY:Weekly
DTSTART;TZID=America/New_York:20260902T190000
RRULE:FREQ=WEEKLY;BYDAY=WE"""
    cancelled = """UID:r1
RECURRENCE-ID;TZID=America/New_York:20260916T190000
SUMMARY:Weekly
STATUS:CANCELLED
DTSTART;TZID=America/New_York:20260916T190000"""
    moved = """UID:r1
RECURRENCE-ID;TZID=America/New_York:20260923T190000
SUMMARY:Weekly (moved)
DTSTART;TZID=America/New_York:20260924T190000"""
    parser = ICal(SourceConfig(name="t", options={"all_events": True}))
    (group,) = parser.parse_groups(calendar(master, cancelled, moved))
    assert group.schedule.exdates == ("2026-09-16",)
    assert parser.report.skipped == {"instance override": 2}


def test_status_cancelled_and_summary_prefix() -> None:
    parser = ICal(SourceConfig(name="t", options={"all_events": True}))
    page = calendar(
        "UID:c1\nSUMMARY:A\nSTATUS:CANCELLED\nDTSTART:20260901T190000Z",
        "UID:c2\nSUMMARY:*CANCELED* B\nDTSTART:20260901T190000Z",
    )
    assert parser.parse_groups(page) == []
    assert parser.report.skipped == {"cancelled": 2}


def test_geo_and_online_location() -> None:
    group = one(
        calendar("""UID:g
SUMMARY:Online group
DTSTART:20260901T190000Z
LOCATION:https://us06web.zoom.us/j/555?pwd=abc
DESCRIPTION:Meeting ID: 555 Passcode: abc""")
    )
    assert group.format == vocab.ONLINE
    assert group.join_url == "https://us06web.zoom.us/j/555"
    assert "abc" not in json.dumps(group.to_dict())


def test_one_broken_event_is_skipped_and_counted() -> None:
    parser = ICal(SourceConfig(name="t", options={"all_events": True}))
    page = calendar(
        "UID:ok\nSUMMARY:Fine\nDTSTART:20260901T190000Z",
        "UID:bad\nSUMMARY:No start",
        "UID:bad2\nSUMMARY:Bad\nDTSTART:2026garbage",
    )
    assert [g.source_key for g in parser.parse_groups(page)] == ["ok"]
    assert parser.report.skipped == {"malformed event": 2}


def test_nested_vevent_corruption_keeps_the_good_events() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n"
        "END:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:ok\r\nSUMMARY:Fine\r\n"
        "DTSTART:20260901T190000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    parser = ICal(SourceConfig(name="t", options={"all_events": True}))
    groups = parser.parse_groups(Page(url="https://e.org/x.ics", text=text, fetched_at=FETCHED))
    assert [g.source_key for g in groups] == ["ok"]
    assert parser.report.skipped == {"malformed event": 2}


def test_truncated_real_feed_still_reads_complete_events() -> None:
    text = (FIXTURES / "ics/tec-ical-ashevilleart-ECPv6.ics").read_text(encoding="utf-8")
    cut = text[: text.index("UID:10006600")]  # in the middle of the fifth event
    parser = ICal(SourceConfig(name="t", options={"all_events": True}))
    groups = parser.parse_groups(Page(url=URL, text=cut, fetched_at=FETCHED))
    assert [g.source_key for g in groups] == [
        "10006735-1787391000-1787395500@www.ashevilleart.org",
        "10007461-1787403600-1787414400@www.ashevilleart.org",
    ]
    assert parser.report.skipped == {"malformed event": 1, "cancelled": 2}


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><html><body>Forbidden</body></html>",
        "",
        '{"events": []}',
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:No start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:cut off",
    ],
)
def test_bad_feeds_raise_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        list(ICal(SourceConfig(name="t")).parse(Page(url=URL, text=text, fetched_at=FETCHED)))


def test_empty_calendar_is_no_groups() -> None:
    parser = ICal(SourceConfig(name="t"))
    assert parser.parse_groups(calendar()) == []
    assert parser.report.produced == 0 and not parser.report.skipped
