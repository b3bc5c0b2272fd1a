"""Tests of the Pathminder (SMART Recovery, LifeRing) scraper against reconstructed fixtures."""

from __future__ import annotations

import pytest
from scraper_fixtures import load_page, run_offline

from peerfind.scraping import SourceConfig
from scrapers.pathminder import Pathminder

AREA = "pathminder"


@pytest.fixture(scope="module")
def crawl():
    scraper = Pathminder()
    groups, missing = run_offline(scraper, AREA)
    return scraper, {g.source_key: g for g in groups}, missing


def test_disabled_by_default_and_starts_at_both_sitemaps():
    assert Pathminder.enabled_by_default is False
    assert Pathminder().urls() == (
        "https://meetings.smartrecovery.org/sitemap.xml",
        "https://meetings.lifering.org/sitemap.xml",
    )


def test_sitemap_follows_only_meeting_pages():
    items = list(Pathminder().parse(load_page(AREA, "smart-sitemap.xml")))
    assert [(f.url, f.callback) for f in items] == [
        ("https://meetings.smartrecovery.org/meetings/12345/", "parse_meeting"),
        ("https://meetings.smartrecovery.org/meetings/12346/", "parse_meeting"),
        ("https://meetings.smartrecovery.org/meetings/12347/", "parse_meeting"),
    ]


def test_one_listing_per_active_meeting(crawl):
    scraper, groups, missing = crawl
    assert sorted(groups) == ["lifering:501", "smart:12345", "smart:12346"]
    assert missing == []
    assert scraper.report.skipped["no AddEvent block"] == 1


def test_weekly_schedule_from_addevent(crawl):
    s = crawl[1]["smart:12345"].schedule
    assert (s.kind, s.days, s.start, s.end, s.timezone) == (
        "weekly",
        (2,),
        "19:00",
        "20:30",
        "America/Chicago",
    )
    assert s.text == "Tuesdays 7:00–8:30 PM"


def test_in_person_address_from_directions_link(crawl):
    g = crawl[1]["smart:12345"]
    assert (g.format, g.address, g.city, g.region, g.postal_code, g.country) == (
        "in_person",
        "400 Example Road",
        "Springfield",
        "IL",
        "62702",
        "US",
    )
    assert g.join_url == ""


def test_name_organization_topics(crawl):
    g = crawl[1]["smart:12345"]
    assert (g.name, g.organization, g.topics, g.source) == (
        "SMART Recovery Springfield Tuesday Meeting",
        "SMART Recovery",
        ("substance_use",),
        "pathminder",
    )
    assert g.source_url == "https://meetings.smartrecovery.org/meetings/12345/"


def test_audience_and_language_labels(crawl):
    g = crawl[1]["smart:12345"]
    assert (g.populations, g.languages) == (("lgbtq",), ("en",))


def test_facilitator_names_are_not_kept(crawl):
    g = crawl[1]["smart:12345"]
    assert "Sam" not in g.description
    assert g.description == (
        "A self-empowering, science-based mutual support meeting.\nPlease use the side entrance."
    )


def test_online_meeting_with_pathcheck_link(crawl):
    g = crawl[1]["smart:12346"]
    assert (g.format, g.join_url, g.address, g.city, g.region) == (
        "online",
        "https://instance-us.pathcheck.net/j/abc123XYZ",
        "",
        "",
        "",
    )


def test_monthly_rrule_and_family_audience(crawl):
    g = crawl[1]["smart:12346"]
    s = g.schedule
    assert (s.kind, s.days, s.nths, s.start, s.end, s.timezone) == (
        "monthly_nth",
        (4,),
        (2,),
        "18:00",
        "19:00",
        "America/New_York",
    )
    assert (g.populations, g.languages) == (("families", "young_adults"), ("es",))
    assert g.name == "SMART Family & Friends en Español"


def test_host_contact_is_dropped(crawl):
    text = crawl[1]["smart:12346"].description
    assert text == "Reunión en línea para familiares y amigos."


def test_lifering_hybrid_meeting(crawl):
    g = crawl[1]["lifering:501"]
    assert (g.organization, g.name, g.format) == (
        "LifeRing Secular Recovery",
        "LifeRing Salem Noon Meeting",
        "hybrid",
    )
    assert (g.address, g.city, g.region, g.postal_code) == (
        "500 Placeholder Street",
        "Salem",
        "OR",
        "97301",
    )
    assert g.join_url == "https://instance-us.pathcheck.net/j/lr501"


def test_lifering_rrule_prefix_and_two_days(crawl):
    s = crawl[1]["lifering:501"].schedule
    assert (s.kind, s.days, s.start, s.end, s.timezone) == (
        "weekly",
        (1, 4),
        "12:00",
        "13:00",
        "America/Los_Angeles",
    )


def test_unknown_language_label_is_ignored(crawl):
    g = crawl[1]["lifering:501"]
    assert (g.languages, g.populations) == (("en",), ("women",))


def test_configured_program_wins_over_host():
    scraper = Pathminder(
        SourceConfig(name="pathminder", url="http://127.0.0.1:9/sitemap.xml", program="lifering")
    )
    assert scraper.program("http://127.0.0.1:9/meetings/501/").organization == (
        "LifeRing Secular Recovery"
    )
    assert scraper.urls() == ("http://127.0.0.1:9/sitemap.xml",)


def test_every_listing_is_valid(crawl):
    for group in crawl[1].values():
        assert group.problems() == []
