"""Next meetings as search, exports and online listings see them (schedule.NextMeetings).

Over every schedule of the bundled real feeds (data/feeds, see data/README.md) and hand-made
edge cases, at moments on both sides of the 2026 DST changes: each next meeting begins at the
schedule's wall-clock start on one of its days and ends after the moment. Online listings come
soonest first, as a ranking of every one of them would put them. The calculator itself is
checked against dateutil in test_schedule.py.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from peerfind.catalog import db as catalog
from peerfind.models import Schedule
from peerfind.schedule.recurrence import NextMeetings, duration_minutes
from peerfind.search import engine as search
from peerfind.sources import bundle

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=ZoneInfo("America/New_York"))  # a Tuesday
# From 2026-03-07 20:15 UTC: before and after the US change (Mar 8) and the EU one (Mar 29),
# months on, and across the November changes.
MOMENTS = [
    datetime(2026, 3, 7, 20, 15, tzinfo=UTC) + timedelta(hours=h)
    for h in (0, 5.5, 30, 24 * 9 + 7, 24 * 130 + 1, 24 * 200 + 13, 24 * 240)
]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled catalog built from the real recorded feeds."""
    db = tmp_path_factory.mktemp("bundled") / "catalog.db"
    bundle.build_file(db)
    return db


def schedules(db: Path) -> list[Schedule]:
    """Return every distinct schedule of a catalog, plus hand-made edge cases."""
    conn = catalog.connect(db, readonly=True)
    found = [catalog.row_group(r).schedule for r in conn.execute("SELECT * FROM groups")]
    found += [
        Schedule(kind="weekly", days=(0, 6), start="23:30", end="00:30"),  # crosses midnight
        Schedule(kind="weekly", days=(1,), start="02:30", timezone="America/New_York"),  # gap
        Schedule(
            kind="monthly_nth",
            days=(4,),
            nths=(-1, 2),
            start="19:00",
            end="20:00",
            timezone="Europe/London",
        ),
        Schedule(kind="monthly_nth", days=(5,), nths=(5,), start="09:00", timezone="Asia/Tokyo"),
        Schedule(kind="weekly", days=(2,), interval=2, anchor="2026-01-06", start="18:00"),
        Schedule(kind="weekly", days=(3,), start="18:00", until="2026-12-01"),
        Schedule(kind="weekly", days=(2, 4), start="18:00", exdates=("2026-03-10",)),
        Schedule(kind="weekly", days=(9,), start="18:00"),
        Schedule(kind="weekly", days=(2,), start="25:00"),
        Schedule(kind="appointment", text="Call first"),
    ]
    return list(dict.fromkeys(found))


def _plain(s: Schedule) -> bool:
    """Return True for a schedule that meets every week or month for ever at a set time."""
    return (
        s.kind in ("weekly", "monthly_nth")
        and bool(s.start)
        and not s.until
        and s.interval == 1
        and bool(set(s.days) & set(range(7)))
        and (s.kind == "weekly" or bool(s.nths))
    )


def _meets_as_scheduled(s: Schedule, when: datetime, moment: datetime, zone: str) -> None:
    """Assert that `when` is a meeting of `s` in progress or to come at `moment`."""
    local = when.astimezone(ZoneInfo(s.timezone or zone))
    assert when + timedelta(minutes=duration_minutes(s)) > moment, (s, when)  # not over
    hour, minute = map(int, (s.start or "").split(":"))
    gap = (local.hour, local.minute) != (hour, minute)  # a start skipped by spring-forward
    assert not gap or local.dst(), (s, when)
    weekday = (local.weekday() + 1) % 7  # peerfind counts from Sunday
    if s.kind in ("weekly", "monthly_nth") and not gap:
        assert weekday in s.days, (s, when)
    if s.kind == "monthly_date" and not gap:
        assert local.day == s.monthday, (s, when)


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%m-%d %H:%M"))
def test_every_bundled_schedule_meets_as_scheduled_across_dst(
    bundled: Path, moment: datetime
) -> None:
    meetings = NextMeetings(moment, "America/Chicago")
    cases = schedules(bundled)
    assert len(cases) > 100
    met = 0
    for sched in cases:
        when = meetings.of(sched)
        if when is None:  # only what cannot meet again (or cannot be placed) has none
            assert not _plain(sched) or sched.start == "25:00", sched
            continue
        met += 1
        _meets_as_scheduled(sched, when, moment, "America/Chicago")
        assert meetings.of(sched) is when  # asked again: the same answer, from the memo
    assert met > 100


def test_memo_keeps_schedules_apart_that_differ_in_one_field() -> None:
    base = Schedule(
        kind="weekly", days=(2,), start="17:30", end="18:30", timezone="America/New_York"
    )
    meetings = NextMeetings(NOW)
    assert meetings.of(base).date().isoformat() == "2026-12-01"  # ended at 18:30: over
    assert (
        meetings.of(
            Schedule(
                kind="weekly", days=(2,), start="17:30", end="18:31", timezone="America/New_York"
            )
        )
        .date()
        .isoformat()
        == "2026-11-24"
    )
    assert (
        meetings.of(
            Schedule(
                kind="weekly", days=(2,), start="17:30", end="18:30", timezone="America/Chicago"
            )
        )
        .date()
        .isoformat()
        == "2026-11-24"
    )
    assert (
        meetings.of(
            Schedule(
                kind="weekly", days=(3,), start="17:30", end="18:30", timezone="America/New_York"
            )
        )
        .date()
        .isoformat()
        == "2026-11-25"
    )


def test_a_meeting_ending_at_the_moment_is_over() -> None:
    sched = Schedule(
        kind="weekly", days=(2,), start="17:30", end="18:30", timezone="America/New_York"
    )
    got = NextMeetings(NOW, "UTC").of(sched)  # NOW is Tuesday 18:30 in New York
    assert got is not None and got.date().isoformat() == "2026-12-01"
    running = NextMeetings(NOW - timedelta(minutes=1), "UTC").of(sched)
    assert running is not None and running.isoformat() == "2026-11-24T17:30:00-05:00"


def test_a_naive_moment_is_read_in_each_schedules_zone() -> None:
    sched = Schedule(kind="weekly", days=(2,), start="19:00", timezone="Europe/Paris")
    moment = datetime(2026, 11, 24, 19, 30)  # a Tuesday, naive: 19:30 in Paris
    assert NextMeetings(moment).of(sched).isoformat() == "2026-11-24T19:00:00+01:00"


def test_zoneless_schedule_meets_in_the_default_zone() -> None:
    sched = Schedule(kind="weekly", days=(3,), start="09:00")
    assert NextMeetings(NOW, "Asia/Tokyo").of(sched).isoformat() == "2026-11-25T09:00:00+09:00"
    assert NextMeetings(NOW).of(sched).isoformat() == "2026-11-25T09:00:00+00:00"  # else UTC


def test_stored_schedules_are_read_like_catalog_rows(bundled: Path) -> None:
    conn = catalog.connect(bundled, readonly=True)
    meetings = NextMeetings(NOW, "America/New_York")
    rows = conn.execute("SELECT * FROM groups").fetchall()
    for row in rows:
        assert meetings.of_stored(row["schedule"]) == meetings.of(catalog.row_group(row).schedule)
    with pytest.raises(ValueError):
        meetings.of_stored("{not json")
    with pytest.raises(ValueError):
        meetings.of_stored('["a list"]')


def _ranked_online(conn: sqlite3.Connection, q: search.Query) -> list[tuple[str, str | None]]:
    """Return (id, next meeting) of every online listing as search ranks them, by brute force."""
    rows = conn.execute(
        "SELECT rowid AS _rowid, * FROM groups WHERE status = 'active' AND "
        "format IN ('online', 'hybrid')"
    ).fetchall()
    results = [r for row in rows if (r := search.result_of(row, q, None)) is not None]
    ranked = search.dedup(sorted(results, key=search.sort_key))
    ranked.sort(key=search.sort_key)
    return [(r.group.id, r.next_meeting and r.next_meeting.isoformat()) for r in ranked]


@pytest.mark.parametrize("moment", MOMENTS[:4] + [NOW], ids=lambda m: m.strftime("%m-%d %H:%M"))
@pytest.mark.parametrize("within", [None, timedelta(hours=3)])
def test_online_listings_come_soonest_first_as_a_full_ranking_would(
    bundled: Path, moment: datetime, within: timedelta | None
) -> None:
    conn = catalog.connect(bundled, readonly=True)
    q = search.Query(
        formats=["online"], now=moment, within=within, limit=20, user_tz="America/New_York"
    )
    got = [
        (r.group.id, r.next_meeting and r.next_meeting.isoformat())
        for r in search.search(conn, q).results
    ]
    full = search.Query(
        formats=["online"], now=moment, within=within, limit=20, user_tz="America/New_York"
    )
    expected = _ranked_online(conn, full)[:20]
    assert got == expected
    assert len(got) == 20 if within is None else got


def test_online_zoneless_listings_are_counted_whatever_their_kind(tmp_path: Path) -> None:
    """A dated meeting with no zone cannot be placed in time either: left out, and counted."""
    db = tmp_path / "catalog.db"
    bundle.build_file(db)
    conn = catalog.connect(db)
    rowid, stored = conn.execute(
        "SELECT rowid, schedule FROM groups WHERE format = 'online' AND status = 'active' "
        "AND coalesce(timezone, '') != '' AND start_time != '' LIMIT 1"
    ).fetchone()
    dated = json.loads(stored)
    dated.update(kind="once", dates=["2026-12-20"], days=[])
    dated.pop("timezone", None)
    with conn:
        conn.execute(
            "UPDATE groups SET schedule = ?, timezone = NULL, days = '' WHERE rowid = ?",
            (json.dumps(dated, sort_keys=True), rowid),
        )
    q = search.Query(
        formats=["online"], now=NOW, within=timedelta(hours=2), limit=20, user_tz="America/New_York"
    )
    outcome = search.search(conn, q)
    assert rowid in q.zoneless
    assert outcome.zoneless_left_out == len(q.zoneless) >= 1
    assert rowid not in {r.rowid for r in outcome.results}
