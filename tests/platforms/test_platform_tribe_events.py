"""The Events Calendar REST parser on a real event (tests/fixtures/events-calendar).

The event is a Swiss tennis club's interclub match: a real TEC record that is *not* a support
group, so by default it must be skipped; options={"all_events": True} keeps it to test field
mapping. Paging and folding tests use copies of the real event moved by whole weeks.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import FIXTURES, load_page

from peerfind import vocab
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page
from peerfind.platforms import platform_class
from peerfind.platforms.classify import (
    KEYWORD_TAGS,
    NOT_SUPPORT,
    classify,
    strip_cancelled,
    tags,
)
from peerfind.platforms.tribe_events import TribeEvents, site_root
from peerfind.scraping import SourceConfig
from peerfind.vocab import normalize

REST = "https://tcw.it-couture.ch/wp-json/tribe/events/v1/events"
FETCHED = datetime(2021, 6, 1, 8, 0, tzinfo=UTC)
EVENT: dict[str, Any] = json.loads(
    (FIXTURES / "events-calendar/tec-rest-single-event-tcw.json").read_text(encoding="utf-8")
)


def scraper(**options: Any) -> TribeEvents:
    """Return a TEC parser for the sample site."""
    return TribeEvents(
        SourceConfig(
            name="tcw", platform="tribe-events", url="https://tcw.it-couture.ch/", options=options
        )
    )


def page(text: str, url: str = REST) -> Page:
    """Return a REST page."""
    return Page(url=url, text=text, fetched_at=FETCHED)


def shifted(weeks: int) -> dict[str, Any]:
    """Return a copy of the real event moved by whole weeks, as TEC Pro expands a series."""
    event = copy.deepcopy(EVENT)
    for key in ("start_date", "end_date", "utc_start_date", "utc_end_date"):
        moment = datetime.fromisoformat(event[key]) + timedelta(weeks=weeks)
        event[key] = moment.strftime("%Y-%m-%d %H:%M:%S")
    event["id"] = EVENT["id"] + weeks
    event["url"] = f"{EVENT['url']}{event['start_date'][:10]}/"
    return event


def test_registered() -> None:
    assert platform_class("tribe-events") is TribeEvents


def test_urls_and_ical_fallback() -> None:
    parser = scraper()
    assert parser.urls() == (f"{REST}?start_date=now&per_page=50",)
    assert parser.fallback_urls() == ("https://tcw.it-couture.ch/events/?ical=1",)
    rest = TribeEvents(SourceConfig(name="x", url=f"{REST}?per_page=10"))
    assert rest.urls() == (f"{REST}?per_page=10",)
    assert rest.fallback_urls() == ("https://tcw.it-couture.ch/events/?ical=1",)
    assert (
        site_root("https://example.org/?rest_route=/tribe/events/v1/events")
        == "https://example.org"
    )


def test_tennis_match_is_not_a_support_group() -> None:
    parser = scraper()
    assert (
        parser.parse_groups(
            load_page(
                "events-calendar/tec-rest-single-event-tcw.json",
                url=f"{REST}/8212",
                fetched_at=FETCHED,
            )
        )
        == []
    )
    assert parser.report.produced == 0
    assert parser.report.skipped == {NOT_SUPPORT: 1}


def test_real_event_fields_when_keeping_all_events() -> None:
    parser = scraper(all_events=True)
    (group,) = parser.parse_groups(
        load_page(
            "events-calendar/tec-rest-single-event-tcw.json", url=f"{REST}/8212", fetched_at=FETCHED
        )
    )
    assert group.source_key == "8212"
    assert group.name == "Interclub 40+ 3L Damen (R. Bachmann)"
    assert group.source_url == "https://tcw.it-couture.ch/event/interclub-40-3l-damen-r-bachmann-3/"
    assert group.schedule.kind == "once"
    assert group.schedule.dates == ("2021-06-26",)
    # utc 07:00 in the site's zone (Europe/Berlin, CEST) is 09:00 local
    assert (group.schedule.start, group.schedule.end) == ("09:00", "13:00")
    assert group.schedule.timezone == "Europe/Berlin"
    assert (group.venue, group.address, group.city) == (
        "Tennis Club Witikon",
        "Eschenhaustrasse 29",
        "Zürich",
    )
    assert (group.region, group.postal_code, group.country) == ("Zürich", "8053", "CH")
    assert (group.latitude, group.longitude) == (47.365663, 8.589277)
    assert group.geo_precision == "exact"
    assert group.format == vocab.IN_PERSON
    assert group.source_updated == "2021-04-07"
    assert group.source_types == ("Platzbelegung Interclub",)
    assert group.problems() == []


def test_envelope_report_counts() -> None:
    parser = scraper(all_events=True)
    items = list(
        parser.parse(
            load_page("events-calendar/tec-rest-envelope-tcw.json", url=REST, fetched_at=FETCHED)
        )
    )
    assert [type(i) for i in items] == [Group]
    assert parser.report.produced == 1 and not parser.report.skipped
    strict = scraper()
    assert (
        strict.parse_groups(
            load_page("events-calendar/tec-rest-envelope-tcw.json", url=REST, fetched_at=FETCHED)
        )
        == []
    )
    assert strict.report.skipped == {NOT_SUPPORT: 1}


def test_source_keywords_can_keep_an_event() -> None:
    parser = scraper(keywords="interclub")
    assert [g.source_key for g in parser.parse_groups(page(json.dumps(EVENT)))] == ["8212"]


def test_pages_are_followed_and_series_folded_across_them() -> None:
    parser = scraper(all_events=True)
    first = {
        "events": [shifted(0), shifted(1)],
        "next_rest_url": f"{REST}?page=2",
        "total": 4,
        "total_pages": 2,
    }
    second = {"events": [shifted(2), shifted(3)], "total": 4, "total_pages": 2}
    items = list(parser.parse(page(json.dumps(first))))
    assert items == [Follow(f"{REST}?page=2")]
    (group,) = parser.parse_groups(page(json.dumps(second), f"{REST}?page=2"))
    assert group.schedule.kind == "weekly"
    assert group.schedule.days == (6,)  # Saturdays
    assert (group.schedule.start, group.schedule.end) == ("09:00", "13:00")
    assert group.source_key == EVENT["url"]  # the series page, without the date
    assert parser.report.produced == 1
    assert parser.report.skipped == {"folded into a series": 3}


def test_hidden_and_unpublished_events_are_skipped() -> None:
    hidden = {**EVENT, "hide_from_listings": True}
    draft = {**EVENT, "id": 1, "status": "draft"}
    parser = scraper(all_events=True)
    assert parser.parse_groups(page(json.dumps({"events": [hidden, draft]}))) == []
    assert parser.report.skipped == {"hidden from listings": 1, "not published": 1}


def test_no_venue_means_online_with_join_link_without_passcode() -> None:
    online = {
        **EVENT,
        "venue": [],
        "description": "<p>Join at <a href='https://us02web.zoom.us/j/123?pwd=secret'>"
        "https://us02web.zoom.us/j/123?pwd=secret</a></p>",
    }
    (group,) = scraper(all_events=True).parse_groups(page(json.dumps(online)))
    assert group.format == vocab.ONLINE
    assert group.join_url == "https://us02web.zoom.us/j/123"
    assert "secret" not in json.dumps(group.to_dict())
    assert (group.venue, group.latitude, group.geo_precision) == ("", None, "none")


def test_all_day_event_is_date_only() -> None:
    allday = {**EVENT, "all_day": True}
    (group,) = scraper(all_events=True).parse_groups(page(json.dumps(allday)))
    assert group.schedule.dates == ("2021-06-26",)
    assert group.schedule.start is None


def test_cancelled_title_and_past_events() -> None:
    cancelled = {**EVENT, "title": "*CANCELED* " + EVENT["title"]}
    parser = scraper(all_events=True)
    assert parser.parse_groups(page(json.dumps(cancelled))) == []
    assert parser.report.skipped == {"cancelled": 1}
    late = scraper(all_events=True)
    later = Page(url=REST, text=json.dumps(EVENT), fetched_at=datetime(2021, 7, 1, tzinfo=UTC))
    assert late.parse_groups(later) == []
    assert late.report.skipped == {"over": 1}


def test_ics_fallback_page_is_read() -> None:
    parser = scraper()
    ics = load_page(
        "ics/tec-ical-ashevilleart-ECPv6.ics",
        url="https://www.ashevilleart.org/events/?ical=1",
        fetched_at=datetime(2026, 8, 21, tzinfo=UTC),
    )
    assert parser.parse_groups(ics) == []
    assert parser.report.skipped == {NOT_SUPPORT: 30}


def test_bad_event_objects_are_counted() -> None:
    parser = scraper(all_events=True)
    rows = [
        1,
        "x",
        {**EVENT, "id": None, "global_id": None, "url": None},
        {**EVENT, "id": 9, "utc_start_date": "garbage", "start_date": None},
    ]
    assert parser.parse_groups(page(json.dumps({"events": rows}))) == []
    assert parser.report.skipped == {"not an object": 2, "no title or id": 1, "no date": 1}


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><html><head><title>403 Forbidden</title></head></html>",
        json.dumps({"events": [EVENT]})[:300],
        "",
        '{"events": "none"}',
        '"just a string"',
    ],
)
def test_bad_pages_raise_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        list(scraper().parse(page(text)))


def test_empty_event_list_is_no_groups() -> None:
    parser = scraper()
    assert list(parser.parse(page('{"events": [], "total": 0}'))) == []


# --- the shared classifier (platforms/classify.py) --------------------------------------------


@pytest.mark.parametrize(
    ("title", "categories", "keep"),
    [
        ("NAMI Family Support Group", (), True),
        ("Connection Recovery Support Group (virtual)", (), True),
        ("Grief and Loss Circle", (), True),
        ("Tuesday evening group", ("Support Groups",), True),
        ("Support Group Facilitator Training", (), False),
        ("NAMIWalks Kickoff", (), False),
        ("Annual Gala", ("Support Groups",), False),
        ("Board Meeting", (), False),
        ("Public Tour: Featured Exhibition", ("Public Tour",), False),
        ("The Art of Presence: Meditation and Reflection", ("Wellness",), False),
    ],
)
def test_classifier(title: str, categories: tuple[str, ...], keep: bool) -> None:
    verdict = classify(title, categories)
    assert verdict.keep is keep
    assert verdict.reason == ("support group" if keep else NOT_SUPPORT)


def test_classifier_description_needs_a_strong_phrase() -> None:
    assert classify("Tuesday meeting", (), "A peer-led support group for parents").keep
    assert not classify("Slow Art", (), "a deeper connection with the artwork").keep


def test_tags_are_vocabulary_terms() -> None:
    pops, topics = tags("LGBTQ+ Young Adults Support Group", "Veterans and families; PTSD")
    assert pops == ("families", "lgbtq", "veterans", "young_adults")
    assert topics == ("trauma_ptsd",)
    for term in pops:
        assert normalize("population", term) == term
    for term in topics:
        assert normalize("topic", term) == term


def test_keyword_table_uses_vocabulary_terms() -> None:
    for _, kind, term in KEYWORD_TAGS:
        assert normalize(kind, term) == term


def test_strip_cancelled() -> None:
    assert strip_cancelled("*CANCELED* Public Tour") == ("Public Tour", True)
    assert strip_cancelled("Cancelled: Family Group") == ("Family Group", True)
    assert strip_cancelled("Family Group") == ("Family Group", False)
