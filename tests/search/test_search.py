"""Search over a catalog built from the real bundled feeds: radius, filters, time, dedup."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from peerfind import vocab
from peerfind.catalog import db as catalog
from peerfind.errors import UsageError
from peerfind.models import Group, Schedule
from peerfind.search.engine import Query, fts_query, haversine_mi, parse_radius, search
from peerfind.sources import bundle

BOSTON = (42.3601, -71.0589)
NOW = datetime(2026, 11, 24, 18, 30, tzinfo=ZoneInfo("America/New_York"))  # a Tuesday


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A catalog built by the project's own pipeline from the bundled real feeds."""
    path = tmp_path_factory.mktemp("cat") / "catalog.db"
    bundle.build_file(path)
    return catalog.connect(path)


def q(**kw: object) -> Query:
    """Return a Query near Boston at the pinned time, with overrides."""
    base = {
        "lat": BOSTON[0],
        "lon": BOSTON[1],
        "radius_mi": 25.0,
        "now": NOW,
        "user_tz": "America/New_York",
        "limit": 50,
    }
    base.update(kw)
    return Query(**base)  # type: ignore[arg-type]


def test_radius_results_are_near_sorted_and_attendable(conn) -> None:  # type: ignore[no-untyped-def]
    results = search(conn, q(limit=20)).results
    assert len(results) == 20
    distances = [r.distance_mi for r in results]
    assert all(d is not None and d <= 25 for d in distances)
    assert distances == sorted(distances)  # all bundled listings are equally old: pure distance
    for r in results:
        assert r.group.format in (vocab.IN_PERSON, vocab.HYBRID)
        assert r.group.status == vocab.ACTIVE
        exact = haversine_mi(*BOSTON, r.group.latitude, r.group.longitude)
        assert r.distance_mi == pytest.approx(exact)


def test_larger_radius_finds_more(conn) -> None:  # type: ignore[no-untyped-def]
    small = search(conn, q(radius_mi=5, limit=1000)).results
    large = search(conn, q(radius_mi=40, limit=1000)).results
    assert 0 < len(small) < len(large)
    assert {r.group.id for r in small} <= {r.group.id for r in large}


def test_population_filter(conn) -> None:  # type: ignore[no-untyped-def]
    results = search(conn, q(radius_mi=100, populations=["youth"], limit=100)).results
    assert results and all("youth" in r.group.populations for r in results)
    assert any("alateen" in r.group.name.lower() for r in results)


def test_format_online_ignores_distance(conn) -> None:  # type: ignore[no-untyped-def]
    results = search(conn, q(formats=["online"], limit=500)).results
    fmts = {r.group.format for r in results}
    assert vocab.ONLINE in fmts and vocab.IN_PERSON not in fmts
    far = [r for r in results if r.distance_mi is None and r.group.format == vocab.ONLINE]
    assert any(r.group.source == "eda" for r in far)  # worldwide online meetings


def test_day_and_time_window(conn) -> None:  # type: ignore[no-untyped-def]
    results = search(conn, q(radius_mi=60, days=[2], window=(1020, 1260), limit=200)).results
    assert results
    for r in results:
        assert 2 in r.group.schedule.days
        assert "17:00" <= (r.group.schedule.start or "") < "21:00"


def test_next_meeting_is_computed_in_local_time(conn) -> None:  # type: ignore[no-untyped-def]
    results = search(conn, q(limit=5)).results
    for r in results:
        assert r.next_meeting is not None and r.next_meeting > NOW - timedelta(hours=2)
        local = r.next_meeting.astimezone(ZoneInfo("America/New_York"))
        assert local.strftime("%H:%M") == r.group.schedule.start
        assert (local.weekday() + 1) % 7 in r.group.schedule.days


def test_within_keeps_only_soon_meetings(conn) -> None:  # type: ignore[no-untyped-def]
    results = search(conn, q(radius_mi=60, within=timedelta(hours=1), limit=100)).results
    assert results
    assert all(r.next_meeting - NOW <= timedelta(hours=1) for r in results)  # type: ignore[operator]


def test_text_search(conn) -> None:  # type: ignore[no-untyped-def]
    results = search(conn, q(radius_mi=100, text="alateen", limit=100)).results
    assert results and all(
        "alateen" in (r.group.name + r.group.description).lower() for r in results
    )


def test_closed_groups_hidden_unless_asked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The bundle lists no closed meeting (they are left out), so a scrape marks one closed here.
    path = tmp_path / "catalog.db"
    bundle.build_file(path)
    db = catalog.connect(path)
    with db:
        db.execute(
            "UPDATE groups SET status = ? WHERE id = (SELECT id FROM groups WHERE"
            " source = 'al-anon-massachusetts' AND city = 'Boston' AND format = 'in_person'"
            " LIMIT 1)",
            (vocab.TEMPORARILY_CLOSED,),
        )
    default = search(db, q(radius_mi=200, limit=1000)).results
    assert all(r.group.status == vocab.ACTIVE for r in default)
    closed = search(db, q(radius_mi=200, limit=1000, include_closed=True)).results
    assert any(r.group.status == vocab.TEMPORARILY_CLOSED for r in closed)


def test_empty_result_hints(conn) -> None:  # type: ignore[no-untyped-def]
    outcome = search(conn, q(lat=41.7, lon=-73.9, radius_mi=10))  # Poughkeepsie, NY
    assert outcome.results == []
    assert outcome.nearest_mi is not None and outcome.nearest_mi > 10
    assert outcome.online_matches > 0


def test_same_meeting_from_two_sources_listed_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    conn = catalog.connect(tmp_path / "c.db", create=True)
    sched = Schedule(kind="weekly", days=(2,), start="19:00", timezone="America/New_York")
    a = Group(
        source="feed-a",
        source_key="1",
        name="Tuesday Night Serenity",
        latitude=42.36,
        longitude=-71.06,
        geo_precision="exact",
        schedule=sched,
        last_seen="2026-11-01",
    )
    b = replace(
        a,
        source="feed-b",
        source_key="x9",
        name="Tuesday Night  Serenity!",
        latitude=42.3605,
        description="Side door.",
        last_seen="2026-11-20",
    )
    c = replace(a, source="feed-b", source_key="x10", latitude=42.40)  # 2.8 mi away: different
    catalog.refresh_source(conn, "feed-a", [a])
    catalog.refresh_source(conn, "feed-b", [b, c])
    results = search(conn, q()).results
    assert len(results) == 2
    first = results[0]
    assert first.group.source == "feed-b" and first.also_from == ["feed-a"]


def test_parse_radius() -> None:
    assert parse_radius("25") == 25 and parse_radius("40km") == pytest.approx(24.85, 0.01)
    assert parse_radius("10", "km") == pytest.approx(6.21, 0.01)
    for bad in ("0", "-5", "abc", "600"):
        with pytest.raises(UsageError):
            parse_radius(bad)


def test_fts_query_is_always_valid_syntax() -> None:
    assert fts_query('grief "loss support" OR veterans') == '"grief" "loss support" OR "veterans"'
    assert fts_query("'; DROP TABLE groups; --") == '"DROP" "TABLE" "groups"'
    assert fts_query("OR OR") == '"OR"'  # a lone OR is searched as a word
