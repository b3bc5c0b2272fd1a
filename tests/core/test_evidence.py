"""Honest dates and correction channels, on real feed rows (see ATTRIBUTION.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import load_page

from peerfind import evidence, feedback
from peerfind.models import Group
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.scraping import SourceConfig


def parse(name: str, recorded: datetime) -> dict[str, Group]:
    """Parse a fixture feed as if recorded on `recorded`; return its groups by name."""
    scraper = MeetingGuide(SourceConfig(name="test", program="aa"))
    page = load_page(f"meeting_guide/{name}", fetched_at=recorded)
    return {g.name: g for g in scraper.parse_groups(page)}


SEATTLE = parse("php-meetings-seattle-feedback.json", datetime(2025, 7, 22, tzinfo=UTC))
OC = parse("tsml-ui-orange-county-last-contact.json", datetime(2023, 8, 31, tzinfo=UTC))
SEPIA = parse("tsml-ui-sepia-feedback-url.json", datetime(2022, 10, 14, tzinfo=UTC))


def test_last_contact_becomes_last_verified() -> None:
    assert SEATTLE["Step 11 Candlelight Meditation"].last_verified == "2025-06-11"
    assert OC["40 Minutes to Freedom"].last_verified == "2023-08-28"
    assert OC["Sanctuary & Serenity"].last_verified == ""  # no last_contact


def test_impossible_years_are_not_verification_dates() -> None:
    # Real typos in the feeds: 0222-10-31 (Seattle) and 0023-03-31 (Orange County).
    assert SEATTLE["The Start-Up Meeting"].last_verified == ""
    assert OC["Beyond Belief Agnostic Discussion"].last_verified == ""


def test_verification_after_the_feed_date_is_refused() -> None:
    early = parse("tsml-ui-orange-county-last-contact.json", datetime(2023, 8, 1, tzinfo=UTC))
    assert early["40 Minutes to Freedom"].last_verified == ""


def test_feedback_url_is_kept() -> None:
    for g in SEPIA.values():
        assert g.feedback_url == "https://aasepia.org/meeting-status/"
        assert feedback.channel(g).line() == (
            "Wrong or closed? Tell the organization: https://aasepia.org/meeting-status/"
        )


def test_role_addresses_kept_personal_mailboxes_dropped() -> None:
    got = {name: g.feedback_email for name, g in SEATTLE.items()}
    assert got["Step 11 Candlelight Meditation"] == "webmaster@seattleaa.org"  # {"1": ...}
    assert got["Moss Bay - Online Only"] == "web@kirklandaa.org"
    assert got["Sno Valley Women in Recovery"] == "registrar@snovalleyaa.org"
    assert got["High Nooners"] == ""  # a person's own mailbox only
    assert got["Renton Lunch Break Group"] == ""  # a person's, and an unexplained alias
    for g in SEATTLE.values():
        assert "hdough" not in repr(g) and "doug_h" not in repr(g)


@pytest.mark.parametrize(
    ("address", "published", "role"),
    [
        ("webmaster@seattleaa.org", "", True),
        ("Info@Example.org", "", True),
        ("central-office@example.org", "", True),
        ("meetings@example.org", "", True),
        ("hdough@me.com", "", False),
        ("doug_h@eastsideaa.org", "", False),
        ("kirklandaa38@gmail.com", "kirklandaa38@gmail.com", True),  # the org's own address
        ("kirklandaa38@gmail.com", "", False),
        ("not an address", "", False),
        ("webmaster@", "", False),
    ],
)
def test_role_address_rule(address: str, published: str, role: bool) -> None:
    assert feedback.is_role_address(address, published) is role


def test_report_mailto_fills_in_the_listing() -> None:
    g = SEATTLE["Step 11 Candlelight Meditation"]
    chan = feedback.channel(g)
    assert chan.kind == "email"
    parts = urlsplit(chan.target)
    assert parts.scheme == "mailto" and parts.path == "webmaster@seattleaa.org"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Correction for the listing: Step 11 Candlelight Meditation"]
    body = query["body"][0]
    assert g.schedule.text in body and g.source_url in body
    assert " " not in chan.target  # URL-encoded


def test_personal_only_listing_falls_back_to_the_organization() -> None:
    g = SEATTLE["High Nooners"]
    chan = feedback.channel(g)
    assert chan.kind == "contact_email"
    assert chan.target.startswith("mailto:web@eastsideaa.org?")  # the entity_email


def test_no_channel_says_so() -> None:
    g = Group(source="x", source_key="1", name="A group")
    assert feedback.channel(g).kind == "none" and feedback.channel(g).line() == ""


def group(**dates: str) -> Group:
    """Return a listing with the given dates."""
    return Group(source="x", source_key="1", name="G", **dates)


def test_listed_recently_but_edited_long_ago_is_not_confirmed_recently() -> None:
    g = group(last_seen="2025-07-22", source_updated="2021-03-01")
    ev = evidence.of(g, date(2025, 8, 1))
    assert ev.label() == "listed 2025-07, edited 2021-03"
    assert "confirmed" not in ev.label() and ev.kind == evidence.LISTED


def test_verified_within_a_year_is_the_strongest() -> None:
    g = group(last_verified="2025-03-02", last_seen="2025-07-22", source_updated="2025-03-02")
    ev = evidence.of(g, date(2025, 8, 1))
    assert (ev.label(), ev.age_days) == ("verified 2025-03", 152)
    # Verified long ago but still listed: the listing date is the newer evidence.
    old = group(last_verified="2018-09-01", last_seen="2025-07-22")
    assert evidence.of(old, date(2025, 8, 1)).label() == "listed 2025-07"


def test_edit_date_only_when_nothing_better() -> None:
    assert evidence.of(group(source_updated="2021-03-01")).label() == "edited 2021-03"
    assert evidence.of(group()).label() == ""


def test_rank_tiers() -> None:
    today = date(2025, 8, 1)
    assert evidence.rank_tier(group(last_verified="2025-03-02", last_seen="2025-07-22"), today) == 0
    assert evidence.rank_tier(group(last_seen="2025-07-22"), today) == 1
    assert evidence.rank_tier(group(last_seen="2023-07-22"), today) == 2


@pytest.mark.parametrize(
    ("text", "days"), [("12mo", 365), ("6mo", 182), ("2y", 730), ("90d", 90), ("8w", 56)]
)
def test_parse_max_age(text: str, days: int) -> None:
    assert evidence.parse_max_age(text) == days


@pytest.mark.parametrize("text", ["", "12", "0mo", "soon", "12 parsecs"])
def test_parse_max_age_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="--max-age"):
        evidence.parse_max_age(text)


NOW = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)


def _listing(key: str, fmt: str, lat: float | None, **dates: str) -> Group:
    """Return a weekly listing near Boston (or online) with the given dates."""
    from peerfind.models import Schedule

    sched = Schedule(kind="weekly", days=(3,), start="19:00", timezone="America/New_York")
    return Group(
        source="ev",
        source_key=key,
        name=f"Group {key}",
        format=fmt,
        schedule=sched,
        latitude=lat,
        longitude=None if lat is None else -71.0589,
        geo_precision="none" if lat is None else "exact",
        **dates,
    )


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A catalog of listings that differ only in distance and in their dates."""
    from peerfind.catalog import db as catalog

    conn = catalog.connect(tmp_path_factory.mktemp("ev") / "c.db", create=True)
    groups = []
    for fmt, lat in (("in_person", 42.3601), ("online", None)):
        step = 0.0 if lat is None else 0.01
        groups += [
            _listing(f"{fmt}-listed", fmt, lat and lat + step, last_seen="2026-11-01"),
            _listing(
                f"{fmt}-verified",
                fmt,
                lat and lat + 3 * step,
                last_seen="2026-11-01",
                last_verified="2026-06-01",
            ),
            _listing(f"{fmt}-old", fmt, lat, last_seen="2024-01-01", source_updated="2020-05-05"),
        ]
    catalog.refresh_source(conn, "ev", groups, force=True)
    conn.commit()
    return conn


def test_verified_within_a_year_ranks_above_merely_listed(ranked) -> None:  # type: ignore[no-untyped-def]
    from peerfind.search.engine import Query, search

    near = Query(lat=42.3601, lon=-71.0589, radius_mi=10, now=NOW, formats=["in_person"])
    got = [r.group.source_key for r in search(ranked, near).results]
    assert got == ["in_person-verified", "in_person-listed", "in_person-old"]
    online = Query(now=NOW, formats=["online"])
    got = [r.group.source_key for r in search(ranked, online).results]
    assert got == ["online-verified", "online-listed", "online-old"]


def test_table_and_json_show_each_kind_of_date(ranked) -> None:  # type: ignore[no-untyped-def]
    from peerfind.cli import render
    from peerfind.search.engine import Query, search

    near = Query(lat=42.3601, lon=-71.0589, radius_mi=10, now=NOW, formats=["in_person"])
    results = search(ranked, near).results
    table = render.table(results, current=NOW, width=140)
    assert "verified 2026-06" in table and "listed 2026-11" in table
    assert "listed 2024-01, edited 2020-05 (old)" in table
    data = results[0].to_dict()
    assert (data["last_verified"], data["last_seen"]) == ("2026-06-01", "2026-11-01")
    assert (data["evidence"], data["evidence_label"]) == ("verified", "verified 2026-06")
    detail = render.group_detail(results[2].group, result=results[2], current=NOW)
    assert "Listed:         2024-01-01" in detail and "Last edited:    2020-05-05" in detail
    assert "Verified:" not in detail and "confirmed" not in detail.lower()


def test_hsds_assured_date_is_the_verification_and_licences_are_the_sources(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import csv
    import json

    from peerfind.export.hsds import write_hsds
    from peerfind.paths import data_path
    from peerfind.search.engine import Result

    scraper = MeetingGuide(SourceConfig(name="atlanta-aa", program="aa"))
    atlanta = scraper.parse_groups(
        load_page(
            str(data_path("feeds", "atlanta-aa.json")), fetched_at=datetime(2024, 10, 6, tzinfo=UTC)
        )
    )
    groups = [*atlanta, *SEATTLE.values()]
    write_hsds([Result(g).to_dict() for g in groups], tmp_path / "out", now=NOW)
    with open(tmp_path / "out" / "services.csv", encoding="utf-8", newline="") as fh:
        assured = {row["name"]: row["assured_date"] for row in csv.DictReader(fh)}
    assert assured["Step 11 Candlelight Meditation"] == "2025-06-11"
    assert assured["High Nooners"] == ""  # listed in 2025, never verified: no assured date
    verified = {g.name for g in groups if g.last_verified}
    assert verified and all(bool(assured[g.name]) == (g.name in verified) for g in groups)
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    assert "license" not in package  # the specification's CC BY-SA is not the data's licence
    assert package["licenses"] == [
        {"name": "MIT", "title": "MIT, stated for the listings of atlanta-aa"}
    ]
    titles = [s["title"] for s in package["sources"]]
    assert "atlanta-aa: Atlanta Central Office of Alcoholics Anonymous (licence: MIT)" in titles
    assert "test: test (licence: not stated by the source)" in titles
    assert any("CC BY-SA 4.0" in t for t in titles)  # the descriptor is still credited


def test_max_age_filters_by_evidence(ranked) -> None:  # type: ignore[no-untyped-def]
    from peerfind.search.engine import Query, search

    near = Query(
        lat=42.3601, lon=-71.0589, radius_mi=10, now=NOW, formats=["in_person"], max_age_days=365
    )
    assert [r.group.source_key for r in search(ranked, near).results] == [
        "in_person-verified",
        "in_person-listed",
    ]
    online = Query(now=NOW, formats=["online"], max_age_days=200)
    assert [r.group.source_key for r in search(ranked, online).results] == [
        "online-verified",
        "online-listed",
    ]  # verified 176 days ago, listed 23 days ago
    recent = Query(now=NOW, formats=["online"], max_age_days=30)
    assert [r.group.source_key for r in search(ranked, recent).results] == ["online-listed"]


DATES = ["", "2020-05-05", "2024-01-01", "2025-12-31", "2026-06-01", "2026-11-01", "bad"]


def test_sql_evidence_date_agrees_with_python() -> None:
    import itertools
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE groups (last_verified, last_seen, source_updated)")
    combos = list(itertools.product(DATES, repeat=3))
    conn.executemany("INSERT INTO groups VALUES (?, ?, ?)", combos)
    rows = conn.execute(
        f"SELECT last_verified, last_seen, source_updated, {evidence.SQL_DATE} FROM groups"
    ).fetchall()
    for verified, seen, edited, sql_date in rows:
        g = group(last_verified=verified, last_seen=seen, source_updated=edited)
        if "bad" in (verified, seen, edited):
            continue  # unreadable dates: Python drops them, SQL may compare them as text
        assert (sql_date or "") == evidence.of(g).date, (verified, seen, edited)


def test_max_age_on_the_command_line() -> None:
    from typer.testing import CliRunner

    from peerfind.cli.app import app

    env = {"PEERFIND_NOW": "2026-11-24T18:30:00-05:00", "TZ": "America/New_York"}
    bad = CliRunner().invoke(app, ["search", "--near", "Boston, MA", "--max-age", "soon"], env=env)
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert bad.stderr.strip() == (
        "peerfind: --max-age 'soon': use a span such as 6mo, 12mo, 2y or 90d."
    )
    # The bundled Massachusetts feed was recorded in 2023: nothing is that fresh.
    none = CliRunner().invoke(app, ["search", "--near", "Boston, MA", "--max-age", "12mo"], env=env)
    assert none.exit_code == 0 and "drop --max-age" in none.stderr.lower()
    some = CliRunner().invoke(app, ["search", "--near", "Boston, MA", "--max-age", "4y"], env=env)
    assert some.exit_code == 0 and "listed 2023-08" in some.stdout
