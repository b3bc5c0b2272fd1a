"""A search's question and answers: Query, Result and Outcome, the SQL filters, and building
one result from a catalog row (next meeting, age, time filters), ranking and de-duplication.

Shared by the engine (place searches) and online listings; stdlib and peerfind modules only.
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from peerfind import evidence, vocab
from peerfind.catalog import db as catalog
from peerfind.errors import UsageError
from peerfind.models import Group, Schedule
from peerfind.search.text import fts_query as fts_query  # re-exported

if TYPE_CHECKING:
    from peerfind.schedule.recurrence import NextMeetings


EARTH_MI = 3958.7613


KM_PER_MI = 1.609344


MAX_RADIUS_MI = 500.0


STALE_DAYS = 90  # a listing not confirmed for longer is marked


SINK_DAYS = 365  # ... and one older than this sinks below fresher ones


ONLINE_CAP = 20_000  # most online candidates examined for next-meeting ordering


@dataclass
class Query:
    """What a user asked for; every tag is already a vocabulary term."""

    lat: float | None = None
    lon: float | None = None
    radius_mi: float = 25.0
    text: str = ""
    populations: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)  # "aa", "al-anon", … (any of them)
    openness: str = ""  # "open", "closed" or "" (either)
    formats: list[str] = field(default_factory=list)
    days: list[int] = field(default_factory=list)  # 0 = Sunday
    dates: list[str] = field(default_factory=list)  # ISO dates ("today", "tomorrow" resolved)
    window: tuple[int, int] | None = None  # minutes since midnight, may wrap
    within: timedelta | None = None  # meets (or is in progress) within this span from `now`
    languages: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    include_closed: bool = False
    max_age_days: int | None = None  # only listings whose evidence is at most this old
    limit: int = 20
    now: datetime | None = None  # aware; the clock is injected, never read here
    user_tz: str = "UTC"
    # next meetings worked out for this query so far (one per distinct schedule)
    meetings: NextMeetings | None = field(default=None, init=False, repr=False, compare=False)
    # listings left out of --now/--within because they give no time zone (by rowid)
    zoneless: set[int] = field(default_factory=set, init=False, repr=False, compare=False)


@dataclass
class Result:
    """One listing in a result list, with what search worked out about it."""

    group: Group
    distance_mi: float | None = None
    next_meeting: datetime | None = None
    age_days: int | None = None
    also_from: list[str] = field(default_factory=list)
    rowid: int | None = None  # where the listing is in the catalog (exports re-read it)
    key: str | None = field(default=None, repr=False, compare=False)  # catalog.dedup_key
    tier: int | None = field(default=None, repr=False, compare=False)  # evidence.rank_tier

    @property
    def zone_unknown(self) -> bool:
        """Return True when the listing meets at set times but says in no time zone."""
        return zone_unknown(self.group)

    @property
    def stale(self) -> bool:
        """Return True when the listing has not been confirmed for over STALE_DAYS."""
        return self.age_days is not None and self.age_days > STALE_DAYS

    def to_dict(self) -> dict[str, object]:
        """Return the JSON object for this result (every Group field plus search extras)."""
        g = self.group
        s = g.schedule
        data = catalog.group_dict(g)
        data.update(
            schedule=s.text,
            schedule_detail=catalog.schedule_dict(s),
            day=[vocab.DAY_NAMES[d] for d in s.days],
            start_time=s.start,
            end_time=s.end,
            timezone=s.timezone,
            distance_mi=None if self.distance_mi is None else round(self.distance_mi, 2),
            distance_km=None
            if self.distance_mi is None
            else round(self.distance_mi * KM_PER_MI, 2),
            next_meeting=self.next_meeting.isoformat() if self.next_meeting else None,
            age_days=self.age_days,
            stale=self.stale,
            also_from=self.also_from,
        )
        data.update(evidence.dates_dict(g))
        return data


@dataclass
class Outcome:
    """The results of a search and what to tell the user when there are few or none."""

    results: list[Result]
    online_matches: int = 0
    nearest_mi: float | None = None
    capped: bool = False  # only the first TEXT_CAP / ONLINE_CAP candidates were examined
    zoneless_left_out: int = 0  # listings without a time zone left out of --now / --within
    total: int | None = None  # how many match in all, when more than the limit were found


def zone_unknown(group: Group) -> bool:
    """Return True when a listing meets at set times but gives no time zone for them."""
    return schedule_zone_unknown(group.schedule)


def schedule_zone_unknown(s: Schedule) -> bool:
    """Return True when a schedule meets at set times but gives no time zone for them."""
    return not s.timezone and s.kind not in ("appointment", "unparsed") and bool(s.start)


def meetings_of(q: Query) -> NextMeetings | None:
    """Return the query's next-meeting calculator (made on first use), None without a clock."""
    if q.meetings is None and q.now is not None:
        from peerfind.schedule.recurrence import NextMeetings

        q.meetings = NextMeetings(q.now, q.user_tz)
    return q.meetings


def haversine_mi(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in miles between two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MI * math.asin(min(1.0, math.sqrt(a)))


def parse_radius(text: str, units: str = "mi") -> float:
    """Return a radius in miles from '25', '25mi' or '40km'; raise UsageError when invalid."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mi|km|miles?|kilometers?|kilometres?)?\s*", text)
    if not match and re.fullmatch(r"\s*-\s*\d+(?:\.\d+)?\s*[a-z]*\s*", text.lower()):
        raise UsageError(f"radius {text!r}: the radius must be positive, e.g. 25, 25mi or 40km.")
    if not match:
        raise UsageError(f"radius {text!r} is not a number; use e.g. 25, 25mi or 40km.")
    value = float(match[1])
    unit = (match[2] or units).lower()
    miles = value / KM_PER_MI if unit.startswith("k") else value
    if miles <= 0:
        raise UsageError("radius must be greater than 0.")
    if miles > MAX_RADIUS_MI:
        raise UsageError(
            f"radius {text!r} is over {MAX_RADIUS_MI:.0f} mi; use --format online "
            "for groups you can join from anywhere."
        )
    return miles


def filters(q: Query, place_based: bool) -> tuple[list[str], list[object]]:
    """Return SQL conditions and parameters for the tag, day, time and status filters."""
    where: list[str] = []
    args: list[object] = []
    statuses = [vocab.ACTIVE] + ([vocab.TEMPORARILY_CLOSED] if q.include_closed else [])
    where.append(f"status IN ({','.join('?' * len(statuses))})")
    args += statuses
    for column, kind, tags in (
        ("populations", "population", q.populations),
        ("topics", "topic", q.topics),
        ("accessibility", "accessibility", q.accessibility),
    ):
        for tag in tags:
            terms = vocab.with_narrower(kind, tag)  # a broader term includes its narrower ones
            where.append("(" + " OR ".join(f"{column} LIKE ?" for _ in terms) + ")")
            args += [f"%|{t}|%" for t in terms]
    if q.programs:
        where.append(f"program IN ({','.join('?' * len(q.programs))})")
        args += q.programs
    if q.openness:
        where.append("openness = ?")
        args.append(q.openness)
    if q.languages:
        conds = ["languages LIKE ?" for _ in q.languages]
        args += [f"%|{lang}|%" for lang in q.languages]
        if "en" in q.languages:
            conds.append("coalesce(languages, '') = ''")
        where.append("(" + " OR ".join(conds) + ")")
    if q.days:
        where.append("(" + " OR ".join("days LIKE ?" for _ in q.days) + ")")
        args += [f"%|{d}|%" for d in q.days]
    if q.max_age_days is not None and q.now is not None:
        where.append(f"{evidence.SQL_DATE} >= ?")
        args.append((q.now.date() - timedelta(days=q.max_age_days)).isoformat())
    if q.window and place_based:
        lo, hi = (f"{m // 60 % 24:02d}:{m % 60:02d}" for m in q.window)
        if q.window[0] <= q.window[1]:
            where.append("start_time >= ? AND start_time < ?")
        else:
            where.append("(start_time >= ? OR start_time < ?)")
        args += [lo, hi]
    return where, args


def place_formats(q: Query) -> list[str]:
    """Return the formats measured by distance: in person and hybrid unless narrowed."""
    if not q.formats:
        return [vocab.IN_PERSON, vocab.HYBRID]
    out = set()
    if vocab.IN_PERSON in q.formats:
        out |= {vocab.IN_PERSON, vocab.HYBRID}
    if vocab.HYBRID in q.formats:
        out.add(vocab.HYBRID)
    return sorted(out)


def remote_formats(q: Query) -> list[str]:
    """Return the formats listed regardless of distance: online (incl. hybrid) and phone."""
    out = set()
    if vocab.ONLINE in q.formats:
        out |= {vocab.ONLINE, vocab.HYBRID}
    if vocab.PHONE in q.formats:
        out.add(vocab.PHONE)
    return sorted(out)


def read_rows(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, sqlite3.Row]:
    """Return full catalog rows by rowid."""
    out: dict[int, sqlite3.Row] = {}
    for i in range(0, len(rowids), 500):
        chunk = rowids[i : i + 500]
        sql = f"SELECT rowid AS _rowid, * FROM groups WHERE rowid IN ({','.join('?' * len(chunk))})"
        out.update({row["_rowid"]: row for row in conn.execute(sql, chunk)})
    return out


def age_days(group: Group, now: datetime | None) -> int | None:
    """Return the age in days of the listing's strongest evidence (see peerfind.evidence)."""
    if now is None:
        return None
    return evidence.of(group, now).age_days


def result_of(row: sqlite3.Row, q: Query, distance: float | None) -> Result | None:
    """Return a Result for a row, or None when the time filters rule it out."""
    group = catalog.row_group(row)
    nxt = None
    meetings = meetings_of(q)
    if meetings is not None:
        nxt = meetings.of(group.schedule)
        if group.status == vocab.TEMPORARILY_CLOSED:
            nxt = None  # nobody meets there until it reopens
    if q.within is not None and zone_unknown(group):
        q.zoneless.add(row["_rowid"])  # "now" is unknowable without the listing's zone
        return None
    if not time_ok(group, nxt, q, remote=distance is None):
        return None
    key = row["dedup_key"]  # stored by catalog.upsert (= catalog.dedup_key(group))
    today = q.now.date() if q.now is not None else None
    age = age_days(group, q.now)
    return Result(
        group,
        distance,
        nxt,
        age,
        rowid=row["_rowid"],
        key=key,
        tier=evidence.tier(group.last_verified, age, today),
    )


def time_ok(group: Group, nxt: datetime | None, q: Query, remote: bool = False) -> bool:
    """Return True when the group passes the --now/--within, date and time-of-day filters.

    SQL already applied --time to listings found by distance; listings found without one
    (online, phone, hybrid in an online search, or no place given) are checked here: online
    ones in the user's zone, in-person ones in their own.
    """
    if q.within is not None and (nxt is None or q.now is None or nxt - q.now > q.within):
        return False
    if q.dates:
        if q.now is None:
            return False
        from zoneinfo import ZoneInfo

        from peerfind.schedule.recurrence import next_occurrences

        zone = ZoneInfo(q.user_tz)
        start = datetime.fromisoformat(min(q.dates)).replace(tzinfo=zone)
        found = next_occurrences(group.schedule, max(start, q.now), 3, default_tz=q.user_tz)
        if not any(f.astimezone(zone).date().isoformat() in q.dates for f in found):
            return False
    if q.window and (remote or group.format in (vocab.ONLINE, vocab.PHONE)):
        if nxt is None:
            return False
        from zoneinfo import ZoneInfo

        local = nxt if group.format == vocab.IN_PERSON else nxt.astimezone(ZoneInfo(q.user_tz))
        minute = local.hour * 60 + local.minute
        lo, hi = q.window
        return lo <= minute < hi if lo <= hi else (minute >= lo or minute < hi)
    return True


def sort_key(r: Result) -> tuple[int, float, float]:
    """Rank: verified within a year (0), then listed within a year (1), then older listings
    (2, they sink); then distance; then the next meeting.

    Place searches gather the nearest listings that do not sink (see near.collect) and rank those:
    a verified listing comes first among them.
    """
    sink = r.tier if r.tier is not None else (2 if (r.age_days or 0) > SINK_DAYS else 1)
    when = r.next_meeting.timestamp() if r.next_meeting else float("inf")
    return (sink, r.distance_mi if r.distance_mi is not None else 0.0, when)


def dedup(results: list[Result]) -> list[Result]:
    """Keep one result per real meeting published by several sources (same key, ~150 m or link).

    The fresher, more complete listing wins; the others' sources go to `also_from`.
    """
    kept: list[Result] = []
    by_key: dict[str, list[int]] = {}
    for r in results:
        key = r.key or catalog.dedup_key(r.group)
        idx = next((i for i in by_key.get(key, []) if same_place(kept[i].group, r.group)), None)
        if idx is None:
            by_key.setdefault(key, []).append(len(kept))
            kept.append(r)
            continue
        twin = kept[idx]
        better = (_completeness(r.group), r.group.last_seen) > (
            _completeness(twin.group),
            twin.group.last_seen,
        )
        winner, loser = (r, twin) if better else (twin, r)
        sources = {*twin.also_from, *r.also_from, loser.group.source} - {winner.group.source}
        distances = [d for d in (r.distance_mi, twin.distance_mi) if d is not None]
        kept[idx] = replace(
            winner, also_from=sorted(sources), distance_mi=min(distances) if distances else None
        )
    return kept


def same_place(a: Group, b: Group) -> bool:
    """Return True when two listings are within ~150 m of each other or share a join link."""
    if a.join_url and a.join_url == b.join_url:
        return True
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return a.format == b.format == vocab.ONLINE and not a.join_url and not b.join_url
    return haversine_mi(a.latitude, a.longitude, b.latitude, b.longitude) <= 0.093  # type: ignore[arg-type]


def _completeness(g: Group) -> int:
    """Return how many of a listing's descriptive fields are filled in."""
    return sum(
        bool(getattr(g, f))
        for f in ("description", "address", "join_url", "phone", "website", "venue", "postal_code")
    )
