"""Every platform parser end to end: a real sample on a local HTTP server, `peerfind scrape
--platform … --url …`, then `peerfind search` finds the groups (issue 4).

Each test serves the platform's sample from tests/fixtures/ on 127.0.0.1 (tests/local_hosts.py),
runs the ad hoc scrape through the command line into a temporary catalog, checks the report (the
groups produced and the records skipped, with their reasons) and searches for concrete groups.
The clock is pinned with PEERFIND_NOW (the fetcher stamps pages with it) so samples with dated
events stay current. Samples that are not support groups (an art museum's calendar, a tennis
club's match, an HSDS counselling service) are first scraped as configured by default, which
skips them with a reason, then with the option that keeps every record (--option all_events=true
or support_groups_only=false) so that the parse can be checked through search.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from local_hosts import Host, Reply
from typer.testing import CliRunner

from peerfind.cli.app import app
from peerfind.errors import UsageError
from peerfind.platforms import platforms
from peerfind.sources.registry import parse_options

FIXTURES = Path(__file__).parents[1] / "fixtures"
JSON = {"Content-Type": "application/json"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
ICS = {"Content-Type": "text/calendar; charset=utf-8"}
CSV = {"Content-Type": "text/csv; charset=utf-8"}
MUSEUM_ICS = "ics/tec-ical-ashevilleart-ECPv6.ics"
TEC_REST = "/wp-json/tribe/events/v1/events?start_date=now&per_page=50"
BEFORE_MUSEUM = "2026-08-21T12:00:00+00:00"  # the museum feed's events run 22 Aug – 13 Sep 2026
BEFORE_MATCH = "2021-06-01T12:00:00+00:00"  # the tennis club's match is on 26 Jun 2021
LATER = "2026-11-26T12:00:00+00:00"  # after every dated sample event


class Site(Host):
    """A Host whose routes also match a request path without its query string."""

    def _reply(self, path: str, headers: dict[str, str]) -> Reply:
        """Return the route of the full path, else of the path before '?' (given the full path)."""
        base = path.split("?", 1)[0]
        if path in self.routes or base not in self.routes:
            return super()._reply(path, headers)
        route = self.routes[base]
        return route(path, headers) if callable(route) else super()._reply(base, headers)


def fixture(relpath: str, headers: dict[str, str] | None = None) -> Reply:
    """Return a Reply serving a fixture file verbatim."""
    return Reply(body=(FIXTURES / relpath).read_bytes(), headers=headers or {})


def scrape(db: Path, platform: str, url: str, name: str, *extra: str) -> Any:
    """Run `peerfind --db DB scrape --platform … --url … --name … --delay 0`; check it succeeded."""
    result = CliRunner().invoke(
        app,
        [
            "--db",
            str(db),
            "scrape",
            "--platform",
            platform,
            "--url",
            url,
            "--name",
            name,
            "--delay",
            "0",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return result


def search(db: Path, *args: str) -> list[dict[str, Any]]:
    """Run `peerfind --db DB search ARGS -o json`; return the result objects."""
    result = CliRunner().invoke(
        app, ["--db", str(db), "search", *args, "--limit", "200", "-o", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def row(output: str, source: str) -> list[str]:
    """Return the cells of a source's row in the scrape report table."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("│┃|").split("│")]
        if cells and cells[0] == source:
            return cells
    raise AssertionError(f"no report row for {source!r} in:\n{output}")


def by_name(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return search results keyed by group name."""
    return {r["name"]: r for r in results}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Return the path of a fresh temporary catalog."""
    return tmp_path / "catalog.db"


@pytest.fixture
def pin(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Return a function pinning peerfind's clock (fetch stamps and search) to an ISO time."""

    def set_now(moment: str) -> None:
        monkeypatch.setenv("PEERFIND_NOW", moment)

    return set_now


def test_every_platform_has_an_end_to_end_test() -> None:
    tested = {
        "meeting-guide",
        "bmlt",
        "tribe-events",
        "ical",
        "jsonld",
        "hsds",
        "css",
        "tsml-csv",
        "oiaa",
    }
    assert set(platforms()) == tested


# --- one test per platform ----------------------------------------------------------------------


def test_meeting_guide_largest_sample(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    pin(LATER)
    with Site({"/meetings.json": fixture("meeting_guide/tsml-ui-al-anon.json", JSON)}) as site:
        result = scrape(
            db, "meeting-guide", site.url("/meetings.json"), "ma-al-anon", "--program", "al-anon"
        )
    cells = row(result.stdout, "ma-al-anon")
    assert cells[1:4] == ["ok", "346", "0"]  # status, added, updated
    assert cells[6] == "14"  # skipped: 13 district business meetings and a test record
    assert "ma-al-anon: skipped 14 (13 business or service meeting, 1 test record)" in (
        result.stdout
    )
    near = by_name(search(db, "--near", "Worcester, MA", "--radius", "5"))
    assert {"Acceptance AFG", "Serenity on Burncoat AFG"} <= set(near)  # group IDs dropped
    assert "A New Way of Life AFG" not in near  # its venue is temporarily closed
    serenity = near["Serenity on Burncoat AFG"]
    assert (serenity["source"], serenity["city"], serenity["format"]) == (
        "ma-al-anon",
        "Worcester",
        "in_person",
    )
    assert serenity["day"] == ["Tuesday"] and serenity["start_time"] == "10:00"
    online = by_name(search(db, "--format", "online"))
    assert online["Par ents AFG"]["source"] == "ma-al-anon"


def test_oiaa_database_export(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    pin(LATER)
    body = (FIXTURES.parent.parent / "data" / "feeds" / "aa-oiaa-online.json").read_bytes()
    with Site({"/meetings.json": Reply(body=body, headers=JSON)}) as site:
        result = scrape(db, "oiaa", site.url("/meetings.json"), "oiaa", "--program", "aa")
    cells = row(result.stdout, "oiaa")
    assert cells[1:4] == ["ok", "150", "0"]
    assert "oiaa: skipped 10 (10 no weekly day and time)" in result.stdout
    online = by_name(search(db, "--format", "online", "--language", "es"))
    assert online and all(g["source"] == "oiaa" for g in online.values())
    women = by_name(search(db, "--format", "online", "-p", "women"))
    assert women["AA Women's Meeting"]["timezone"] == "Europe/Paris"
    assert women["AA Women's Meeting"]["day"] == ["Sunday"]


def test_bmlt_formats_then_meetings(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    pin(LATER)
    formats = fixture("bmlt/bmlt-GetFormats-reconstructed.json", JSON)
    meetings = fixture("bmlt/bmlt-workflow-GetSearchResults-one-meeting.json", JSON)

    def api(path: str, headers: dict[str, str]) -> Reply:
        if "switcher=GetFormats" in path:
            return formats
        return meetings if "switcher=GetSearchResults" in path else Reply(400, b"bad switcher")

    with Site({"/main_server/client_interface/json/": api}) as site:
        result = scrape(db, "bmlt", site.url("/main_server/"), "sydney-na")
        asked = site.paths()
    api_calls = [p for p in asked if "switcher" in p]
    assert len(api_calls) == 2
    assert "switcher=GetFormats" in api_calls[0]
    assert "switcher=GetSearchResults" in api_calls[1]
    cells = row(result.stdout, "sydney-na")
    assert cells[1:3] == ["ok", "1"] and cells[6] == "0"
    (meeting,) = search(db, "--format", "online")
    assert (meeting["name"], meeting["source"]) == (
        "Online Meeting - Maroubra Nightly",
        "sydney-na",
    )
    assert meeting["topics"] == ["substance_use"]
    assert meeting["day"] == ["Tuesday"]


def test_tribe_events_rest_envelope(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    routes = {TEC_REST: fixture("events-calendar/tec-rest-envelope-tcw.json", JSON)}
    with Site(routes) as site:
        pin(BEFORE_MATCH)
        default = scrape(db, "tribe-events", site.url("/"), "tcw")
        # the sample is a tennis club's match; with every event kept it is a past one-off later on
        pin(LATER)
        later = scrape(
            db, "tribe-events", site.url("/"), "tcw-later", "--option", "all_events=true"
        )
        pin(BEFORE_MATCH)
        kept = scrape(db, "tribe-events", site.url("/"), "tcw-all", "--option", "all_events=true")
    assert "tcw: skipped 1 (1 not a support group)" in default.stdout
    assert "tcw-later: skipped 1 (1 over)" in later.stdout
    assert row(kept.stdout, "tcw-all")[1:3] == ["ok", "1"]
    (match,) = search(db, "Interclub")
    assert (match["name"], match["source"]) == ("Interclub 40+ 3L Damen (R. Bachmann)", "tcw-all")
    assert (match["venue"], match["city"], match["country"]) == (
        "Tennis Club Witikon",
        "Zürich",
        "CH",
    )
    assert match["schedule_detail"]["dates"] == ["2021-06-26"]
    assert match["start_time"] == "09:00" and match["timezone"] == "Europe/Berlin"


def test_ical_museum_feed(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    pin(BEFORE_MUSEUM)
    with Site({"/events/": fixture(MUSEUM_ICS, ICS)}) as site:
        url = site.url("/events/?ical=1")
        default = scrape(db, "ical", url, "aam")
        kept = scrape(db, "ical", url, "aam-all", "--option", "all_events=true")
    assert "aam: skipped 30 (30 not a support group)" in default.stdout
    assert row(default.stdout, "aam")[1:3] == ["ok", "0"]
    assert row(kept.stdout, "aam-all")[1:3] == ["ok", "21"]
    assert "aam-all: skipped 9 (9 folded into a series)" in kept.stdout
    near = by_name(search(db, "--near", "Asheville, NC", "--radius", "10"))
    presence = near["The Art of Presence: Meditation and Reflection in the Museum"]
    assert presence["source"] == "aam-all"
    assert (presence["venue"], presence["city"], presence["postal_code"]) == (
        "Asheville Art Museum",
        "Asheville",
        "28801",
    )
    assert presence["schedule_detail"]["dates"] == ["2026-08-22"]
    tour = near["Public Tour: Featured Exhibition"]
    assert tour["day"] == ["Saturday"] and tour["schedule_detail"]["exdates"] == ["2026-08-22"]


def test_jsonld_event_page(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    page = "/event/interclub-40-3l-damen-r-bachmann-3/"
    with Site({page: fixture("jsonld/tec-tcw-event-jsonld.html", HTML)}) as site:
        pin(BEFORE_MATCH)
        default = scrape(db, "jsonld", site.url(page), "tcw-page")
        # past one-offs are dropped: the 2021 match is 'over' at a later date
        pin(LATER)
        later = scrape(
            db, "jsonld", site.url(page), "tcw-page-later", "--option", "all_events=true"
        )
        pin(BEFORE_MATCH)
        kept = scrape(db, "jsonld", site.url(page), "tcw-page-all", "--option", "all_events=true")
    assert "tcw-page: skipped 1 (1 not a support group)" in default.stdout
    assert "tcw-page-later: skipped 1 (1 over)" in later.stdout
    assert row(kept.stdout, "tcw-page-all")[1:3] == ["ok", "1"]
    (match,) = search(db, "Interclub")
    assert (match["name"], match["source"]) == (
        "Interclub 40+ 3L Damen (R. Bachmann)",
        "tcw-page-all",
    )
    assert match["source_url"] == (
        "https://tcw.it-couture.ch/event/interclub-40-3l-damen-r-bachmann-3/"
    )
    assert (match["city"], match["postal_code"]) == ("Zürich", "8053")


def test_hsds_csv_package(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    pin(LATER)
    folder = FIXTURES / "hsds/hsds-3.0-example"
    routes = {
        f"/hsds/{p.name}": fixture(
            f"hsds/hsds-3.0-example/{p.name}", JSON if p.suffix == ".json" else CSV
        )
        for p in folder.iterdir()
    }
    with Site(routes) as site:
        default = scrape(db, "hsds", site.url("/hsds/"), "mycity")
        kept = scrape(
            db, "hsds", site.url("/hsds/"), "mycity-all", "--option", "support_groups_only=false"
        )
        asked = site.paths()
    assert "/hsds/datapackage.json" in asked and "/hsds/services.csv" in asked
    assert "mycity: skipped 1 (1 not a support group)" in default.stdout
    assert row(kept.stdout, "mycity-all")[1:3] == ["ok", "1"]
    (service,) = search(db, "Counselling")
    assert (service["name"], service["source"]) == ("Community Counselling", "mycity-all")
    assert service["organization"] == "Example Organization Inc."
    assert (service["city"], service["format"], service["phone"]) == (
        "MyCity",
        "hybrid",
        "+44 1234 234567",
    )


def test_tsml_csv_import_template(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    pin(LATER)
    with Site({"/template.csv": fixture("tsml_csv/tsml-template.csv", CSV)}) as site:
        result = scrape(db, "tsml-csv", site.url("/template.csv"), "sj-template", "--program", "aa")
    assert row(result.stdout, "sj-template")[1:3] == ["ok", "36"]
    found = by_name(search(db, "--near", "95020", "--day", "fri"))
    tgif = found["T.G.I.F."]
    assert (tgif["city"], tgif["region"], tgif["postal_code"]) == ("Gilroy", "CA", "95020")


CSS_OPTIONS = (
    "block=article.group",
    "name=h3",
    "schedule=.when",
    "venue=.where .room",
    "address=.where .street",
    "description=.about",
    "link=h3 a",
    "join=a.join",
    "format=.where .format",
    "next=a.next",
)


def test_css_page_with_selectors(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    pin(LATER)
    routes = {
        "/support-groups/": fixture("declarative/support-groups.html", HTML),
        "/support-groups/page/2/": fixture("declarative/support-groups-2.html", HTML),
    }
    options = [arg for pair in CSS_OPTIONS for arg in ("--option", pair)]
    with Site(routes) as site:
        result = scrape(
            db,
            "css",
            site.url("/support-groups/"),
            "center",
            "--region",
            "OR",
            "--organization",
            "Example Community Center",
            *options,
        )
    cells = row(result.stdout, "center")
    assert cells[1:3] == ["ok", "4"] and (cells[6], cells[8]) == ("1", "2")  # skipped, pages
    assert "center: skipped 1 (1 block without a name)" in result.stdout
    near = by_name(search(db, "--near", "Salem, OR", "--radius", "10"))
    assert set(near) == {
        "Grief & Loss Circle",
        "Family Caregivers Support Group",
        "Veterans Coffee & Conversation",
    }
    grief = near["Grief & Loss Circle"]
    assert (grief["source"], grief["address"], grief["postal_code"]) == (
        "center",
        "500 Example Street",
        "97301",
    )
    assert grief["schedule"] == "2nd & 4th Tuesdays, 6:00-7:30 PM"
    assert grief["organization"] == "Example Community Center"
    (online,) = search(db, "--format", "online")
    assert online["name"] == "LGBTQ+ Young Adults Peer Group"
    assert online["join_url"] == "https://example.zoom.us/j/5550100123"


# --- The Events Calendar: the iCalendar fallback when REST is blocked ---------------------------


@pytest.mark.parametrize(
    ("rest", "says"),
    [
        (Reply(403, b"Forbidden"), "private feed (HTTP 403)"),
        (Reply(401, b"Unauthorized"), "private feed (HTTP 401)"),
        (Reply(404, b"no route"), "not found (HTTP 404)"),
        (
            Reply(
                body=b"<!DOCTYPE html><html><title>Just a moment...</title></html>", headers=HTML
            ),
            "got an HTML page",
        ),
    ],
)
def test_tribe_events_falls_back_to_ical(
    db: Path,
    pin,
    rest: Reply,  # type: ignore[no-untyped-def]
    says: str,
) -> None:
    pin(BEFORE_MUSEUM)
    routes = {TEC_REST: rest, "/events/": fixture(MUSEUM_ICS, ICS)}
    with Site(routes) as site:
        result = scrape(db, "tribe-events", site.url("/"), "aam-tec", "--option", "all_events=true")
        asked = [p for p in site.paths() if p != "/robots.txt"]
    assert asked == [TEC_REST, "/events/?ical=1"]
    assert row(result.stdout, "aam-tec")[1:3] == ["ok", "21"]
    assert "aam-tec: fell back:" in result.stdout and says in result.stdout
    assert "/events/?ical=1 instead" in result.stdout
    assert "aam-tec: skipped 9 (9 folded into a series)" in result.stdout
    near = by_name(search(db, "--near", "Asheville, NC"))
    presence = near["The Art of Presence: Meditation and Reflection in the Museum"]
    assert presence["source"] == "aam-tec"
    assert presence["latitude"] == 35.594671


def test_tribe_events_fallback_that_fails_too(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    pin(BEFORE_MUSEUM)
    with Site({TEC_REST: Reply(403, b"Forbidden")}) as site:
        result = CliRunner().invoke(
            app,
            [
                "--db",
                str(db),
                "scrape",
                "--platform",
                "tribe-events",
                "--url",
                site.url("/"),
                "--name",
                "blocked",
                "--delay",
                "0",
            ],
        )
        asked = [p for p in site.paths() if p != "/robots.txt"]
    assert result.exit_code == 1
    assert asked == [TEC_REST, "/events/?ical=1"]  # one fallback, not a loop
    assert "blocked: FAILED:" in result.stdout and "not found (HTTP 404)" in result.stdout


def test_rest_that_works_needs_no_fallback(db: Path, pin) -> None:  # type: ignore[no-untyped-def]
    pin(BEFORE_MATCH)
    routes = {
        TEC_REST: fixture("events-calendar/tec-rest-envelope-tcw.json", JSON),
        "/events/": fixture(MUSEUM_ICS, ICS),
    }
    with Site(routes) as site:
        result = scrape(db, "tribe-events", site.url("/"), "tcw", "--option", "all_events=true")
        asked = site.paths()
    assert "/events/?ical=1" not in asked
    assert "fell back" not in result.stdout


# --- scrape --option -----------------------------------------------------------------------------


def test_parse_options() -> None:
    assert parse_options(
        ["all_events=true", "block=div.group", "services=[3, 4]", "name=h3 a", "region=OR"]
    ) == {
        "all_events": True,
        "block": "div.group",
        "services": [3, 4],
        "name": "h3 a",
        "region": "OR",
    }
    assert parse_options(["support_groups_only=false", "empty="]) == {
        "support_groups_only": False,
        "empty": "",
    }
    for bad in ("all_events", "=true", "two words=1"):
        with pytest.raises(UsageError, match="KEY=VALUE"):
            parse_options([bad])


def test_option_needs_an_adhoc_run(db: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", str(db), "scrape", "some-source", "--option", "all_events=true"]
    )
    assert result.exit_code == 2
    assert "--option" in result.stderr
