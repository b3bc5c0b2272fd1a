"""The Meeting Guide parser on real feeds (tests/fixtures/meeting_guide, see ATTRIBUTION.md)."""

from __future__ import annotations

import pytest
from conftest import load_page

from peerfind import vocab
from peerfind.errors import ParseError
from peerfind.models import Group, Page
from peerfind.platforms.meeting_guide import MeetingGuide, parse_days, parse_time, zone_hint
from peerfind.scraping import SourceConfig


def parse(name: str, program: str = "", **cfg: object) -> tuple[list[Group], MeetingGuide]:
    """Parse one fixture feed and return its groups and the scraper (for its report)."""
    scraper = MeetingGuide(SourceConfig(name="test", program=program, **cfg))  # type: ignore[arg-type]
    return scraper.parse_groups(load_page(f"meeting_guide/{name}")), scraper


ALANON, ALANON_SCRAPER = parse("tsml-ui-al-anon.json", "al-anon", timezone="America/New_York")
EDA, _ = parse("tsml-ui-eda.json", "eda")
ATLANTA, _ = parse("tsml-ui-atlanta-aa.json", "aa", region="GA")
ONTARIO, _ = parse("spec-kansas-city-data-sample.json", "aa")


def by_key(groups: list[Group], key: str) -> Group:
    """Return the group with this source key."""
    return next(g for g in groups if g.source_key == key)


def test_counts_and_report() -> None:
    assert (len(ALANON), len(EDA), len(ATLANTA), len(ONTARIO)) == (360, 185, 6, 45)
    assert ALANON_SCRAPER.report.produced == 360
    assert not ALANON_SCRAPER.report.skipped


def test_attendance_options_map_to_formats() -> None:
    formats = [g.format for g in ALANON]
    assert formats.count(vocab.HYBRID) == 60
    assert formats.count(vocab.ONLINE) + formats.count(vocab.PHONE) == 113
    assert sum(g.status == vocab.TEMPORARILY_CLOSED for g in ALANON) == 31


def test_hybrid_record_fields() -> None:
    g = by_key(ALANON, "30562453-sunday-night-serenity-step-afg")
    assert g.name == "Sunday Night Serenity Step AFG"  # the feed's group ID stays in the key
    assert g.format == vocab.HYBRID
    assert g.schedule.days == (0,) and g.schedule.start == "19:00"
    assert g.schedule.timezone == "America/New_York"
    assert g.join_url == "https://us06web.zoom.us/j/85254380832"  # no ?pwd= passcode
    assert g.join_phone == "+19292056099"  # one-tap string cut before the meeting id
    assert "123456" not in g.description and "852 5438" not in g.description
    assert (
        g.source_url
        == "https://staging7.alanonma.org/meetings/30562453-sunday-night-serenity-step-afg/"
    )
    assert g.source_updated == "2023-08-22"
    assert g.last_seen == "2026-11-01"
    assert "families" in g.populations and "alcohol" in g.topics


def test_alanon_program_codes() -> None:
    alateen = by_key(ALANON, "30813985-hope-a-day-at-a-time-alateen")
    assert "youth" in alateen.populations  # Y means Alateen in Al-Anon lists, not young adults
    assert "young_adults" not in alateen.populations
    inactive = by_key(ALANON, "63680-just-for-today-afg")
    assert inactive.status == vocab.TEMPORARILY_CLOSED


def test_personal_fields_never_stored() -> None:
    for g in ALANON + EDA + ATLANTA:
        blob = repr(g)
        assert "daveb" not in blob and "smoore" not in blob  # WordPress authors
        assert "admin@test.com" not in blob  # placeholder entity e-mail
    san_diego = by_key(EDA, "san-diego-ca-monday-12")
    assert "ringhome@pacbell.net" not in san_diego.description
    assert "619-895-0042" not in san_diego.description
    assert "Allied Gardens Recreation Center Park" in san_diego.description


def test_zone_from_the_publishers_words() -> None:
    chicago = next(g for g in EDA if g.name.startswith("Finding Balance in EDA - Chicago"))
    assert (chicago.schedule.start, chicago.schedule.timezone) == ("20:15", "America/Chicago")
    assert chicago.schedule.end == "21:15"
    assert zone_hint("Mountain View, AR - 11am Central") == ("America/Chicago", "11:00")
    assert zone_hint("noon Pacific") == ("America/Los_Angeles", "12:00")
    assert zone_hint("Ukraine group") is None


def test_split_address_record() -> None:
    g = by_key(ONTARIO, "8")  # integer slug in an old feed
    assert (g.name, g.venue, g.address, g.city, g.country) == (
        "Tweed Group",
        "St Andrews Church",
        "55 Victoria St N",
        "Tweed",
        "CA",
    )
    assert g.schedule.days == (2,) and g.schedule.start == "19:30" and g.schedule.end is None
    assert g.latitude == pytest.approx(44.4759824) and g.geo_precision == "exact"


def test_formatted_address_record() -> None:
    g = by_key(ATLANTA, "early-sunday-morning")
    assert (g.address, g.city, g.region, g.postal_code) == (
        "5881 Old Bascomb Rd",
        "Acworth",
        "GA",
        "30102",
    )
    assert g.format == vocab.IN_PERSON
    assert g.schedule.end == "10:00"


def test_approximate_online_point_is_city_precision() -> None:
    g = by_key(ALANON, "25037-par-ents-afg")
    assert g.format == vocab.ONLINE and g.geo_precision == "city"


def test_spec_example_types() -> None:
    (g,), _ = parse("spec-example.json")
    assert {"lgbtq", "transgender"} <= set(g.populations)
    assert g.email == "info@district123.org" and g.website == "https://district123.org"
    assert g.schedule.end == "19:30"


def test_appointment_and_timezones() -> None:
    groups, _ = parse("tsml-ui-appointment.test.json")
    appt = by_key(groups, "josh-meeting")
    assert appt.schedule.kind == "appointment" and appt.format == vocab.ONLINE
    tz, _ = parse("tsml-ui-timezones.test.json")
    assert by_key(tz, "sf-meeting").schedule.timezone == "America/Los_Angeles"


def test_every_group_is_valid() -> None:
    for g in ALANON + EDA + ATLANTA + ONTARIO:
        assert g.problems() == [], (g.source_key, g.problems())


def test_lenient_field_types() -> None:
    assert parse_days([1, "3"]) == [1, 3]
    assert parse_days(7) is None
    assert parse_time("7:05") == "07:05" and parse_time("19:30:00") == "19:30"
    assert parse_time("25:00") is None


@pytest.mark.parametrize(
    "body, reason",
    [
        ("<!DOCTYPE html><html>Just a moment...</html>", "HTML page"),
        ('[{"name": "x", "slug": "a"', "invalid JSON"),
        ('{"meetings": []}', "not a JSON array"),
    ],
)
def test_bad_feeds_raise_parse_error(body: str, reason: str) -> None:
    page = Page(
        url="http://127.0.0.1/feed",
        text=body,
        fetched_at=load_page("meeting_guide/spec-example.json").fetched_at,
    )
    with pytest.raises(ParseError, match=reason):
        MeetingGuide().parse_groups(page)


def test_bad_rows_are_skipped_and_counted() -> None:
    body = (
        '[{"name": "ok", "slug": "a", "day": 1, "time": "19:00"}, 5, {"slug": "b"},'
        ' {"name": "bad day", "slug": "c", "day": 9, "time": "10:00"},'
        ' {"name": "dup", "slug": "a", "day": 1, "time": "19:00"}]'
    )
    page = Page(
        url="http://127.0.0.1/feed",
        text=body,
        fetched_at=load_page("meeting_guide/spec-example.json").fetched_at,
    )
    scraper = MeetingGuide()
    groups = scraper.parse_groups(page)
    assert [g.name for g in groups] == ["ok"]
    assert dict(scraper.report.skipped) == {
        "not an object": 1,
        "no name or slug": 1,
        "invalid day or time": 1,
        "duplicate slug": 1,
    }
