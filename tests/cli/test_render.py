"""How the next meeting is phrased: in the user's zone for online groups, local for in-person."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from peerfind import vocab
from peerfind.cli.render import next_text
from peerfind.models import Group, Schedule
from peerfind.search.engine import Result

NY, LONDON = ZoneInfo("America/New_York"), ZoneInfo("Europe/London")
SCHED = Schedule(kind="weekly", days=(2,), start="19:00", timezone="America/New_York")


def result(fmt: str) -> Result:
    """A Tuesday 7 PM (New York) group of the given format, meeting next on 24 Nov 2026."""
    group = Group(source="t", source_key="1", name="Tuesday group", format=fmt, schedule=SCHED)
    return Result(group, None, datetime(2026, 11, 24, 19, 0, tzinfo=NY), 1)


def test_online_group_in_the_users_zone() -> None:
    current = datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
    assert next_text(result(vocab.ONLINE), current) == "tomorrow 12:00 AM, in 12 h"


def test_in_person_group_in_its_own_zone_with_abbreviation() -> None:
    current = datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
    assert next_text(result(vocab.IN_PERSON), current) == "today 7:00 PM EST, in 12 h"


def test_same_zone_needs_no_abbreviation() -> None:
    current = datetime(2026, 11, 24, 18, 30, tzinfo=NY)
    assert next_text(result(vocab.IN_PERSON), current) == "today 7:00 PM, in 30 min"


def test_footer_points_to_show_only_when_a_listing_is_shown() -> None:
    from peerfind.cli.render import footer

    with_results = footer([result(vocab.IN_PERSON)], width=100)
    assert "peerfind show ID" in with_results
    empty = footer([], width=100)
    assert "peerfind show ID" not in empty
    assert "988" in empty  # the crisis line stays under an empty result
