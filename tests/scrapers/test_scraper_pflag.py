"""Tests of the PFLAG scraper (chapters and chapter meetings) against reconstructed fixtures."""

from __future__ import annotations

import pytest
from scraper_fixtures import load_page, run_offline

from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page
from scrapers.pflag import Pflag, load_chapters

AREA = "pflag"
MEETING = "pflag-example-city:monthly-support-meeting:19:00"
TRANS = "pflag-example-city:trans-family-support-group:18:30"


@pytest.fixture(scope="module")
def crawl():
    scraper = Pflag()
    groups, missing = run_offline(scraper, AREA)
    return scraper, {g.source_key: g for g in groups}, missing


def test_chapter_data_is_a_json_string_inside_tmscripts():
    chapters = load_chapters(load_page(AREA, "findachapter.html"))
    assert [c["chapter_name"] for c in chapters][:2] == [
        "PFLAG Example City",
        "PFLAG Sample Town &amp; County",
    ]


def test_page_without_tmscripts_is_a_parse_error():
    page = load_page(AREA, "findachapter.html")
    with pytest.raises(ParseError):
        list(Pflag().parse(Page(page.url, "<html>Just a moment...</html>", page.fetched_at)))


def test_find_a_chapter_yields_chapters_and_follows():
    scraper = Pflag()
    items = list(scraper.parse(load_page(AREA, "findachapter.html")))
    assert [i.name for i in items if isinstance(i, Group)] == [
        "PFLAG Example City",
        "PFLAG Sample Town & County",
        "PFLAG Placeholder Valley",
    ]
    assert [(i.url, i.callback) for i in items if isinstance(i, Follow)] == [
        ("https://pflag.org/chapter/pflag-example-city/", "parse_chapter"),
        ("https://pflag.org/chapter/pflag-sample-town/", "parse_chapter"),
    ]
    assert scraper.report.skipped["chapter without a name"] == 1


def test_all_listings(crawl):
    _, groups, missing = crawl
    assert sorted(groups) == sorted(
        [
            "chapter:pflag-placeholder-valley",
            "chapter:pflag-example-city",
            "chapter:pflag-sample-town",
            MEETING,
            TRANS,
        ]
    )
    assert missing == []


def test_chapter_fields(crawl):
    g = crawl[1]["chapter:pflag-example-city"]
    assert (g.name, g.organization, g.populations) == (
        "PFLAG Example City",
        "PFLAG Example City",
        ("families", "lgbtq"),
    )
    assert (g.address, g.city, g.region, g.postal_code, g.country) == (
        "200 Sample Street",
        "Springfield",
        "IL",
        "62701",
        "US",
    )
    assert (g.latitude, g.longitude, g.geo_precision) == (39.799, -89.644, "exact")
    assert (g.phone, g.email, g.website) == (
        "(217) 555-0163",
        "info@pflagexample.org",
        "https://pflagexample.org",
    )
    assert g.source_url == "https://pflag.org/chapter/pflag-example-city/"


def test_chapter_without_street_is_city_precision(crawl):
    g = crawl[1]["chapter:pflag-sample-town"]
    assert (g.address, g.city, g.region, g.geo_precision) == ("", "Sample Town", "VT", "city")


def test_chapter_without_page_keeps_the_directory_url(crawl):
    g = crawl[1]["chapter:pflag-placeholder-valley"]
    assert (g.source_url, g.latitude, g.geo_precision) == (
        "https://pflag.org/findachapter/",
        None,
        "none",
    )


def test_dated_instances_fold_into_third_tuesday(crawl):
    s = crawl[1][MEETING].schedule
    assert (s.kind, s.days, s.nths) == ("monthly_nth", (2,), (3,))
    assert (s.start, s.end, s.timezone) == ("19:00", "20:30", "America/Chicago")


def test_meeting_place(crawl):
    g = crawl[1][MEETING]
    assert (g.format, g.venue, g.address, g.city, g.region, g.postal_code) == (
        "in_person",
        "First Example Church",
        "300 Placeholder Avenue",
        "Springfield",
        "IL",
        "62704",
    )


def test_meeting_identity_and_populations(crawl):
    g = crawl[1][MEETING]
    assert (g.name, g.organization, g.source) == (
        "Monthly Support Meeting",
        "PFLAG Example City",
        "pflag",
    )
    assert g.populations == ("families", "lgbtq")
    assert g.source_url == "https://pflag.org/chapter/pflag-example-city/"


def test_facilitator_is_not_stored(crawl):
    g = crawl[1][MEETING]
    assert "Sam" not in g.description
    assert g.description.startswith("A confidential peer support meeting")


def test_recurrence_in_words_wins_over_one_date(crawl):
    s = crawl[1][TRANS].schedule
    assert (s.kind, s.days, s.nths, s.start, s.end, s.timezone) == (
        "monthly_nth",
        (1,),
        (1,),
        "18:30",
        "20:00",
        "America/Chicago",
    )


def test_online_meeting_fields(crawl):
    g = crawl[1][TRANS]
    assert (g.format, g.address, g.city) == ("online", "", "")
    assert g.join_url == "https://us02web.zoom.us/j/5550100000"
    assert g.populations == ("families", "lgbtq", "transgender")


def test_meeting_ids_and_passcodes_are_scrubbed(crawl):
    text = crawl[1][TRANS].description
    assert "passcode" not in text.lower() and "555 0100" not in text


def test_picnic_and_board_meeting_are_skipped(crawl):
    skipped = crawl[0].report.skipped
    assert skipped["not a support meeting"] == 2
    assert skipped["event without a date, time or title"] == 1


def test_every_listing_is_valid(crawl):
    for group in crawl[1].values():
        assert group.problems() == []
