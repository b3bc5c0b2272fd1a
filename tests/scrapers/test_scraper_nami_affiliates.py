"""Tests of the NAMI affiliate directory scraper against reconstructed fixtures."""

from __future__ import annotations

import pytest
from scraper_fixtures import load_page, run_offline

from peerfind.errors import ParseError
from peerfind.models import Follow, Page
from scrapers.nami_affiliates import NamiAffiliates

AREA = "nami_affiliates"


@pytest.fixture(scope="module")
def crawl():
    scraper = NamiAffiliates()
    groups, missing = run_offline(scraper, AREA)
    return scraper, {g.source_key: g for g in groups}, missing


def test_list_page_follows_profiles_and_next_page():
    items = list(NamiAffiliates().parse(load_page(AREA, "affiliates-page1.json")))
    profiles = "https://www.nami.org/find-your-local-nami"
    assert [(f.url, f.callback) for f in items] == [
        (f"{profiles}/illinois/nami-example-county/", "parse_profile"),
        (f"{profiles}/new-york/nami-sample-valley/", "parse_profile"),
        (
            "https://www.nami.org/wp-json/wp/v2/affiliate?per_page=100&page=2&_fields=id,slug,link,title",
            "parse",
        ),
    ]
    assert items[0].meta == {"title": "NAMI Example County"}


def test_last_list_page_stops_and_counts_rows_without_link():
    scraper = NamiAffiliates()
    items = list(scraper.parse(load_page(AREA, "affiliates-page2.json")))
    assert [f.callback for f in items] == ["parse_profile"]
    assert scraper.report.skipped["no profile link"] == 1


def test_list_page_that_is_html_is_a_parse_error():
    page = load_page(AREA, "affiliates-page1.json")
    with pytest.raises(ParseError):
        list(NamiAffiliates().parse(Page(page.url, "<html>challenge</html>", page.fetched_at)))


def test_crawl_yields_one_listing_per_affiliate(crawl):
    _, groups, missing = crawl
    assert sorted(groups) == ["nami-example-county", "nami-placeholder-state", "nami-sample-valley"]
    assert missing == []


def test_identity_fields(crawl):
    g = crawl[1]["nami-example-county"]
    assert (g.source, g.name, g.organization) == (
        "nami_affiliates",
        "NAMI Example County",
        "NAMI Example County",
    )
    assert g.source_url == "https://www.nami.org/find-your-local-nami/illinois/nami-example-county/"


def test_address_is_split(crawl):
    g = crawl[1]["nami-example-county"]
    assert (g.address, g.city, g.region, g.postal_code, g.country) == (
        "100 Example Avenue, Suite 200",
        "Springfield",
        "IL",
        "62701",
        "US",
    )


def test_in_person_without_coordinates_until_geocoded(crawl):
    g = crawl[1]["nami-example-county"]
    assert (g.format, g.latitude, g.longitude, g.geo_precision) == ("in_person", None, None, "none")


def test_cloudflare_email_is_decoded(crawl):
    assert crawl[1]["nami-example-county"].email == "info@namiexample.org"
    assert crawl[1]["nami-sample-valley"].email == "hello@namisamplevalley.example.org"


def test_mailto_email(crawl):
    assert crawl[1]["nami-placeholder-state"].email == "office@placeholder.example.org"


def test_phone_and_website(crawl):
    g = crawl[1]["nami-example-county"]
    assert (g.phone, g.website) == ("(217) 555-0142", "https://namiexample.org/")


def test_topics_and_description(crawl):
    g = crawl[1]["nami-example-county"]
    assert g.topics == ("mental_health",)
    assert g.populations == ()
    assert g.description.endswith("Service area: Example County, Sample County.")


def test_state_from_url_when_no_address(crawl):
    g = crawl[1]["nami-sample-valley"]
    assert (g.address, g.city, g.region) == ("", "", "NY")


def test_dates_come_from_the_page(crawl):
    g = crawl[1]["nami-placeholder-state"]
    assert (g.first_seen, g.last_seen) == ("2026-07-15", "2026-07-15")


def test_every_listing_is_valid(crawl):
    for group in crawl[1].values():
        assert group.problems() == []


def test_profile_without_contact_block_is_skipped():
    page = load_page(AREA, "nami-example-county.html")
    scraper = NamiAffiliates()
    broken = Page(page.url, "<html><h1>NAMI Example County</h1></html>", page.fetched_at)
    assert list(scraper.parse_profile(broken)) == []
    assert scraper.report.skipped["no contact block"] == 1


def test_name_from_the_list_when_the_page_has_no_heading():
    page = load_page(AREA, "nami-example-county.html")
    no_heading = Page(
        page.url, page.text.replace("<h1", "<p").replace("</h1>", "</p>"), page.fetched_at
    )
    group = next(iter(NamiAffiliates().parse_profile(no_heading, title="NAMI Example &amp; Co")))
    assert group.name == "NAMI Example & Co"


def test_follow_type():
    items = list(NamiAffiliates().parse(load_page(AREA, "affiliates-page2.json")))
    assert all(isinstance(i, Follow) for i in items)
