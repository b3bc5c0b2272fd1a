"""Search the catalog: place + radius, filters, free text, ranking and next meetings.

Imported on the start-up path of `peerfind search`: stdlib and peerfind modules only.
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
from peerfind.search.text import TEXT_SQL_LIMIT
from peerfind.search.text import TextMatch as _Text
from peerfind.search.text import fts_query as fts_query  # re-exported

if TYPE_CHECKING:
    from peerfind.schedule.recurrence import NextMeetings

EARTH_MI = 3958.7613
KM_PER_MI = 1.609344
MAX_RADIUS_MI = 500.0
STALE_DAYS = 90  # a listing not confirmed for longer is marked
SINK_DAYS = 365  # ... and one older than this sinks below fresher ones
ONLINE_CAP = 20_000  # most online candidates examined for next-meeting ordering
_GROWTH = (1.0, 3.0, 9.0, 25.0, 75.0, 250.0)
CELL_LIST_MAX = 400  # boxes spanning up to this many grid cells list them one by one


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


def _bbox_ranges(
    lat: float, lon: float, r: float
) -> tuple[list[tuple[int, int]], tuple[float, ...]]:
    """Return the grid-cell ranges and the (lat, lon) box that contain a circle of r miles."""
    dlat = r / 69.0
    edge = min(89.9, abs(lat) + dlat)
    dlon = min(180.0, r / (69.0 * math.cos(math.radians(edge))))
    lat_lo, lat_hi = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    ranges = []
    row_lo = int((lat_lo + 90) / catalog.CELL)
    row_hi = int((lat_hi + 90) / catalog.CELL)
    col_lo = math.floor((lon - dlon + 180) / catalog.CELL)
    col_hi = math.floor((lon + dlon + 180) / catalog.CELL)
    n = catalog.LON_CELLS
    if col_hi - col_lo + 1 >= n:
        spans = [(0, n - 1)]
    elif col_lo < 0:  # the box crosses the antimeridian: two longitude spans
        spans = [(col_lo + n, n - 1), (0, col_hi)]
    elif col_hi >= n:
        spans = [(col_lo, n - 1), (0, col_hi - n)]
    else:
        spans = [(col_lo, col_hi)]
    for row in range(row_lo, row_hi + 1):
        ranges += [(row * catalog.LON_CELLS + a, row * catalog.LON_CELLS + b) for a, b in spans]
    return ranges, (lat_lo, lat_hi, lon - dlon, lon + dlon)


def _filters(q: Query, place_based: bool) -> tuple[list[str], list[object]]:
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


def _near(
    conn: sqlite3.Connection,
    q: Query,
    radius: float,
    formats: list[str],
    where: list[str],
    args: list[object],
    text: _Text | None = None,
) -> list[tuple[float, int]]:
    """Return (distance, rowid) of matching listings within `radius` miles, nearest first.

    Free text is applied here when it has at most TEXT_SET_LIMIT matches; for a more common
    word _collect checks it for the candidates it actually reads.
    """
    assert q.lat is not None and q.lon is not None
    ranges, (la0, la1, lo0, lo1) = _bbox_ranges(q.lat, q.lon, radius)
    count = sum(b - a + 1 for a, b in ranges)
    if count <= CELL_LIST_MAX:  # each cell by equality: the index then seeks on latitude too
        cell_list: list[object] = [c for a, b in ranges for c in range(a, b + 1)]
        cells = f"cell IN ({','.join('?' * count)})"
    else:  # a wide box: whole runs of cells
        cell_list = [v for pair in ranges for v in pair]
        cells = " OR ".join("cell BETWEEN ? AND ?" for _ in ranges)
    lon_cond = "longitude BETWEEN ? AND ?" if lo0 >= -180 and lo1 <= 180 else "1"
    sql = (
        f"SELECT rowid, latitude, longitude FROM groups INDEXED BY groups_geo WHERE ({cells})"
        f" AND latitude BETWEEN ? AND ? AND {lon_cond}"
        f" AND format IN ({','.join('?' * len(formats))})" + "".join(f" AND {w}" for w in where)
    )
    params: list[object] = [*cell_list, la0, la1]
    params += [lo0, lo1] if lon_cond != "1" else []
    params += formats + args
    ids = None
    if text is not None and text.count <= TEXT_SQL_LIMIT:  # SQLite holds the few matches
        cond, more = text.condition()
        sql += f" AND {cond}"
        params += more
    elif text is not None:
        ids = text.ids
    hits = []
    for rowid, lat, lon in conn.execute(sql, params):
        if ids is not None and rowid not in ids:
            continue
        d = haversine_mi(q.lat, q.lon, lat, lon)
        if d <= radius:
            hits.append((d, rowid))
    hits.sort()
    return hits


def _rows(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, sqlite3.Row]:
    """Return full catalog rows by rowid."""
    out: dict[int, sqlite3.Row] = {}
    for i in range(0, len(rowids), 500):
        chunk = rowids[i : i + 500]
        sql = f"SELECT rowid AS _rowid, * FROM groups WHERE rowid IN ({','.join('?' * len(chunk))})"
        out.update({row["_rowid"]: row for row in conn.execute(sql, chunk)})
    return out


def _age_days(group: Group, now: datetime | None) -> int | None:
    """Return the age in days of the listing's strongest evidence (see peerfind.evidence)."""
    if now is None:
        return None
    return evidence.of(group, now).age_days


def _result(row: sqlite3.Row, q: Query, distance: float | None) -> Result | None:
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
    if not _time_ok(group, nxt, q, remote=distance is None):
        return None
    key = row["dedup_key"]  # stored by catalog.upsert (= catalog.dedup_key(group))
    today = q.now.date() if q.now is not None else None
    age = _age_days(group, q.now)
    return Result(group, distance, nxt, age, rowid=row["_rowid"], key=key,
                  tier=evidence.tier(group.last_verified, age, today))


def _time_ok(group: Group, nxt: datetime | None, q: Query, remote: bool = False) -> bool:
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


def _sort_key(r: Result) -> tuple[int, float, float]:
    """Rank: verified within a year (0), then listed within a year (1), then older listings
    (2, they sink); then distance; then the next meeting.

    Place searches gather the nearest listings that do not sink (see _collect) and rank those:
    a verified listing comes first among them.
    """
    sink = r.tier if r.tier is not None else (2 if (r.age_days or 0) > SINK_DAYS else 1)
    when = r.next_meeting.timestamp() if r.next_meeting else float("inf")
    return (sink, r.distance_mi if r.distance_mi is not None else 0.0, when)


def _dedup(results: list[Result]) -> list[Result]:
    """Keep one result per real meeting published by several sources (same key, ~150 m or link).

    The fresher, more complete listing wins; the others' sources go to `also_from`.
    """
    kept: list[Result] = []
    by_key: dict[str, list[int]] = {}
    for r in results:
        key = r.key or catalog.dedup_key(r.group)
        idx = next((i for i in by_key.get(key, []) if _same_place(kept[i].group, r.group)), None)
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


def _same_place(a: Group, b: Group) -> bool:
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


def _sunk(r: Result) -> bool:
    """Return True when a result sinks below fresher ones (unconfirmed for over SINK_DAYS)."""
    return (r.age_days or 0) > SINK_DAYS


def _collect(
    conn: sqlite3.Connection,
    q: Query,
    hits: list[tuple[float, int]],
    want: int,
    text: _Text | None = None,
    memo: dict[int, Result | None] | None = None,
) -> tuple[list[Result], bool]:
    """Turn (distance, rowid) hits, nearest first, into Results, reading rows in small batches.

    Stops once `want` results that do not sink survive the time filters and duplicate merging:
    nothing further away can then rank above them. Returns the Results and whether that
    happened. `memo` keeps the Results already built (by rowid) across growing radii.
    """
    memo = {} if memo is None else memo
    out: list[Result] = []
    pos, size = 0, want + 5
    while pos < len(hits):
        batch = hits[pos : pos + size]
        pos, size = pos + len(batch), size * 2
        ids = [rid for _, rid in batch]
        keep = text.check(ids) if text is not None and text.ids is None else None
        todo = [rid for rid in ids if rid not in memo and (keep is None or rid in keep)]
        rows = _rows(conn, todo) if todo else {}
        dist = {rid: d for d, rid in batch}
        for rid in todo:
            memo[rid] = _result(rows[rid], q, dist[rid]) if rid in rows else None
        out += [r for rid in ids if (keep is None or rid in keep) and (r := memo.get(rid))]
        if sum(1 for r in _dedup(out) if not _sunk(r)) >= want:
            return out, True
    return out, False


def search(conn: sqlite3.Connection, q: Query) -> Outcome:
    """Run a search and return ranked, de-duplicated results plus hints for an empty answer.

    It reads in one snapshot: a refresh committing meanwhile cannot mix two versions of a source.
    """
    if q.text and not fts_query(q.text):
        raise UsageError(f"no words to search for in {q.text!r}; use letters or digits.")
    if conn.in_transaction:
        return _search(conn, q)
    conn.execute("BEGIN")
    try:
        return _search(conn, q)
    finally:
        conn.rollback()


def _search(conn: sqlite3.Connection, q: Query) -> Outcome:
    """Run a search inside the caller's read transaction."""
    want = max(1, q.limit)
    results: list[Result] = []
    outcome = Outcome(results=[])
    place_fmts = place_formats(q)
    text = _Text(conn, q.text) if q.text else None
    if q.lat is not None and q.lon is not None and place_fmts:
        where, args = _filters(q, place_based=True)
        radii = [r for r in _GROWTH if r < q.radius_mi] + [q.radius_mi]
        need = want
        memo: dict[int, Result | None] = {}
        for radius in radii:
            hits = _near(conn, q, radius, place_fmts, where, args, text)
            if len(hits) >= need or radius == q.radius_mi:
                found, complete = _collect(conn, q, hits, want, text, memo)
                if complete or radius == q.radius_mi:
                    results = found
                    break
                need *= 4
        if not results:
            outcome.nearest_mi = _nearest(conn, q, place_fmts, where, args, text)
    remote = remote_formats(q)
    if remote or q.lat is None:
        from peerfind.search.online import remote_results

        fmts = remote or list(vocab.FORMATS)
        found, outcome.capped = remote_results(conn, q, fmts, want, text)
        results += found
    elif not results:
        outcome.online_matches = _count_remote(conn, q, text)
    results = _dedup(results)
    results.sort(key=_sort_key)
    outcome.results = results[:want]
    outcome.zoneless_left_out = len(q.zoneless)
    return outcome


HINT_COUNT_CAP = 500  # most online listings built to count them against time filters


def _count_remote(conn: sqlite3.Connection, q: Query, text: _Text | None = None) -> int:
    """Return how many online or phone listings match the filters (for the no-result hint),
    meeting when the user asked (--now, --within, --day, --time); at most HINT_COUNT_CAP of
    those are counted one by one."""
    if q.within is not None or q.dates or q.window:
        from peerfind.search.online import remote_results

        fmts = [vocab.ONLINE, vocab.HYBRID, vocab.PHONE]
        probe = replace(q, limit=HINT_COUNT_CAP)
        found, _ = remote_results(conn, probe, fmts, HINT_COUNT_CAP, text)
        return len(_dedup(found))
    where, args = _filters(q, place_based=False)
    if text is not None:
        cond, params = text.condition()
        where.append(cond)
        args += params
    # Tag and day filters are columns of the covering geo index: scanning it is several times
    # cheaper than reading every online row through groups_format.
    index = ""
    if (q.populations or q.topics or q.days) and not (q.languages or q.accessibility):
        index = "INDEXED BY groups_geo "
    sql = (
        f"SELECT count(*) FROM groups {index}WHERE format IN (?, ?, ?) AND {' AND '.join(where)}"
    )
    return conn.execute(sql, [vocab.ONLINE, vocab.HYBRID, vocab.PHONE] + args).fetchone()[0]


def _nearest(
    conn: sqlite3.Connection,
    q: Query,
    formats: list[str],
    where: list[str],
    args: list[object],
    text: _Text | None = None,
) -> float | None:
    """Return the distance to the nearest matching listing beyond the radius (up to 500 mi)."""
    for radius in (q.radius_mi * 3, 150.0, MAX_RADIUS_MI):
        if radius <= q.radius_mi or radius > MAX_RADIUS_MI:
            continue
        hits = _near(conn, q, radius, formats, where, args, text)
        if q.within is not None or q.dates:  # only what meets when the user asked counts
            found, _ = _collect(conn, q, hits, 1, text)
            if found:
                return min(r.distance_mi or 0.0 for r in found)
            continue
        if text is not None and text.ids is None:
            for i in range(0, len(hits), 200):
                chunk = hits[i : i + 200]
                keep = text.check([rid for _, rid in chunk])
                hits_kept = [h for h in chunk if h[1] in keep]
                if hits_kept:
                    return hits_kept[0][0]
            continue
        if hits:
            return hits[0][0]
    return None
