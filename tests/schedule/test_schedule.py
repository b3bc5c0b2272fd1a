"""Tests of peerfind.schedule: next meetings across DST, RRULE text, folding, phrases, windows."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from peerfind.errors import UsageError
from peerfind.models import Schedule
from peerfind.schedule.recurrence import (
    TIME_WINDOWS,
    describe,
    duration_minutes,
    in_time_window,
    next_occurrence,
    next_occurrences,
    parse_time_window,
    timezone_for_region,
)
from peerfind.schedule.rrule import fold_dates, from_rrule, to_rrule

NY, LA, LON, BER = "America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin"
S = Schedule


def at(zone: str, *parts: int) -> datetime:
    """Return an aware datetime in an IANA zone."""
    return datetime(*parts, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


TUE_NY = S(kind="weekly", days=(2,), start="19:00", end="20:30", timezone=NY)
BIWEEKLY_LA = S(
    kind="weekly", days=(3,), interval=2, anchor="2026-02-25", start="18:30", timezone=LA
)
FIRST_THIRD_THU_LON = S(
    kind="monthly_nth", days=(4,), nths=(1, 3), start="19:30", end="21:00", timezone=LON
)

# (id, schedule, after (naive = schedule's zone), count, expected ISO datetimes with offsets)
DST_CASES = [
    # America/New_York: DST starts 2026-03-08 02:00, ends 2026-11-01 02:00
    (
        "ny-weekly-spring",
        TUE_NY,
        datetime(2026, 3, 1),
        3,
        ["2026-03-03T19:00:00-05:00", "2026-03-10T19:00:00-04:00", "2026-03-17T19:00:00-04:00"],
    ),
    (
        "ny-weekly-in-gap",
        S(kind="weekly", days=(0,), start="02:30", timezone=NY),
        datetime(2026, 3, 1),
        3,
        ["2026-03-01T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-15T02:30:00-04:00"],
    ),
    (
        "ny-weekly-fall",
        TUE_NY,
        datetime(2026, 10, 25),
        2,
        ["2026-10-27T19:00:00-04:00", "2026-11-03T19:00:00-05:00"],
    ),
    (
        "ny-weekly-ambiguous-hour",
        S(kind="weekly", days=(0,), start="01:30", timezone=NY),
        datetime(2026, 10, 25),
        3,
        ["2026-10-25T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-08T01:30:00-05:00"],
    ),
    (
        "ny-two-days",
        S(kind="weekly", days=(1, 3), start="10:00", end="11:30", timezone=NY),
        datetime(2026, 3, 6),
        3,
        ["2026-03-09T10:00:00-04:00", "2026-03-11T10:00:00-04:00", "2026-03-16T10:00:00-04:00"],
    ),
    (
        "ny-5th-thursday",
        S(kind="monthly_nth", days=(4,), nths=(5,), start="19:00", timezone=NY),
        datetime(2026, 3, 1),
        3,
        ["2026-04-30T19:00:00-04:00", "2026-07-30T19:00:00-04:00", "2026-10-29T19:00:00-04:00"],
    ),
    (
        "ny-nth-over-fall",
        S(kind="monthly_nth", days=(2,), nths=(2, 4), start="18:00", timezone=NY),
        datetime(2026, 10, 20),
        3,
        ["2026-10-27T18:00:00-04:00", "2026-11-10T18:00:00-05:00", "2026-11-24T18:00:00-05:00"],
    ),
    (
        "ny-31st",
        S(kind="monthly_date", monthday=31, start="18:00", timezone=NY),
        datetime(2026, 1, 1),
        3,
        ["2026-01-31T18:00:00-05:00", "2026-03-31T18:00:00-04:00", "2026-05-31T18:00:00-04:00"],
    ),
    (
        "ny-31st-after-meeting",
        S(kind="monthly_date", monthday=31, start="18:00", timezone=NY),
        datetime(2026, 1, 31, 19, 0),
        2,
        ["2026-03-31T18:00:00-04:00", "2026-05-31T18:00:00-04:00"],
    ),
    (
        "ny-until",
        replace(TUE_NY, until="2026-03-10"),
        datetime(2026, 3, 1),
        5,
        ["2026-03-03T19:00:00-05:00", "2026-03-10T19:00:00-04:00"],
    ),
    (
        "ny-exdates",
        replace(TUE_NY, exdates=("2026-03-10", "2026-03-24")),
        datetime(2026, 3, 1),
        3,
        ["2026-03-03T19:00:00-05:00", "2026-03-17T19:00:00-04:00", "2026-03-31T19:00:00-04:00"],
    ),
    ("ny-until-passed", replace(TUE_NY, until="2026-02-24"), datetime(2026, 3, 1), 3, []),
    # America/Los_Angeles: DST starts 2026-03-08, ends 2026-11-01
    (
        "la-biweekly-spring",
        BIWEEKLY_LA,
        datetime(2026, 2, 1),
        3,
        ["2026-02-11T18:30:00-08:00", "2026-02-25T18:30:00-08:00", "2026-03-11T18:30:00-07:00"],
    ),
    (
        "la-biweekly-fall",
        BIWEEKLY_LA,
        datetime(2026, 10, 20),
        2,
        ["2026-10-21T18:30:00-07:00", "2026-11-04T18:30:00-08:00"],
    ),
    (
        "la-2nd-sunday-in-gap",
        S(kind="monthly_nth", days=(0,), nths=(2,), start="02:30", timezone=LA),
        datetime(2026, 3, 1),
        2,
        ["2026-03-08T03:30:00-07:00", "2026-04-12T02:30:00-07:00"],
    ),
    (
        "la-1st-of-month",
        S(kind="monthly_date", monthday=1, start="09:00", timezone=LA),
        datetime(2026, 10, 15),
        2,
        ["2026-11-01T09:00:00-08:00", "2026-12-01T09:00:00-08:00"],
    ),
    (
        "la-once",
        S(kind="once", dates=("2026-03-07", "2026-03-08"), start="02:30", timezone=LA),
        datetime(2026, 3, 1),
        5,
        ["2026-03-07T02:30:00-08:00", "2026-03-08T03:30:00-07:00"],
    ),
    # Europe/London: BST starts 2026-03-29 01:00 UTC
    (
        "london-nth",
        FIRST_THIRD_THU_LON,
        datetime(2026, 3, 1),
        3,
        ["2026-03-05T19:30:00+00:00", "2026-03-19T19:30:00+00:00", "2026-04-02T19:30:00+01:00"],
    ),
    (
        "london-nth-until-exdate",
        replace(FIRST_THIRD_THU_LON, exdates=("2026-03-19",), until="2026-04-16"),
        datetime(2026, 3, 1),
        5,
        ["2026-03-05T19:30:00+00:00", "2026-04-02T19:30:00+01:00", "2026-04-16T19:30:00+01:00"],
    ),
    (
        "london-weekly-in-gap",
        S(kind="weekly", days=(0,), start="01:30", timezone=LON),
        datetime(2026, 3, 22),
        3,
        ["2026-03-22T01:30:00+00:00", "2026-03-29T02:30:00+01:00", "2026-04-05T01:30:00+01:00"],
    ),
    (
        "london-last-sunday",
        S(kind="monthly_nth", days=(0,), nths=(-1,), start="11:00", timezone=LON),
        datetime(2026, 2, 1),
        2,
        ["2026-02-22T11:00:00+00:00", "2026-03-29T11:00:00+01:00"],
    ),
    (
        "london-31st",
        S(kind="monthly_date", monthday=31, start="19:00", timezone=LON),
        datetime(2026, 3, 1),
        2,
        ["2026-03-31T19:00:00+01:00", "2026-05-31T19:00:00+01:00"],
    ),
    # Europe/Berlin: CEST ends 2026-10-25 03:00 local
    (
        "berlin-weekly-fall",
        S(kind="weekly", days=(0,), start="19:00", timezone=BER),
        datetime(2026, 10, 17),
        2,
        ["2026-10-18T19:00:00+02:00", "2026-10-25T19:00:00+01:00"],
    ),
    (
        "berlin-biweekly-fall",
        S(kind="weekly", days=(4,), interval=2, anchor="2026-10-15", start="19:00", timezone=BER),
        datetime(2026, 10, 1),
        3,
        ["2026-10-01T19:00:00+02:00", "2026-10-15T19:00:00+02:00", "2026-10-29T19:00:00+01:00"],
    ),
    (
        "berlin-last-saturday",
        S(kind="monthly_nth", days=(6,), nths=(-1,), start="10:00", timezone=BER),
        datetime(2026, 9, 1),
        3,
        ["2026-09-26T10:00:00+02:00", "2026-10-31T10:00:00+01:00", "2026-11-28T10:00:00+01:00"],
    ),
    (
        "berlin-last-sunday-ambiguous",
        S(kind="monthly_nth", days=(0,), nths=(-1,), start="02:30", timezone=BER),
        datetime(2026, 10, 1),
        2,
        ["2026-10-25T02:30:00+02:00", "2026-11-29T02:30:00+01:00"],
    ),
    (
        "berlin-monthday",
        S(kind="monthly_date", monthday=25, start="20:00", timezone=BER),
        datetime(2026, 9, 26),
        2,
        ["2026-10-25T20:00:00+01:00", "2026-11-25T20:00:00+01:00"],
    ),
    (
        "berlin-once",
        S(kind="once", dates=("2026-10-26", "2026-10-24"), start="19:00", timezone=BER),
        datetime(2026, 10, 1),
        5,
        ["2026-10-24T19:00:00+02:00", "2026-10-26T19:00:00+01:00"],
    ),
    (
        "berlin-once-past",
        S(kind="once", dates=("2026-10-24",), start="19:00", timezone=BER),
        datetime(2026, 11, 1),
        1,
        [],
    ),
    (
        "berlin-once-exdate",
        S(
            kind="once",
            dates=("2026-10-24", "2026-10-26"),
            start="19:00",
            exdates=("2026-10-24",),
            timezone=BER,
        ),
        datetime(2026, 10, 1),
        5,
        ["2026-10-26T19:00:00+01:00"],
    ),
    # kinds and data that never give a time
    ("appointment", S(kind="appointment", start="10:00", timezone=NY), datetime(2026, 3, 1), 3, []),
    (
        "unparsed",
        S(kind="unparsed", start="10:00", text="Call", timezone=NY),
        datetime(2026, 3, 1),
        3,
        [],
    ),
    ("no-start", S(kind="weekly", days=(2,), timezone=NY), datetime(2026, 3, 1), 3, []),
    (
        "interval-without-anchor",
        S(kind="weekly", days=(3,), interval=2, start="18:00", timezone=NY),
        datetime(2026, 3, 1),
        3,
        [],
    ),
]


@pytest.mark.parametrize(
    ("schedule", "after", "count", "expected"),
    [case[1:] for case in DST_CASES],
    ids=[case[0] for case in DST_CASES],
)
def test_next_occurrences_across_dst(schedule, after, count, expected):
    found = next_occurrences(schedule, after, count)
    assert [d.isoformat() for d in found] == expected
    zone = ZoneInfo(schedule.timezone)
    for got, want in zip(found, expected, strict=True):
        assert got.tzinfo == zone
        assert got.utcoffset() == datetime.fromisoformat(want).utcoffset()


def test_in_progress_meeting_counts_until_it_ends():
    assert next_occurrence(TUE_NY, at(NY, 2026, 3, 10, 20, 0)) == at(NY, 2026, 3, 10, 19, 0)
    assert next_occurrence(TUE_NY, at(NY, 2026, 3, 10, 20, 29)) == at(NY, 2026, 3, 10, 19, 0)
    assert next_occurrence(TUE_NY, at(NY, 2026, 3, 10, 20, 30)) == at(NY, 2026, 3, 17, 19, 0)
    assert next_occurrence(TUE_NY, at(NY, 2026, 3, 10, 19, 0)) == at(NY, 2026, 3, 10, 19, 0)
    # `after` in another zone: 00:00 UTC is 20:00 EDT, during the meeting
    assert (
        next_occurrence(TUE_NY, datetime(2026, 3, 11, 0, 0, tzinfo=UTC)).isoformat()
        == "2026-03-10T19:00:00-04:00"
    )


def test_default_meeting_length_and_meeting_across_midnight():
    no_end = replace(TUE_NY, end=None)
    assert next_occurrence(no_end, at(NY, 2026, 3, 10, 19, 59)) == at(NY, 2026, 3, 10, 19, 0)
    assert next_occurrence(no_end, at(NY, 2026, 3, 10, 20, 0)) == at(NY, 2026, 3, 17, 19, 0)
    late = S(kind="weekly", days=(5,), start="23:00", end="01:00", timezone=NY)
    assert next_occurrence(late, at(NY, 2026, 3, 7, 0, 30)) == at(NY, 2026, 3, 6, 23, 0)
    assert next_occurrence(late, at(NY, 2026, 3, 7, 1, 0)) == at(NY, 2026, 3, 13, 23, 0)


def test_zone_fallbacks_and_edge_arguments():
    floating = replace(TUE_NY, timezone=None)
    assert (
        next_occurrence(floating, datetime(2026, 3, 1), "America/Chicago").isoformat()
        == "2026-03-03T19:00:00-06:00"
    )
    assert (
        next_occurrence(floating, datetime(2026, 3, 1)).isoformat() == "2026-03-03T19:00:00+00:00"
    )
    assert (
        next_occurrence(
            replace(TUE_NY, timezone="Mars/Olympus"), datetime(2026, 3, 1), LA
        ).isoformat()
        == "2026-03-03T19:00:00-08:00"
    )
    assert next_occurrences(TUE_NY, datetime(2026, 3, 1), count=0) == []
    assert next_occurrence(S(kind="appointment"), datetime(2026, 3, 1)) is None
    assert len(next_occurrences(TUE_NY, datetime(2026, 3, 1), count=60)) == 60


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        ("19:00", "20:30", 90),
        ("23:00", "01:00", 120),
        ("19:00", None, 60),
        (None, None, 60),
        ("19:00", "19:00", 60),
        ("00:00", "23:59", 1439),
    ],
)
def test_duration_minutes(start, end, minutes):
    assert duration_minutes(S(kind="weekly", days=(1,), start=start, end=end)) == minutes


# --- RRULE ---------------------------------------------------------------------------------------

DTSTART = at(NY, 2026, 3, 3, 19, 0)  # a Tuesday
DTEND = at(NY, 2026, 3, 3, 20, 30)
BASE = S(start="19:00", end="20:30", timezone=NY)

RRULE_FORMS = [
    ("FREQ=WEEKLY;BYDAY=TU", replace(BASE, kind="weekly", days=(2,))),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", replace(BASE, kind="weekly", days=(1, 3, 5))),
    ("FREQ=WEEKLY;BYDAY=SU", replace(BASE, kind="weekly", days=(0,))),
    (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        replace(BASE, kind="weekly", days=(3,), interval=2, anchor="2026-03-03"),
    ),
    ("FREQ=MONTHLY;BYDAY=2SA", replace(BASE, kind="monthly_nth", days=(6,), nths=(2,))),
    ("FREQ=MONTHLY;BYDAY=3SA", replace(BASE, kind="monthly_nth", days=(6,), nths=(3,))),
    ("FREQ=MONTHLY;BYDAY=-1SA", replace(BASE, kind="monthly_nth", days=(6,), nths=(-1,))),
    ("FREQ=MONTHLY;BYDAY=1TH,3TH", replace(BASE, kind="monthly_nth", days=(4,), nths=(1, 3))),
    ("FREQ=MONTHLY;BYDAY=2TU,-1TU", replace(BASE, kind="monthly_nth", days=(2,), nths=(2, -1))),
    ("FREQ=MONTHLY;BYMONTHDAY=15", replace(BASE, kind="monthly_date", monthday=15)),
    ("FREQ=MONTHLY;BYMONTHDAY=31", replace(BASE, kind="monthly_date", monthday=31)),
    (
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270101T045959Z",
        replace(BASE, kind="weekly", days=(2,), until="2026-12-31"),
    ),
]

NORMALIZED_FORMS = [
    (
        "FREQ=WEEKLY;BYDAY=MO;INTERVAL=1",
        "FREQ=WEEKLY;BYDAY=MO",
        replace(BASE, kind="weekly", days=(1,)),
    ),
    (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        replace(BASE, kind="weekly", days=(2,), interval=2, anchor="2026-03-03"),
    ),
    (
        "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=3",
        "FREQ=MONTHLY;BYDAY=3TU",
        replace(BASE, kind="monthly_nth", days=(2,), nths=(3,)),
    ),
    (
        "FREQ=MONTHLY;BYDAY=SA;BYSETPOS=-1",
        "FREQ=MONTHLY;BYDAY=-1SA",
        replace(BASE, kind="monthly_nth", days=(6,), nths=(-1,)),
    ),
    (
        "FREQ=MONTHLY;BYDAY=+2SA",
        "FREQ=MONTHLY;BYDAY=2SA",
        replace(BASE, kind="monthly_nth", days=(6,), nths=(2,)),
    ),
    (
        "FREQ=MONTHLY;BYDAY=3TH,1TH",
        "FREQ=MONTHLY;BYDAY=1TH,3TH",
        replace(BASE, kind="monthly_nth", days=(4,), nths=(1, 3)),
    ),
    ("FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=TU", replace(BASE, kind="weekly", days=(2,))),
    ("RRULE:freq=weekly;byday=th", "FREQ=WEEKLY;BYDAY=TH", replace(BASE, kind="weekly", days=(4,))),
    (
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=SU,MO,TU,WE,TH,FR,SA",
        replace(BASE, kind="weekly", days=(0, 1, 2, 3, 4, 5, 6)),
    ),
    ("FREQ=MONTHLY", "FREQ=MONTHLY;BYMONTHDAY=3", replace(BASE, kind="monthly_date", monthday=3)),
    ("FREQ=MONTHLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU", replace(BASE, kind="weekly", days=(2,))),
    (
        "FREQ=WEEKLY;BYDAY=TH;COUNT=5",
        "FREQ=WEEKLY;BYDAY=TH;UNTIL=20260403T035959Z",
        replace(BASE, kind="weekly", days=(4,), until="2026-04-02"),
    ),
    (
        "FREQ=MONTHLY;BYDAY=-1SA;COUNT=2",
        "FREQ=MONTHLY;BYDAY=-1SA;UNTIL=20260426T035959Z",
        replace(BASE, kind="monthly_nth", days=(6,), nths=(-1,), until="2026-04-25"),
    ),
    (
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261231",
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270101T045959Z",
        replace(BASE, kind="weekly", days=(2,), until="2026-12-31"),
    ),
    # 23:59:59Z on Dec 31 is 18:59 in New York: the 19:00 meeting that day is excluded
    (
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261231T235959Z",
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261231T045959Z",
        replace(BASE, kind="weekly", days=(2,), until="2026-12-30"),
    ),
]

UNSUPPORTED = [
    "FREQ=YEARLY;BYMONTH=3",
    "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TU",
    "FREQ=MONTHLY;BYDAY=1MO,3WE",
    "FREQ=WEEKLY;BYDAY=1MO",
    "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;BYMONTHDAY=1,15",
    "FREQ=WEEKLY;BYDAY=TU;COUNT=3;UNTIL=20261231",
    "FREQ=WEEKLY;BYDAY=XX",
    "FREQ=WEEKLY;BYHOUR=9",
    "FREQ=MONTHLY;BYDAY=TU,TH;BYSETPOS=1",
    "FREQ=WEEKLY;INTERVAL=0",
    "FREQ=DAILY;INTERVAL=2",
    "FREQ=MONTHLY;BYDAY=6TU",
    "FREQ=WEEKLY;UNTIL=tomorrow",
    "not a rule",
    "",
    "FREQ=WEEKLY;BYDAY=TU;BYDAY=TH",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU",
]


@pytest.mark.parametrize(("rule", "expected"), RRULE_FORMS)
def test_rrule_forms_round_trip(rule, expected):
    schedule = from_rrule(rule, DTSTART, DTEND)
    assert schedule == expected
    assert to_rrule(schedule) == rule


@pytest.mark.parametrize(("rule", "canonical", "expected"), NORMALIZED_FORMS)
def test_rrule_forms_read_and_normalized(rule, canonical, expected):
    schedule = from_rrule(rule, DTSTART, DTEND)
    assert schedule == expected
    assert to_rrule(schedule) == canonical
    assert to_rrule(from_rrule(canonical, DTSTART, DTEND)) == canonical


@pytest.mark.parametrize("rule", UNSUPPORTED)
def test_unsupported_rrule_is_unparsed_keeping_text(rule):
    schedule = from_rrule(rule, DTSTART, DTEND)
    assert (schedule.kind, schedule.text, schedule.start) == ("unparsed", rule.strip(), "19:00")
    assert from_rrule(rule, DTSTART, text="2nd Tuesdays").text == "2nd Tuesdays"
    assert to_rrule(schedule) is None and schedule.problems() == []


def test_from_rrule_zones_exdates_and_all_day():
    naive = datetime(2026, 3, 3, 19, 0)
    assert from_rrule("FREQ=WEEKLY", naive, tzid=LA).timezone == LA
    assert from_rrule("FREQ=WEEKLY", naive).timezone is None
    in_utc = from_rrule("FREQ=WEEKLY", datetime(2026, 3, 4, 0, 0, tzinfo=UTC), tzid=NY)
    assert (in_utc.days, in_utc.start, in_utc.timezone) == ((2,), "19:00", NY)
    assert from_rrule("FREQ=WEEKLY", datetime(2026, 3, 4, 0, 0, tzinfo=UTC)).timezone == "UTC"
    skipped = from_rrule(
        "FREQ=WEEKLY;BYDAY=TU",
        DTSTART,
        exdates=[datetime(2026, 3, 11, 0, 0, tzinfo=UTC), date(2026, 3, 24), "2026-03-31T19:00:00"],
    )
    assert skipped.exdates == ("2026-03-10", "2026-03-24", "2026-03-31")
    all_day = from_rrule("FREQ=MONTHLY;BYDAY=2SA", date(2026, 3, 14))  # type: ignore[arg-type]
    assert (all_day.kind, all_day.start, all_day.nths) == ("monthly_nth", None, (2,))


def test_to_rrule_none_for_non_recurring_and_until_in_utc():
    for kind in ("once", "appointment", "unparsed"):
        assert to_rrule(S(kind=kind, dates=("2026-03-03",), start="19:00")) is None
    utc = S(kind="monthly_nth", days=(4,), nths=(1, 3), start="19:00", until="2026-12-31")
    assert to_rrule(utc) == "FREQ=MONTHLY;BYDAY=1TH,3TH;UNTIL=20261231T235959Z"
    berlin = replace(utc, timezone=BER)
    assert to_rrule(berlin) == "FREQ=MONTHLY;BYDAY=1TH,3TH;UNTIL=20261231T225959Z"


def _expand(rule: str, start: datetime, zone: str, after: datetime, count: int) -> list[str]:
    """Expand an RRULE with dateutil (wall-clock, floating) as an independent oracle."""
    tz = ZoneInfo(zone)
    out = []
    for naive in rrulestr(rule, dtstart=start.replace(tzinfo=None)):
        local = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
        if local + timedelta(hours=1) > after:
            out.append(local.isoformat())
        if len(out) == count or naive.year > 2040:
            break
    return out


@pytest.mark.parametrize(
    "rule",
    [r for r, _ in RRULE_FORMS if "UNTIL" not in r]
    + [r for r, _, _ in NORMALIZED_FORMS if "UNTIL" not in r and r.startswith("FREQ")],
)
@pytest.mark.parametrize("zone", [NY, LON])
def test_occurrences_match_dateutil(rule, zone):
    start = datetime(2026, 1, 6, 19, 0, tzinfo=ZoneInfo(zone))
    schedule = from_rrule(rule, start)
    after = datetime(2026, 2, 20, tzinfo=ZoneInfo(zone))
    expected = _expand(rule, start, zone, after, 12)
    assert [d.isoformat() for d in next_occurrences(schedule, after, 12)] == expected


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["weekly", "monthly_nth", "monthly_date"]),
    days=st.sets(st.integers(0, 6), min_size=1, max_size=3),
    nths=st.sets(st.sampled_from([1, 2, 3, 4, 5, -1, -2]), min_size=1, max_size=2),
    interval=st.integers(1, 4),
    monthday=st.integers(1, 31),
    minutes=st.integers(0, 1439),
    zone=st.sampled_from([NY, LA, LON, BER, "Australia/Sydney"]),
    offset=st.integers(0, 900),
)
def test_occurrences_match_dateutil_for_random_schedules(
    kind, days, nths, interval, monthday, minutes, zone, offset
):
    schedule = S(
        kind=kind,
        days=tuple(sorted(days)),
        nths=tuple(sorted(nths)),
        interval=interval if kind == "weekly" else 1,
        anchor="2025-01-08",
        monthday=monthday,
        start=f"{minutes // 60:02d}:{minutes % 60:02d}",
        timezone=zone,
    )
    start = datetime(2025, 1, 8, minutes // 60, minutes % 60, tzinfo=ZoneInfo(zone))
    after = datetime(2025, 2, 1, tzinfo=ZoneInfo(zone)) + timedelta(days=offset, minutes=offset)
    expected = _expand(to_rrule(schedule), start, zone, after, 6)
    assert [d.isoformat() for d in next_occurrences(schedule, after, 6)] == expected


# --- folding -------------------------------------------------------------------------------------


def _local(zone: str, *days: str, time: str = "19:00") -> list[datetime]:
    """Return aware datetimes at one local time on the given ISO dates."""
    return [datetime.fromisoformat(f"{d}T{time}").replace(tzinfo=ZoneInfo(zone)) for d in days]


FOLD_CASES = [
    (
        "weekly",
        _local(NY, "2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24"),
        S(kind="weekly", days=(2,), start="19:00", timezone=NY),
    ),
    (
        "weekly-skipped-holiday",
        _local(NY, "2026-03-03", "2026-03-10", "2026-03-24", "2026-03-31"),
        S(kind="weekly", days=(2,), start="19:00", timezone=NY, exdates=("2026-03-17",)),
    ),
    (
        "two-days-a-week",
        _local(NY, "2026-03-02", "2026-03-04", "2026-03-09", "2026-03-11"),
        S(kind="weekly", days=(1, 3), start="19:00", timezone=NY),
    ),
    (
        "every-2-weeks",
        _local(LA, "2026-02-25", "2026-03-11", "2026-03-25", "2026-04-08"),
        S(kind="weekly", days=(3,), interval=2, anchor="2026-02-25", start="19:00", timezone=LA),
    ),
    (
        "2nd-tuesday",
        _local(NY, "2026-01-13", "2026-02-10", "2026-03-10", "2026-04-14"),
        S(kind="monthly_nth", days=(2,), nths=(2,), start="19:00", timezone=NY),
    ),
    (
        "1st-and-3rd-thursday",
        _local(
            LON, "2026-01-01", "2026-01-15", "2026-02-05", "2026-02-19", "2026-03-05", "2026-03-19"
        ),
        S(kind="monthly_nth", days=(4,), nths=(1, 3), start="19:00", timezone=LON),
    ),
    (
        "last-saturday",
        _local(BER, "2026-01-31", "2026-02-28", "2026-03-28", "2026-04-25", "2026-05-30"),
        S(kind="monthly_nth", days=(6,), nths=(-1,), start="19:00", timezone=BER),
    ),
    (
        "15th",
        _local(NY, "2026-01-15", "2026-02-15", "2026-03-15"),
        S(kind="monthly_date", monthday=15, start="19:00", timezone=NY),
    ),
    (
        "31st",
        _local(NY, "2026-01-31", "2026-03-31", "2026-05-31"),
        S(kind="monthly_date", monthday=31, start="19:00", timezone=NY),
    ),
    (
        "irregular",
        _local(NY, "2026-03-03", "2026-03-05", "2026-03-20"),
        S(
            kind="once",
            dates=("2026-03-03", "2026-03-05", "2026-03-20"),
            start="19:00",
            timezone=NY,
        ),
    ),
    (
        "two-dates",
        _local(NY, "2026-03-03", "2026-03-10"),
        S(kind="once", dates=("2026-03-03", "2026-03-10"), start="19:00", timezone=NY),
    ),
    (
        "times-differ",
        _local(NY, "2026-03-03", "2026-03-10") + _local(NY, "2026-03-17", time="18:00"),
        S(kind="once", dates=("2026-03-03", "2026-03-10", "2026-03-17"), timezone=NY),
    ),
    (
        "1st-and-2nd-tuesday",
        _local(NY, "2026-03-03", "2026-03-10", "2026-04-07"),
        S(kind="monthly_nth", days=(2,), nths=(1, 2), start="19:00", timezone=NY),
    ),
    (
        "too-many-gaps",
        _local(NY, "2026-03-03", "2026-03-10", "2026-03-31", "2026-04-21"),
        S(
            kind="once",
            dates=("2026-03-03", "2026-03-10", "2026-03-31", "2026-04-21"),
            start="19:00",
            timezone=NY,
        ),
    ),
]


@pytest.mark.parametrize(
    ("dates", "expected"), [c[1:] for c in FOLD_CASES], ids=[c[0] for c in FOLD_CASES]
)
def test_fold_dates(dates, expected):
    folded = fold_dates(list(reversed(dates)), expected.timezone, text="PFLAG meeting dates")
    assert folded == replace(expected, text="PFLAG meeting dates")


def test_fold_dates_converts_utc_instances_to_the_zone_across_dst():
    instants = [d.astimezone(UTC) for d in _local(NY, "2026-03-03", "2026-03-10", "2026-03-17")]
    assert {d.hour for d in instants} == {0, 23}  # 19:00 EST and 19:00 EDT
    assert fold_dates(instants, NY) == S(kind="weekly", days=(2,), start="19:00", timezone=NY)
    assert fold_dates(_local(BER, "2026-10-18", "2026-10-25", "2026-11-01"), None).timezone == BER
    assert fold_dates([], NY, "x") == S(kind="unparsed", text="x")


# --- phrases -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "phrase"),
    [
        (S(kind="weekly", days=(2,), start="19:00"), "Tuesdays 7:00 PM"),
        (
            S(kind="weekly", days=(3,), interval=2, anchor="2026-03-04", start="18:30"),
            "Every other Wednesday 6:30 PM",
        ),
        (
            S(kind="weekly", days=(3,), interval=3, start="18:30"),
            "Every 3 weeks on Wednesday 6:30 PM",
        ),
        (
            S(kind="monthly_nth", days=(4,), nths=(1, 3), start="19:30", end="21:00"),
            "1st & 3rd Thursday 7:30–9:00 PM",
        ),
        (
            S(kind="monthly_nth", days=(6,), nths=(-1,), start="10:00"),
            "Last Saturday of the month 10:00 AM",
        ),
        (
            S(kind="monthly_nth", days=(2,), nths=(2, -1), start="18:00"),
            "2nd & last Tuesday 6:00 PM",
        ),
        (S(kind="monthly_nth", days=(1,), nths=(2,)), "2nd Monday of the month"),
        (
            S(kind="weekly", days=(1, 3), start="10:00", end="11:30"),
            "Mondays & Wednesdays 10:00–11:30 AM",
        ),
        (
            S(kind="weekly", days=(1, 3, 5), start="11:00", end="13:00"),
            "Mondays, Wednesdays & Fridays 11:00 AM–1:00 PM",
        ),
        (S(kind="weekly", days=tuple(range(7)), start="12:00"), "Daily 12:00 PM"),
        (S(kind="weekly", days=(5,), start="23:00", end="01:00"), "Fridays 11:00 PM–1:00 AM"),
        (S(kind="monthly_date", monthday=15, start="18:00"), "15th of the month 6:00 PM"),
        (
            S(kind="weekly", days=(2,), start="19:00", until="2026-12-31"),
            "Tuesdays 7:00 PM until Dec 31, 2026",
        ),
        (S(kind="once", dates=("2026-03-05",), start="19:00"), "Mar 5, 2026 7:00 PM"),
        (
            S(
                kind="once",
                dates=("2026-03-05", "2026-03-19", "2026-04-02", "2026-04-16"),
                start="19:00",
            ),
            "Mar 5, 2026; Mar 19, 2026; Apr 2, 2026 (+1 more) 7:00 PM",
        ),
        (S(kind="appointment", text="Call us"), "By appointment"),
        (S(kind="unparsed", text="Call for times"), "Call for times"),
    ],
)
def test_describe(schedule, phrase):
    assert describe(schedule) == phrase


# --- time windows and zones ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "window", "inside"),
    [
        ("19:00", "evening", True),
        ("17:00", "evening", True),
        ("21:00", "evening", False),
        ("09:30", "morning", True),
        ("04:59", "morning", False),
        ("12:00", "afternoon", True),
        ("23:30", "night", True),
        ("02:00", "night", True),
        ("05:00", "night", False),
        ("21:00", "night", True),
        ("12:00", "night", False),
        ("18:30", "18:00-19:00", True),
        ("19:00", "18:00-19:00", False),
        ("23:00", "22:00-02:00", True),
        ("01:59", "22:00-02:00", True),
        ("02:00", "22:00-02:00", False),
        ("23:59", "20:00-24:00", True),
    ],
)
def test_in_time_window(start, window, inside):
    schedule = S(kind="weekly", days=(1,), start=start)
    assert in_time_window(schedule, parse_time_window(window)) is inside


def test_time_window_needs_a_start_and_a_dated_kind():
    assert not in_time_window(S(kind="appointment", start="19:00"), TIME_WINDOWS["evening"])
    assert not in_time_window(S(kind="weekly", days=(1,)), TIME_WINDOWS["evening"])
    assert in_time_window(S(kind="once", dates=("2026-01-01",), start="19:00"), (1020, 1260))


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("morning", (300, 720)),
        (" Night ", (1260, 300)),
        ("EVENING", (1020, 1260)),
        ("18:00-21:00", (1080, 1260)),
        ("6:30 – 8:00", (390, 480)),
        ("22:00-02:00", (1320, 120)),
        ("20:00-24:00", (1200, 1440)),
    ],
)
def test_parse_time_window(text, window):
    assert parse_time_window(text) == window


@pytest.mark.parametrize(
    "text", ["late", "", "7pm-9pm", "25:00-26:00", "18:00-18:00", "18:60-19:00", "18:00"]
)
def test_parse_time_window_rejects_with_one_line(text):
    with pytest.raises(UsageError, match="morning, afternoon, evening, night") as info:
        parse_time_window(text)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("region", "country", "zone"),
    [
        ("NY", None, NY),
        ("ny", "US", NY),
        ("New York", None, NY),
        ("CA", "USA", LA),
        ("WA", None, LA),
        ("AZ", None, "America/Phoenix"),
        ("TX", "United States", "America/Chicago"),
        ("DC", None, NY),
        ("PR", None, "America/Puerto_Rico"),
        ("HI", None, "Pacific/Honolulu"),
        ("ON", None, "America/Toronto"),
        ("BC", "CA", "America/Vancouver"),
        ("NL", "Canada", "America/St_Johns"),
        (None, "CA", None),
        (None, "US", None),
        ("England", "GB", LON),
        (None, "United Kingdom", LON),
        (None, "DE", BER),
        ("", "Australia", None),
        ("ZZ", None, None),
        (None, None, None),
        ("NY", "DE", BER),
    ],
)
def test_timezone_for_region(region, country, zone):
    assert timezone_for_region(region, country) == zone


@pytest.mark.parametrize(
    "data",
    [
        {
            "kind": "weekly",
            "days": [1, 3],
            "start": "19:00",
            "end": "20:00",
            "timezone": "America/Chicago",
            "text": "Mon & Wed 7pm",
        },
        {"kind": "monthly_nth", "days": [4], "nths": [-1], "start": "18:30", "interval": 1},
        {"kind": "once", "dates": ["2026-12-01"], "exdates": [], "unknown": "ignored"},
        {"text": "Call first"},
    ],
)
def test_schedule_from_dict_builds_what_the_constructor_builds(data: dict) -> None:
    made = Schedule.from_dict(data)
    expected = Schedule(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k != "unknown"}
    )
    assert made == expected
    assert hash(made) == hash(expected)
    assert made.to_dict() == expected.to_dict()
    with pytest.raises(FrozenInstanceError):
        made.text = "changed"  # type: ignore[misc]


def test_schedule_does_not_reach_up_into_rrule() -> None:
    """schedule.rrule builds on schedule.recurrence, never the other way (no import circle)."""
    import peerfind.schedule.recurrence as schedule

    assert not hasattr(schedule, "to_rrule") and not hasattr(schedule, "__getattr__")
    source = schedule.__loader__.get_source(schedule.__name__)  # type: ignore[union-attr]
    assert not re.search(
        r"^\s*(from peerfind\.schedule(\.rrule| import .*\brrule)|import .*rrule)", source, re.M
    )
