"""Tests of the Mental Health America affiliates scraper against reconstructed fixtures."""

from __future__ import annotations

import pytest
from scraper_fixtures import load_page, run_offline

from scrapers.mha_affiliates import MhaAffiliates

AREA = "mha_affiliates"


@pytest.fixture(scope="module")
def crawl():
    scraper = MhaAffiliates()
    groups, missing = run_offline(scraper, AREA)
    return scraper, {g.source_key: g for g in groups}, missing


def test_sitemap_follows_every_page():
    items = list(MhaAffiliates().parse(load_page(AREA, "affiliates-sitemap.xml")))
    assert [(f.url, f.callback) for f in items] == [
        ("https://mhanational.org/affiliates/", "parse_affiliate"),
        (
            "https://mhanational.org/affiliates/mental-health-america-of-example-county/",
            "parse_affiliate",
        ),
        ("https://mhanational.org/affiliates/mha-sample-valley/", "parse_affiliate"),
    ]


def test_one_listing_per_affiliate_page(crawl):
    scraper, groups, missing = crawl
    assert sorted(groups) == ["mental-health-america-of-example-county", "mha-sample-valley"]
    assert missing == []
    assert scraper.report.skipped["no name or content"] == 1  # the /affiliates/ index page


def test_name_and_organization(crawl):
    g = crawl[1]["mental-health-america-of-example-county"]
    assert (g.name, g.organization, g.source) == (
        "Mental Health America of Example County",
        "Mental Health America of Example County",
        "mha_affiliates",
    )


def test_address_lines_skip_the_intro_line(crawl):
    g = crawl[1]["mental-health-america-of-example-county"]
    assert (g.address, g.city, g.region, g.postal_code, g.country) == (
        "100 Example Avenue, Suite 200",
        "Springfield",
        "IL",
        "62701",
        "US",
    )


def test_state_written_in_full(crawl):
    g = crawl[1]["mha-sample-valley"]
    assert (g.address, g.city, g.region, g.postal_code) == (
        "P.O. Box 0000",
        "Sample Town",
        "VT",
        "05601",
    )


def test_phone(crawl):
    assert crawl[1]["mental-health-america-of-example-county"].phone == "(217) 555-0123"
    assert crawl[1]["mha-sample-valley"].phone == "802-555-0188"


def test_website_link_or_text(crawl):
    assert crawl[1]["mental-health-america-of-example-county"].website == "https://mhaexample.org"
    assert crawl[1]["mha-sample-valley"].website == "https://www.mhasamplevalley.example.org"


def test_kind_of_listing(crawl):
    g = crawl[1]["mha-sample-valley"]
    assert (g.format, g.topics, g.email, g.geo_precision) == (
        "in_person",
        ("mental_health",),
        "",
        "none",
    )
    assert g.source_url == "https://mhanational.org/affiliates/mha-sample-valley/"
    assert g.last_seen == "2026-03-10"


def test_every_listing_is_valid(crawl):
    for group in crawl[1].values():
        assert group.problems() == []
