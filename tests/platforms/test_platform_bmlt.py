"""The BMLT semantic-API parser on a real GetSearchResults record (tests/fixtures/bmlt).

The meeting record is real (bmlt-enabled/bmlt-workflow, see ATTRIBUTION.md); the GetFormats page is
reconstructed from the documented SemanticFormat structure with BMLT's stock formats. Variations
below start from a copy of the real record and change only the fields under test.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import FIXTURES, load_page

from peerfind import vocab
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page
from peerfind.platforms import platform_class
from peerfind.platforms.bmlt import FIELDS, Bmlt
from peerfind.scraping import SourceConfig

ROOT = "http://54.153.167.239/main_server"
FORMATS_URL = f"{ROOT}/client_interface/json/?switcher=GetFormats"
FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
RECORD: dict[str, str] = json.loads(
    (FIXTURES / "bmlt/bmlt-workflow-GetSearchResults-one-meeting.json").read_text()
)[0]


def scraper(**cfg: Any) -> Bmlt:
    """Return a BMLT parser for the sample's root server."""
    cfg.setdefault("timezone", "Australia/Sydney")
    return Bmlt(SourceConfig(name="na-test", platform="bmlt", url=f"{ROOT}/", **cfg))


def run(parser: Bmlt, rows: list[Any] | None = None) -> list[Group]:
    """Parse the formats page, follow to the search page (real record or `rows`), return groups."""
    formats = load_page(
        "bmlt/bmlt-GetFormats-reconstructed.json", url=FORMATS_URL, fetched_at=FETCHED
    )
    (follow,) = list(parser.parse(formats))
    assert isinstance(follow, Follow)
    if rows is None:
        page = load_page(
            "bmlt/bmlt-workflow-GetSearchResults-one-meeting.json",
            url=follow.url,
            fetched_at=FETCHED,
        )
    else:
        page = Page(url=follow.url, text=json.dumps(rows), fetched_at=FETCHED)
    return [
        g for g in getattr(parser, follow.callback)(page, **follow.meta) if isinstance(g, Group)
    ]


def variant(**changes: str) -> dict[str, str]:
    """Return a copy of the real record with some fields changed."""
    return {**RECORD, **changes}


def test_registered() -> None:
    assert platform_class("bmlt") is Bmlt


def test_urls_start_with_formats_then_search_results() -> None:
    parser = scraper(options={"services": [6, "12"]})
    assert parser.urls() == (FORMATS_URL,)
    url = parser.search_url(ROOT)
    assert url.startswith(f"{ROOT}/client_interface/json/?switcher=GetSearchResults&")
    assert "services[]=6&services[]=12&recursive=1" in url
    assert "data_field_key=id_bigint,worldid_mixed," in url
    assert "contact_" not in url
    assert all(f in url for f in ("virtual_meeting_link", "phone_meeting_number", "time_zone"))
    assert "services" not in scraper().search_url(ROOT)


def test_formats_page_follows_to_search_results_with_formats() -> None:
    parser = scraper()
    page = load_page("bmlt/bmlt-GetFormats-reconstructed.json", url=FORMATS_URL, fetched_at=FETCHED)
    (follow,) = list(parser.parse(page))
    assert follow.url == parser.search_url(ROOT)
    assert follow.meta["formats"]["JT"]["world_id"] == "JFT"
    assert parser.formats["HY"]["world_id"] == "HYBR"
    assert len(parser.formats) == 15


def test_real_meeting_fields() -> None:
    parser = scraper()
    (group,) = run(parser)
    assert group.source_key == "3277"
    assert group.name == "Online Meeting - Maroubra Nightly"
    assert (
        group.source_url == f"{ROOT}/client_interface/json/?switcher=GetSearchResults"
        "&meeting_ids[]=3277"
    )
    assert group.schedule.kind == "weekly"
    assert group.schedule.days == (2,)  # weekday_tinyint "3" = Tuesday
    assert (group.schedule.start, group.schedule.end) == ("19:00", "20:00")
    assert group.schedule.timezone == "Australia/Sydney"  # time_zone "" -> config
    assert group.format == vocab.ONLINE  # venue_type "2", no link, no phone number
    assert group.geo_precision == "city"  # a virtual meeting's home-area point
    assert (group.latitude, group.longitude) == (-33.9495, 151.2437)
    assert (group.venue, group.address) == ("", "")
    assert (group.city, group.region, group.postal_code) == ("Maroubra", "NSW", "2035")
    assert group.topics == ("substance_use",)
    assert group.source_types == ("JT", "LC", "VM")
    assert group.status == vocab.ACTIVE
    assert group.problems() == []


def test_real_meeting_keeps_no_meeting_id_or_passcode() -> None:
    (group,) = run(scraper())
    dumped = json.dumps(group.to_dict())
    assert "83037287669" not in dumped and "096387" not in dumped
    assert group.join_notes == ""
    assert group.join_url == "" and group.join_phone == ""


def test_report_counts_for_the_sample() -> None:
    parser = scraper()
    run(parser)
    assert parser.report.produced == 1
    assert not parser.report.skipped


def test_sunday_and_midnight_rollover() -> None:
    (group,) = run(
        scraper(), [variant(weekday_tinyint="1", start_time="23:30:00", duration_time="01:15:00")]
    )
    assert group.schedule.days == (0,)
    assert (group.schedule.start, group.schedule.end) == ("23:30", "00:45")


def test_meeting_time_zone_wins_over_config() -> None:
    (group,) = run(scraper(), [variant(time_zone="Australia/Perth")])
    assert group.schedule.timezone == "Australia/Perth"


def test_hybrid_with_population_and_access_formats() -> None:
    row = variant(
        venue_type="3",
        formats="W,HY,WC,GL",
        location_text="Community Hall",
        location_street="1 Example St",
        virtual_meeting_link="https://zoom.us/j/83037287669?pwd=abc",
    )
    (group,) = run(scraper(), [row])
    assert group.format == vocab.HYBRID
    assert group.geo_precision == "exact"
    assert (group.venue, group.address) == ("Community Hall", "1 Example St")
    assert group.populations == ("lgbtq", "women")
    assert group.accessibility == ("wheelchair",)
    assert group.join_url == "https://zoom.us/j/83037287669"  # query (passcode) dropped


def test_languages_asl_youth_newcomers_through_world_ids() -> None:
    (group,) = run(scraper(), [variant(formats="ES,SL,YP,B,M", venue_type="1")])
    assert group.languages == ("es",)
    assert group.accessibility == ("asl",)
    assert group.populations == ("deaf_hoh", "men", "newcomers", "young_adults")
    assert group.format == vocab.IN_PERSON


def test_phone_only_virtual_meeting() -> None:
    (group,) = run(scraper(), [variant(phone_meeting_number="+61 2 0000 0000,,123#")])
    assert group.format == vocab.PHONE
    assert group.join_phone == "+61 2 0000 0000"


def test_temporarily_closed_venue() -> None:
    (closed,) = run(scraper(), [variant(venue_type="1", formats="TC,JT")])
    assert closed.status == vocab.TEMPORARILY_CLOSED
    (hybrid,) = run(scraper(), [variant(venue_type="3", formats="TC,HY")])
    assert (hybrid.format, hybrid.status) == (vocab.ONLINE, vocab.ACTIVE)


def test_contact_fields_are_dropped() -> None:
    row = variant(
        contact_name_1="Private Person",
        contact_email_1="someone@mail.example",
        contact_phone_1="0400 000 000",
        comments="Call 0400 000 001 for the key",
    )
    (group,) = run(scraper(), [row])
    dumped = json.dumps(group.to_dict())
    assert "Private Person" not in dumped and "someone@mail.example" not in dumped
    assert "0400 000 000" not in dumped and "0400 000 001" not in dumped


def test_program_sets_topic() -> None:
    (group,) = run(scraper(program="aa"), [RECORD])
    assert group.topics == ("alcohol",)


def test_search_page_without_formats_uses_stock_keys() -> None:
    parser = scraper()
    page = load_page(
        "bmlt/bmlt-workflow-GetSearchResults-one-meeting.json",
        url=parser.search_url(ROOT),
        fetched_at=FETCHED,
    )
    (group,) = parser.parse_groups(page)
    assert group.format == vocab.ONLINE and group.source_types == ("JT", "LC", "VM")


def test_get_used_formats_envelope() -> None:
    parser = scraper()
    formats = json.loads((FIXTURES / "bmlt/bmlt-GetFormats-reconstructed.json").read_text())
    page = Page(
        url=parser.search_url(ROOT) + "&get_used_formats=1",
        fetched_at=FETCHED,
        text=json.dumps({"meetings": [variant(formats="W")], "formats": formats}),
    )
    (group,) = parser.parse_groups(page)
    assert group.populations == ("women",)


def test_bad_rows_are_skipped_and_counted() -> None:
    parser = scraper()
    rows: list[Any] = [
        RECORD,
        RECORD,
        "oops",
        7,
        variant(id_bigint="1", weekday_tinyint="9"),
        variant(id_bigint="2", start_time="25:00:00"),
        variant(id_bigint="3", meeting_name=""),
        variant(id_bigint="4", published="0"),
    ]
    groups = run(parser, rows)
    assert [g.source_key for g in groups] == ["3277"]
    assert parser.report.produced == 1
    assert parser.report.skipped == {
        "duplicate id": 1,
        "not an object": 2,
        "invalid day or time": 2,
        "no id or name": 1,
        "unpublished": 1,
    }


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
        '[{"id_bigint":"3277","meeting_name":"Online',
        "",
        '{"error": "not found"}',
        "null",
    ],
)
def test_bad_search_pages_raise_parse_error(text: str) -> None:
    parser = scraper()
    with pytest.raises(ParseError):
        list(parser.parse(Page(url=parser.search_url(ROOT), text=text, fetched_at=FETCHED)))


@pytest.mark.parametrize("text", ['{"formats": []}', "<html></html>", '[{"key_string"'])
def test_bad_formats_pages_raise_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        list(scraper().parse(Page(url=FORMATS_URL, text=text, fetched_at=FETCHED)))


def test_empty_search_results_is_no_groups() -> None:
    parser = scraper()
    assert run(parser, []) == []
    assert parser.report.produced == 0


def test_fields_requested_never_include_contacts() -> None:
    assert not [f for f in FIELDS if f.startswith("contact_")]
