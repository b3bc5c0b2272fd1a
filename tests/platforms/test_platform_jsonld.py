"""The schema.org Event JSON-LD parser (tests/fixtures/jsonld).

The fixture page is built around the real `json_ld` object that The Events Calendar embedded in
the tennis club's event (see ATTRIBUTION.md). The quirk tests wrap copies of that same object in
the shapes real pages use (lists, @graph, broken blocks) and change only the fields under test.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import FIXTURES, load_page

from peerfind import vocab
from peerfind.errors import ParseError
from peerfind.models import Group, Page
from peerfind.platforms import platform_class
from peerfind.platforms.classify import NOT_SUPPORT
from peerfind.platforms.jsonld import JsonLd, event_schedule
from peerfind.scraping import SourceConfig

URL = "https://tcw.it-couture.ch/event/interclub-40-3l-damen-r-bachmann-3/"
FETCHED = datetime(2021, 6, 1, 8, 0, tzinfo=UTC)
LD: dict[str, Any] = json.loads(
    (FIXTURES / "events-calendar/tec-rest-single-event-tcw.json").read_text(encoding="utf-8")
)["json_ld"]


def scraper(all_events: bool = True, **cfg: Any) -> JsonLd:
    """Return a JSON-LD parser (keeping every event unless told otherwise)."""
    return JsonLd(
        SourceConfig(
            name="tcw", platform="jsonld", url=URL, options={"all_events": all_events}, **cfg
        )
    )


def html(*blocks: str) -> Page:
    """Return a page with the given raw JSON-LD block texts."""
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return Page(
        url=URL, text=f"<html><head>{scripts}</head><body></body></html>", fetched_at=FETCHED
    )


def ld(**changes: Any) -> dict[str, Any]:
    """Return a copy of the real JSON-LD event with some fields changed (None deletes)."""
    out = copy.deepcopy(LD)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def test_registered() -> None:
    assert platform_class("jsonld") is JsonLd


def test_real_event_fields() -> None:
    parser = scraper(timezone="Europe/Zurich")
    (group,) = parser.parse_groups(
        load_page("jsonld/tec-tcw-event-jsonld.html", url=URL, fetched_at=FETCHED)
    )
    assert group.source_key == URL and group.source_url == URL
    assert group.name == "Interclub 40+ 3L Damen (R. Bachmann)"
    assert group.schedule.kind == "once"
    assert group.schedule.dates == ("2021-06-26",)
    assert (group.schedule.start, group.schedule.end) == ("09:00", "13:00")
    assert group.schedule.timezone == "Europe/Zurich"
    assert (group.venue, group.address, group.city) == (
        "Tennis Club Witikon",
        "Eschenhaustrasse 29",
        "Zürich",
    )
    assert (group.region, group.postal_code, group.country) == ("Zürich", "8053", "CH")
    assert (group.latitude, group.longitude) == (47.365663, 8.589277)
    assert group.format == vocab.IN_PERSON
    assert parser.report.produced == 1 and not parser.report.skipped


def test_offset_time_without_zone_keeps_wall_clock() -> None:
    (group,) = scraper().parse_groups(html(json.dumps(LD)))
    assert (group.schedule.start, group.schedule.timezone) == ("09:00", None)


def test_tennis_match_is_not_a_support_group() -> None:
    parser = scraper(all_events=False)
    assert (
        parser.parse_groups(
            load_page("jsonld/tec-tcw-event-jsonld.html", url=URL, fetched_at=FETCHED)
        )
        == []
    )
    assert parser.report.skipped == {NOT_SUPPORT: 1}


def test_list_graph_null_and_broken_blocks() -> None:
    parser = scraper()
    page = html(
        json.dumps([ld(url="https://e.org/a")]),
        json.dumps(
            {
                "@context": "https://schema.org",
                "@graph": [ld(url="https://e.org/b", name="Another"), None],
            }
        ),
        json.dumps(ld(name=None, url="https://e.org/c")),
        '{"@type": "Event", "name": "broken",}',
        "",
    )
    groups = parser.parse_groups(page)
    assert sorted(g.source_key for g in groups) == ["https://e.org/a", "https://e.org/b"]
    assert parser.report.skipped == {"broken JSON-LD block": 2, "no name": 1}


def test_enum_values_as_urls_or_names() -> None:
    online = ld(
        eventAttendanceMode="https://schema.org/OnlineEventAttendanceMode",
        location={"@type": "VirtualLocation", "url": "https://zoom.us/j/9?pwd=x"},
    )
    (group,) = scraper().parse_groups(html(json.dumps(online)))
    assert group.format == vocab.ONLINE
    assert group.join_url == "https://zoom.us/j/9"
    mixed = ld(eventAttendanceMode="MixedEventAttendanceMode")
    (hybrid,) = scraper().parse_groups(html(json.dumps(mixed)))
    assert hybrid.format == vocab.HYBRID
    parser = scraper()
    assert parser.parse_groups(html(json.dumps(ld(eventStatus="EventCancelled")))) == []
    assert parser.report.skipped == {"cancelled": 1}


def test_location_as_string_and_list() -> None:
    text = ld(location="Tennis Club Witikon, Eschenhaustrasse 29, Zürich, 8053, Schweiz")
    (group,) = scraper().parse_groups(html(json.dumps(text)))
    assert (group.venue, group.address, group.city) == (
        "Tennis Club Witikon",
        "Eschenhaustrasse 29",
        "Zürich",
    )
    assert (group.postal_code, group.country) == ("8053", "CH")
    both = ld(
        location=[
            LD["location"],
            {"@type": "VirtualLocation", "url": "https://meet.google.com/abc-defg-hij"},
        ],
        eventAttendanceMode=None,
    )
    (hybrid,) = scraper().parse_groups(html(json.dumps(both)))
    assert (hybrid.format, hybrid.join_url) == (
        vocab.HYBRID,
        "https://meet.google.com/abc-defg-hij",
    )


def test_event_schedule_weekly_and_monthly() -> None:
    weekly = ld(
        eventSchedule={
            "@type": "Schedule",
            "byDay": "https://schema.org/Saturday",
            "repeatFrequency": "P1W",
            "startTime": "09:00:00",
            "endTime": "13:00:00",
            "scheduleTimezone": "Europe/Zurich",
            "startDate": "2021-06-26",
            "exceptDate": "2021-07-03",
        }
    )
    (group,) = scraper().parse_groups(html(json.dumps(weekly)))
    s = group.schedule
    assert (s.kind, s.days, s.start, s.end) == ("weekly", (6,), "09:00", "13:00")
    assert (s.timezone, s.exdates) == ("Europe/Zurich", ("2021-07-03",))
    monthly = {
        "byDay": ["Thursday"],
        "byMonthWeek": [1, 3],
        "repeatFrequency": "P1M",
        "startTime": "19:30",
    }
    m = event_schedule({"eventSchedule": monthly}, "America/Chicago")
    assert m is not None
    assert (m.kind, m.days, m.nths, m.start, m.timezone) == (
        "monthly_nth",
        (4,),
        (1, 3),
        "19:30",
        "America/Chicago",
    )
    biweekly = event_schedule(
        {
            "eventSchedule": {
                "byDay": "Tuesday",
                "repeatFrequency": "P2W",
                "startDate": "2026-09-08",
            }
        },
        None,
    )
    assert biweekly is not None
    assert (biweekly.kind, biweekly.interval, biweekly.anchor) == ("weekly", 2, "2026-09-08")


def test_page_organization_is_used() -> None:
    org = {
        "@type": "Organization",
        "name": "Tennis Club Witikon",
        "url": "https://tcw.it-couture.ch/",
    }
    (group,) = scraper().parse_groups(html(json.dumps([org, LD])))
    assert group.organization == "Tennis Club Witikon"
    assert group.website == "https://tcw.it-couture.ch/"


def test_bare_json_ld_document_is_accepted() -> None:
    page = Page(url=URL, text=json.dumps(LD), fetched_at=FETCHED)
    assert [g.source_key for g in scraper().parse_groups(page)] == [URL]


def test_page_without_json_ld_is_no_groups() -> None:
    parser = scraper()
    assert parser.parse_groups(html()) == []


@pytest.mark.parametrize(
    "text",
    [
        "Service Unavailable",
        "",
        '<html><script type="application/ld+json">{"@type": "Event", "name": "x",</script></html>',
        json.dumps(LD)[:120],
    ],
)
def test_bad_pages_raise_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        list(scraper().parse(Page(url=URL, text=text, fetched_at=FETCHED)))


def test_wrong_types_in_fields_are_tolerated() -> None:
    odd = ld(name=["list"], startDate=20210626, location=7, eventSchedule="weekly")
    parser = scraper()
    assert parser.parse_groups(html(json.dumps(odd))) == []
    assert parser.report.skipped == {"no name": 1}
    odd2 = ld(startDate=None, endDate=None, location=None)
    parser2 = scraper()
    assert parser2.parse_groups(html(json.dumps(odd2))) == []
    assert parser2.report.skipped == {"no date": 1}


def test_groups_are_valid() -> None:
    groups = scraper().parse_groups(
        load_page("jsonld/tec-tcw-event-jsonld.html", url=URL, fetched_at=FETCHED)
    )
    assert all(isinstance(g, Group) and g.problems() == [] for g in groups)
