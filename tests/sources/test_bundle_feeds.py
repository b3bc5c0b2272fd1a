"""The recorded public feeds in data/feeds/: their quirks, each on the real file, and the bundle.

Files and their origins: data/bundled.toml and data/README.md; the NW Texas feed (recorded
2021, a parser fixture only) is tests/fixtures/meeting_guide/tsml-ui-nwta.test.json.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from peerfind import vocab
from peerfind.feedback import is_role_address
from peerfind.models import Group, Page
from peerfind.paths import data_path
from peerfind.platforms import platform_class
from peerfind.scraping import SourceConfig
from peerfind.sources import bundle
from peerfind.sources.enrich import enrich, same_clock
from peerfind.sources.screen import BUSINESS, INACTIVE, TEST, not_a_group

FIXTURES = Path(__file__).parents[1] / "fixtures"


def feed(name: str) -> dict:
    """Return the bundled.toml entry of a feed."""
    return next(f for f in bundle.bundled_feeds() if f["name"] == name)


def parse(
    path: Path, platform: str = "meeting-guide", **config: object
) -> tuple[list[Group], object]:
    """Parse a real feed file as the bundle does (no join details); return groups and report."""
    config.setdefault("options", {"keep_join_details": False})
    cfg = SourceConfig(name="t", platform=platform, **config)  # type: ignore[arg-type]
    scraper = platform_class(platform)(cfg)
    page = Page(
        url=path.resolve().as_uri(),
        text=path.read_text(encoding="utf-8"),
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return scraper.parse_groups(page), scraper.report


# --- zones and places ------------------------------------------------------------------------


def test_zone_from_place_el_paso_mountain_lubbock_central() -> None:
    path = FIXTURES / "meeting_guide" / "tsml-ui-nwta.test.json"
    assert not any("timezone" in row for row in json.loads(path.read_text(encoding="utf-8")))
    groups, _ = parse(path, region="TX", program="aa")
    placed, _, zoned = enrich(groups)
    zones = {(g.city, g.schedule.timezone) for g in placed if g.city in ("El Paso", "Lubbock")}
    assert zones == {("El Paso", "America/Denver"), ("Lubbock", "America/Chicago")}
    assert zoned > 500 and all(g.schedule.timezone for g in placed)


def test_rows_without_coordinates_are_placed_approximately() -> None:
    groups, _ = parse(FIXTURES / "meeting_guide" / "tsml-ui-nwta.test.json", region="TX")
    bare = [g for g in groups if g.latitude is None]
    assert len(bare) >= 50
    placed = {g.source_key: g for g in enrich(groups)[0]}
    precisions = Counter(placed[g.source_key].geo_precision for g in bare)
    assert set(precisions) <= {"postal", "city", "none"} and precisions["postal"] >= 40
    lubbock = [placed[g.source_key] for g in bare if g.postal_code == "79413"]
    assert lubbock and all(abs(g.latitude - 33.53) < 0.2 for g in lubbock)


def test_stated_zone_contradicting_place_is_reported_and_corrected() -> None:
    """aa-hamilton-oh says America/Chicago for Ohio: the place's zone is used, and counted."""
    groups, _ = parse(data_path("feeds", "aa-hamilton-oh.json"), region="OH")
    assert {g.schedule.timezone for g in groups} == {"America/Chicago"}
    corrections: Counter[str] = Counter()
    placed, geocoded, _ = enrich(groups, corrections=corrections)
    assert geocoded == len(groups)  # no coordinates in the feed: all placed from ZIP or city
    assert {g.schedule.timezone for g in placed} == {"America/New_York"}
    assert {g.geo_precision for g in placed} <= {"postal", "city"}
    assert corrections == {
        "stated zone America/Chicago contradicts its place (America/New_York);"
        " used America/New_York": len(groups)
    }


AREA63 = FIXTURES / "meeting_guide" / "area63-sd-excerpt.json"


def test_a_stated_zone_that_is_no_zone_is_flagged_and_the_place_decides() -> None:
    """aa-area63-sd says "America/Central" on every row: not an IANA zone, so it is reported,
    and each place gives the zone: the Black Hills are Mountain time, Sioux Falls Central."""
    groups, report = parse(AREA63, region="SD", program="aa")
    assert report.flagged == {
        "stated zone America/Central is not a time zone; used its place's": len(groups)
    }
    placed, _, _ = enrich(groups)
    zones = {g.city: g.schedule.timezone for g in placed if g.city}
    assert zones == {
        "Rapid City": "America/Denver",
        "Spearfish": "America/Denver",
        "Sioux Falls": "America/Chicago",
        "Huron": "America/Chicago",
    }
    assert {g.geo_precision for g in placed if g.city} == {"postal"}  # no coordinates given


def test_online_only_rows_are_online_not_a_place_called_zoom() -> None:
    """The aamod theme writes an online-only meeting as address "zoom", city "Online-Only"."""
    groups, _ = parse(AREA63, region="SD", program="aa")
    by_key = {g.source_key: g for g in groups}
    sunrise = by_key["d2-sober-sunrise-Monday-06:45"]
    assert (sunrise.format, sunrise.address, sunrise.city, sunrise.latitude) == (
        vocab.ONLINE,
        "",
        "",
        None,
    )
    assert {g.format for k, g in by_key.items() if k != sunrise.source_key} == {vocab.IN_PERSON}
    williamsport = parse(data_path("feeds", "aa-williamsport-pa.json"), region="PA")[0]
    online = {g.source_key for g in williamsport if g.format == vocab.ONLINE}
    assert online == {"pass-it-on-Monday-19:00", "wake-up-sober-Sunday-10:00"}
    assert not any(g.city == "Online-Only" or g.address == "zoom" for g in williamsport)


def test_join_links_and_bare_meeting_ids_leave_the_notes() -> None:
    """Zoom links carry the meeting ID in their path; "<b>Meeting:</b> 709980611" is one too."""
    groups, _ = parse(AREA63, region="SD", program="aa")
    notes = {g.source_key: g.description for g in groups}
    assert all(
        "zoom.us/j/" not in text and "709980611" not in text and "Rise@645" not in text
        for text in notes.values()
    )
    assert notes["d5-recoveryaa-Monday-17:30"] == (
        "Room 103 (upstairs)\n<br />Last Monday OPEN Birthday"
    )
    assert notes["d2-rapid-city-noonzoom-Monday-12:00"].startswith("<br /><br />Monday: Big Book")


def test_equivalent_zone_names_are_not_corrections() -> None:
    """aa-williamsport-pa says US/Eastern: the same clock as its place, so nothing changes."""
    groups, _ = parse(data_path("feeds", "aa-williamsport-pa.json"), region="PA")
    corrections: Counter[str] = Counter()
    placed, _, _ = enrich(groups, corrections=corrections)
    assert not corrections and {g.schedule.timezone for g in placed} == {"US/Eastern"}
    assert same_clock("US/Eastern", "America/New_York")
    assert not same_clock("America/Phoenix", "America/Denver")


def test_a_zone_stated_with_a_time_in_the_name_is_trusted() -> None:
    """'7pm Eastern' in a name is the publisher's own time and zone, whatever the place."""
    page = Page(
        url="https://example.org/f",
        fetched_at=datetime(2026, 1, 1),
        text=json.dumps(
            [
                {
                    "slug": "a",
                    "name": "Hope 7pm Eastern",
                    "day": 1,
                    "time": "18:00",
                    "address": "1 Main St",
                    "city": "Lubbock",
                    "state": "TX",
                    "latitude": 33.58,
                    "longitude": -101.85,
                }
            ]
        ),
    )
    (group,) = platform_class("meeting-guide")(SourceConfig(name="t")).parse_groups(page)
    corrections: Counter[str] = Counter()
    (kept,), _, _ = enrich([group], corrections=corrections)
    assert kept.schedule.timezone == "America/New_York" and not corrections


def test_orange_county_approximate_rows_are_city_precision() -> None:
    path = data_path("feeds", "aa-orange-county-ca.json")
    rows = {str(r["slug"]): r for r in json.loads(path.read_text(encoding="utf-8"))}
    groups, _ = parse(path, region="CA")
    approx = [g for g in groups if rows[g.source_key]["approximate"] == "yes"]
    assert len(approx) >= 380
    assert {g.geo_precision for g in approx} == {"city"}


# --- the OIAA export and the Recovery Dharma calendar ----------------------------------------


def test_oiaa_database_export() -> None:
    path = data_path("feeds", "aa-oiaa-online.json")
    rows = json.loads(path.read_text(encoding="utf-8"))
    groups, report = parse(path, platform="oiaa", program="aa")
    assert len(groups) == 150 and report.skipped == {"no weekly day and time": 10}
    assert {g.format for g in groups} <= {vocab.ONLINE, vocab.PHONE}
    by_key = {g.source_key: g for g in groups}
    women = by_key["aa-womens-meeting-1"]  # day 7 = Sunday, 16:30 Paris, 60 minutes
    assert (
        women.schedule.days,
        women.schedule.start,
        women.schedule.end,
        women.schedule.timezone,
    ) == ((0,), "16:30", "17:30", "Europe/Paris")
    assert "women" in women.populations and "alcohol" in women.topics
    assert sum("es" in g.languages for g in groups) == 10
    for row in rows:  # each schedule agrees with the row's own UTC start
        g = by_key.get(row["slug"])
        if g is None or "startDateUTC" not in row:
            continue
        from zoneinfo import ZoneInfo

        local = datetime.fromisoformat(row["startDateUTC"]["$date"].replace("Z", "+00:00"))
        local = local.astimezone(ZoneInfo(g.schedule.timezone))
        assert (local.isoweekday() % 7, local.strftime("%H:%M")) == (
            g.schedule.days[0],
            g.schedule.start,
        )
    assert all(g.join_url == "" for g in groups)  # the bundle keeps no join details


def test_recovery_dharma_calendar_is_online_at_fixed_utc_minus_5() -> None:
    entry = feed("recovery-dharma-online")
    groups, _ = parse(
        data_path(entry["file"]),
        platform="ical",
        program="recovery-dharma",
        **{"options": {"keep_join_details": False, **entry["options"]}},
    )
    assert len(groups) == 302
    assert {g.format for g in groups} == {vocab.ONLINE}
    assert {g.schedule.timezone for g in groups} == {"America/Panama"}
    tacoma = next(g for g in groups if g.name.startswith("RD Tacoma"))
    assert (tacoma.city, tacoma.region, tacoma.latitude) == ("", "", None)  # the city is a name
    assert all(g.latitude is None and not g.city for g in groups)


# --- what is not a group -----------------------------------------------------------------------


def test_not_a_group_reasons() -> None:
    base = Group(source="s", source_key="k", name="Serenity")
    assert not_a_group(base) is None
    assert (
        not_a_group(Group(source="s", source_key="k", name="25035 Testing meeting Types AFG"))
        == TEST
    )
    assert (
        not_a_group(
            Group(source="s", source_key="k", name="25019 Monthly Business Meeting District 19")
        )
        == BUSINESS
    )
    assert (
        not_a_group(Group(source="s", source_key="k", name="Home Group", source_types=("BUS", "C")))
        == BUSINESS
    )
    assert (
        not_a_group(Group(source="s", source_key="k", name="x", status=vocab.INACTIVE)) == INACTIVE
    )
    for name in ("Taking Care Of Business", "Maximum Service", "Intergroup Noon", "Test of Faith"):
        assert not_a_group(Group(source="s", source_key="k", name=name)) is None


# --- the built bundle ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    """The bundled catalog as a fresh install gets it."""
    path = tmp_path_factory.mktemp("bundle") / "catalog.db"
    bundle.build_file(path)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def test_every_feed_is_bundled_with_its_recorded_date(built: sqlite3.Connection) -> None:
    feeds = {f["name"]: f for f in bundle.bundled_feeds()}
    assert len(feeds) >= 10 and "ontario-aa-sample" not in feeds
    seen = dict(
        built.execute(
            "SELECT source, group_concat(DISTINCT last_seen) FROM groups GROUP BY source"
        ).fetchall()
    )
    assert set(seen) == set(feeds)
    for name, entry in feeds.items():
        assert seen[name] == bundle.recorded_date(entry["recorded"]).date().isoformat()
        age = datetime(2026, 12, 5, tzinfo=UTC) - bundle.recorded_date(entry["recorded"])
        assert age.days <= 5 * 366, name  # only feeds recorded within five years
        assert re.search(r" @ [0-9a-f]{40} \(", entry["origin"]), name
        assert (data_path(entry["file"])).is_file()


def test_coverage_the_issue_asks_for(built: sqlite3.Connection) -> None:
    active = "status = 'active'"
    total = built.execute(f"SELECT count(*) FROM groups WHERE {active}").fetchone()[0]
    assert total >= 6500
    states = built.execute(
        f"SELECT region, count(*) FROM groups WHERE {active} AND format IN ('in_person','hybrid')"
        " GROUP BY region HAVING count(*) >= 100"
    ).fetchall()
    # PA, CA, WA, MA, and South Dakota from Area 63's feed: five states.
    assert {r[0] for r in states} >= {"PA", "CA", "WA", "MA", "SD"} and len(states) >= 5
    online = built.execute(
        f"SELECT count(*) FROM groups WHERE {active} AND format IN ('online','phone')"
    ).fetchone()
    assert online[0] >= 400


def test_no_listing_is_a_test_an_inactive_or_a_business_meeting(built: sqlite3.Connection) -> None:
    rows = built.execute("SELECT * FROM groups").fetchall()
    assert all(r["status"] == vocab.ACTIVE for r in rows)
    assert not [r["name"] for r in rows if not_a_group(Group.from_dict(dict(r)))]
    report = dict(built.execute("SELECT key, value FROM meta WHERE key LIKE 'bundle-report:%'"))
    alanon = report["bundle-report:al-anon-massachusetts"]
    assert "skipped 13: business or service meeting" in alanon
    assert "skipped 1: test record" in alanon
    assert "skipped 252: inactive meeting" in report["bundle-report:aa-seattle"]
    assert "contradicts its place" in report["bundle-report:aa-hamilton-oh"]
    assert (
        "aa-area63-sd: 427 listing(s): stated zone America/Central is not a time zone;"
        " used its place's"
    ) in report["bundle-report:aa-area63-sd"]


_SECRET = re.compile(
    r"pass\s*code|password|contrase|mot de passe|\bpwd\b|meeting\s*id|\bID\s*[:#]?\s*\d{3}"
    r"|\d{9,}#|,,\d|\b\d{3}\s?\d{3,4}\s?\d{4}\b|zoom\.us/j/\d"
    r"|\bmeeting\s*:\s*(?:<[^>]*>\s*)*\d{6,}",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def test_no_passcode_meeting_id_or_personal_email_in_any_listing(built: sqlite3.Connection) -> None:
    """Every text a listing carries, scanned: the issue's 'a test scans every bundled listing'."""
    bad = []
    for row in built.execute("SELECT * FROM groups"):
        for key, value in dict(row).items():
            if not isinstance(value, str) or key in ("schedule", "id", "source_key"):
                continue
            if key == "phone":  # the organization's public number
                continue
            if key == "feedback_email":  # kept only when a role address (webmaster@, info@ …)
                if value and not is_role_address(value, row["email"] or ""):
                    bad.append((row["source"], key, value[:80]))
                continue
            if _SECRET.search(value) or (key != "email" and _EMAIL.search(value)):
                bad.append((row["source"], key, value[:80]))
            if "?" in value and key.endswith("url") and re.search(r"pwd=|passcode=", value):
                bad.append((row["source"], key, value[:80]))
    assert bad == []
    # The only e-mails kept are organizations' own (`entity_email`), never a feed's personal
    # fields (`email` of a meeting's contact, `author`, personal `feedback_emails`).
    emails = {r[0] for r in built.execute("SELECT email FROM groups WHERE email != ''")}
    entity = set()
    for entry in bundle.bundled_feeds():
        if entry["file"].endswith(".json"):
            rows = json.loads(data_path(entry["file"]).read_text(encoding="utf-8"))
            entity |= {r.get("entity_email") for r in rows if isinstance(r, dict)}
    assert emails and emails <= entity


def test_no_staging_links_and_facts_only_feeds(built: sqlite3.Connection) -> None:
    assert (
        built.execute("SELECT count(*) FROM groups WHERE source_url LIKE '%staging%'").fetchone()[0]
        == 0
    )
    alanon = {
        r[0]
        for r in built.execute(
            "SELECT DISTINCT source_url FROM groups WHERE source = 'al-anon-massachusetts'"
        )
    }
    assert alanon == {feed("al-anon-massachusetts")["public_page"]}
    for name in ("aa-oiaa-online", "recovery-dharma-online"):  # no link per meeting in the feed
        links = {
            r[0]
            for r in built.execute(
                "SELECT DISTINCT source_url FROM groups WHERE source = ?", (name,)
            )
        }
        assert links == {feed(name)["public_page"]}, name
    assert built.execute("SELECT count(*) FROM groups WHERE source_url = ''").fetchone()[0] == 0
    for name in ("aa-northeast-pa", "recovery-dharma-online"):
        assert feed(name)["facts_only"] is True
        extra = built.execute(
            "SELECT count(*) FROM groups WHERE source = ? AND (description != '' OR phone != ''"
            " OR email != '' OR website != '' OR languages != '' OR accessibility != '')",
            (name,),
        ).fetchone()[0]
        assert extra == 0, name
        programs = {
            r[0]
            for r in built.execute("SELECT DISTINCT program FROM groups WHERE source = ?", (name,))
        }
        assert programs == {feed(name)["program"]}, name  # `--program aa` finds them
    nepa = built.execute(
        "SELECT count(*) FROM groups WHERE source = 'aa-northeast-pa'"
        " AND source_url LIKE 'https://aaintergroupnepa.org/meetings/%'"
    )
    assert nepa.fetchone()[0] >= 450


def test_show_says_a_map_point_is_approximate(built: sqlite3.Connection) -> None:
    from peerfind.cli.render import group_detail

    rows = {
        r["geo_precision"]: dict(r)
        for r in built.execute(
            "SELECT * FROM groups WHERE source = 'aa-hamilton-oh' OR source = 'aa-sepia'"
        )
    }
    assert "Map point:      approximate (the centre of its ZIP code)" in group_detail(
        Group.from_dict(rows["postal"])
    )
    assert "Map point" not in group_detail(Group.from_dict(rows["exact"]))
