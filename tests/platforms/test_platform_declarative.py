"""Tests of the declarative "css" platform: groups read from a page with configured selectors."""

from __future__ import annotations

import tomllib

import pytest
from scraper_fixtures import load_page, run_offline

from peerfind.errors import UsageError
from peerfind.platforms import platform_class
from peerfind.platforms.declarative import CssPage
from peerfind.scraping import SourceConfig

AREA = "declarative"
ENTRY = """
[[source]]
name = "example-center-groups"
platform = "css"
url = "https://community.example.org/support-groups/"
organization = "Example Community Center"
region = "OR"
[source.options]
block = "article.group"
name = "h3"
schedule = ".when"
venue = ".where .room"
address = ".where .street"
description = ".about"
link = "h3 a"
join = "a.join"
format = ".where .format"
next = "a.next"
"""


def config(**options: str) -> SourceConfig:
    row = tomllib.loads(ENTRY)["source"][0]
    opts = {**row.pop("options"), **options}
    return SourceConfig(options=opts, **row)


@pytest.fixture(scope="module")
def crawl():
    scraper = CssPage(config())
    groups, missing = run_offline(scraper, AREA)
    return scraper, {g.name: g for g in groups}, missing


def test_registered_as_platform_css():
    assert platform_class("css") is CssPage


def test_groups_across_two_pages(crawl):
    scraper, groups, missing = crawl
    assert sorted(groups) == [
        "Family Caregivers Support Group",
        "Grief & Loss Circle",
        "LGBTQ+ Young Adults Peer Group",
        "Veterans Coffee & Conversation",
    ]
    assert missing == []
    assert scraper.report.skipped["block without a name"] == 1


def test_schedule_read_from_prose(crawl):
    s = crawl[1]["Grief & Loss Circle"].schedule
    assert (s.kind, s.days, s.nths, s.start, s.end, s.timezone) == (
        "monthly_nth",
        (2,),
        (2, 4),
        "18:00",
        "19:30",
        "America/Los_Angeles",
    )
    assert s.text == "2nd & 4th Tuesdays, 6:00-7:30 PM"


def test_address_selector_holding_the_whole_address(crawl):
    g = crawl[1]["Grief & Loss Circle"]
    assert (g.venue, g.address, g.city, g.region, g.postal_code, g.format) == (
        "Room 12",
        "500 Example Street",
        "Salem",
        "OR",
        "97301",
        "in_person",
    )


def test_link_becomes_source_url_and_organization_from_config(crawl):
    g = crawl[1]["Grief & Loss Circle"]
    assert g.source_url == "https://community.example.org/groups/grief-circle/"
    assert (g.organization, g.source) == ("Example Community Center", "example-center-groups")


def test_description_is_scrubbed_and_tagged(crawl):
    g = crawl[1]["Grief & Loss Circle"]
    assert g.description == "For anyone grieving the death of a loved one."
    assert g.topics == ("grief_loss",)


def test_online_group_from_format_hint(crawl):
    g = crawl[1]["LGBTQ+ Young Adults Peer Group"]
    assert (g.format, g.join_url, g.address) == (
        "online",
        "https://example.zoom.us/j/5550100123",
        "",
    )
    assert g.populations == ("lgbtq", "young_adults")
    assert (g.schedule.kind, g.schedule.days, g.schedule.start) == ("weekly", (4,), "19:00")


def test_unreadable_schedule_is_kept_as_published(crawl):
    s = crawl[1]["Family Caregivers Support Group"].schedule
    assert (s.kind, s.text) == ("unparsed", "Call for dates and times")


def test_second_page_group(crawl):
    g = crawl[1]["Veterans Coffee & Conversation"]
    assert (g.schedule.kind, g.schedule.nths, g.schedule.days, g.schedule.start) == (
        "monthly_nth",
        (1,),
        (6,),
        "09:00",
    )
    assert g.populations == ("veterans",)
    assert g.source_url == "https://community.example.org/support-groups/page/2/"


def test_every_listing_is_valid(crawl):
    for group in crawl[1].values():
        assert group.problems() == []


def test_missing_required_selector_is_a_usage_error():
    scraper = CssPage(SourceConfig(name="x", platform="css", options={"block": "article"}))
    with pytest.raises(UsageError, match="needs options name"):
        list(scraper.parse(load_page(AREA, "support-groups.html")))


def test_misspelt_option_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown css option"):
        list(CssPage(config(adress=".where")).parse(load_page(AREA, "support-groups.html")))


def test_default_format_applies_when_nothing_says_otherwise():
    scraper = CssPage(config(format="", join="", default_format="hybrid"))
    groups = {g.name: g for g in scraper.parse_groups(load_page(AREA, "support-groups.html"))}
    assert groups["Family Caregivers Support Group"].format == "hybrid"
    assert groups["LGBTQ+ Young Adults Peer Group"].format == "online"  # "Zoom" in its block
