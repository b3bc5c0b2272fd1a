"""The next meeting of many schedules at one moment, memoised: for big result lists and exports.

`NextMeetings(now, default_tz).of(s)` returns what `schedule.next_occurrence(s, now, default_tz)`
returns. Listings share schedules, and most are plain weekly or nth-weekday monthly ones whose
candidate dates depend only on the weekdays, the zone and the meeting length; those are worked
out once and only the wall-clock start is checked per schedule. Anything else (every N weeks,
until, skipped dates, single dates) goes to schedule.next_occurrences. Standard library only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from peerfind.models import Schedule
from peerfind.schedule.recurrence import (
    _minutes,
    _month_dates,
    _sday,
    _wall,
    _zone,
    duration_minutes,
    next_occurrences,
)

_FAST_KINDS = ("weekly", "monthly_nth")
_MISSING = object()


class NextMeetings:
    """Next meetings after one moment, memoised per schedule (text ignored)."""

    def __init__(self, now: datetime, default_tz: str | None = None, *,
                 remember: bool = True) -> None:
        """Remember the moment (naive: read in each schedule's zone, as next_occurrences does)
        and the zone used for schedules without one; `remember` False keeps no per-schedule
        memo (for callers that keep their own)."""
        self.now = now
        self.default_tz = default_tz
        self.remember = remember
        self._naive = now.tzinfo is None  # read in each schedule's zone: no shared dates
        self._now_utc = now.astimezone(UTC) if not self._naive else None
        self._by_key: dict[tuple, datetime | None] = {}
        self._zones: dict[str | None, ZoneInfo] = {}
        self._firsts: dict[tuple[ZoneInfo, int], date] = {}
        self._dates: dict[tuple, tuple[date, ...]] = {}

    def of(self, s: Schedule) -> datetime | None:
        """Return the next meeting of `s` whose end is after `now`, or None."""
        if not self.remember:
            return self._compute(s)
        key = (s.kind, s.days, s.interval, s.anchor, s.nths, s.monthday, s.dates, s.start,
               s.end, s.timezone, s.until, s.exdates)
        try:
            found = self._by_key.get(key, _MISSING)
        except TypeError:  # lists instead of tuples: not memoised
            return self._compute(s)
        if found is _MISSING:
            found = self._by_key[key] = self._compute(s)
        return found  # type: ignore[return-value]

    def _compute(self, s: Schedule) -> datetime | None:
        """Return the next meeting of one schedule (fast path for plain recurrences)."""
        plain = s.kind in _FAST_KINDS and not s.until and not s.exdates and not self._naive
        if not plain or (s.kind == "weekly" and s.interval != 1):
            found = next_occurrences(s, self.now, 1, default_tz=self.default_tz)
            return found[0] if found else None
        start = _minutes(s.start)
        if start is None:
            return None
        zone = self._zone(s.timezone)
        length = duration_minutes(s)
        first = self._first(zone, length)
        span = timedelta(minutes=length)
        for day in self._candidates(s, first):
            begin = _wall(day, start, zone)
            if begin.astimezone(UTC) + span > self._now_utc:
                return begin
        found = next_occurrences(s, self.now, 1, default_tz=self.default_tz)  # far-off dates
        return found[0] if found else None

    def _zone(self, name: str | None) -> ZoneInfo:
        """Return the schedule's zone, else the default one, else UTC (as next_occurrences)."""
        zone = self._zones.get(name)
        if zone is None:
            zone = self._zones[name] = (
                _zone(name) or _zone(self.default_tz) or ZoneInfo("UTC")
            )
        return zone

    def _first(self, zone: ZoneInfo, length: int) -> date:
        """Return the first date next_occurrences examines for this zone and meeting length."""
        first = self._firsts.get((zone, length))
        if first is None:
            local = self.now.astimezone(zone) - timedelta(minutes=length)
            first = self._firsts[(zone, length)] = local.date() - timedelta(days=1)
        return first

    def _candidates(self, s: Schedule, first: date) -> tuple[date, ...]:
        """Return the schedule's first meeting dates from `first` on, in order (a few weeks)."""
        key = (s.kind, s.days, s.nths, first)
        found = self._dates.get(key)
        if found is None:
            if s.kind == "weekly":
                days = {d for d in s.days if 0 <= d <= 6}
                span = (first + timedelta(days=n) for n in range(15))
                found = tuple(d for d in span if _sday(d) in days)
            else:
                out: list[date] = []
                year, month = first.year, first.month
                for _ in range(3):
                    out += sorted(d for d in _month_dates(s, year, month) if d >= first)
                    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
                found = tuple(out)
            self._dates[key] = found
        return found
