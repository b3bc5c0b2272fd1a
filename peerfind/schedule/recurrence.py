"""Recurrence for group schedules: next meetings across DST, date helpers, phrases, windows.

Weekdays are 0 = Sunday … 6 = Saturday; times are wall-clock "HH:MM" in the schedule's IANA zone,
so 19:00 stays 19:00 local across DST. next_occurrences is the one next-meeting calculator
(NextMeetings memoises it for search, exports and online listings); RRULE text and
folding are in peerfind.schedule.rrule, built on the public date helpers here. Standard
library only: the search path imports this.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peerfind.errors import UsageError
from peerfind.models import Schedule
from peerfind.vocab import DAY_NAMES

DEFAULT_MINUTES = 60
BYDAY_CODES = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
TIME_WINDOWS = {
    "morning": (300, 720),
    "afternoon": (720, 1020),
    "evening": (1020, 1260),
    "night": (1260, 300),
}
_DATED_KINDS = ("weekly", "monthly_nth", "monthly_date", "once")
VALID_NTHS = (1, 2, 3, 4, 5, -1, -2, -3, -4, -5)
_DAYS = tuple(timedelta(days=n) for n in range(8))  # made once: timedelta() is slow
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- small helpers -------------------------------------------------------------------------------


def zone_of(name: str | None) -> ZoneInfo | None:
    """Return the ZoneInfo for an IANA name, or None when it is empty or unknown."""
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        return None


@functools.lru_cache(maxsize=4_096)
def _minutes(hhmm: str | None) -> int | None:
    """Return minutes since midnight for "HH:MM", or None when absent or malformed."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", hhmm or "")
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return int(match[1]) * 60 + int(match[2])


def iso_date(value: str | None) -> date | None:
    """Return the date of an ISO date string, or None when absent or malformed."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def weekday_of(d: date) -> int:
    """Return the peerfind weekday (0 = Sunday) of a date."""
    return (d.weekday() + 1) % 7


def month_length(year: int, month: int) -> int:
    """Return the number of days in a month."""
    return (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day


def nth_order(n: int) -> tuple[bool, int]:
    """Sort key putting 1st … 5th before the counted-from-the-end ordinals (-1 = last)."""
    return (n < 0, n)


@functools.lru_cache(maxsize=1_024)
def _wall(day: date, minutes: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return `day` at wall-clock `minutes` in `zone` (a spring-forward gap time moves forward),
    and the same moment in UTC."""
    naive = datetime.combine(day, time(minutes // 60, minutes % 60))
    utc = naive.replace(tzinfo=zone).astimezone(UTC)
    return utc.astimezone(zone), utc


@functools.lru_cache(maxsize=256)
def _window(after: datetime, zone: ZoneInfo, minutes: int) -> tuple[datetime, date]:
    """Return when a meeting `minutes` long must begin after (in UTC) to end after `after`, and
    the first local date to look at (the day before, for a meeting across midnight)."""
    length = timedelta(minutes=minutes)
    return after.astimezone(UTC) - length, (after.astimezone(zone) - length).date() - _DAYS[1]


def duration_minutes(s: Schedule) -> int:
    """Return how long a meeting lasts in minutes (end - start, across midnight; default 60)."""
    start, end = _minutes(s.start), _minutes(s.end)
    if start is None or end is None:
        return DEFAULT_MINUTES
    return (end - start) % 1440 or DEFAULT_MINUTES


# --- occurrences ---------------------------------------------------------------------------------


def _month_dates(s: Schedule, year: int, month: int) -> tuple[date, ...]:
    """Return the meeting dates of a monthly schedule within one month, in order."""
    return _month_days(s.kind, s.monthday, s.days, s.nths, year, month)


@functools.lru_cache(maxsize=1_024)
def _month_days(
    kind: str,
    monthday: int | None,
    days: tuple[int, ...],
    nths: tuple[int, ...],
    year: int,
    month: int,
) -> tuple[date, ...]:
    """Return the dates of a monthly_date (monthday) or monthly_nth (days, nths) schedule within
    one month, in order."""
    length = month_length(year, month)
    if kind == "monthly_date":
        return (date(year, month, monthday),) if monthday and 1 <= monthday <= length else ()
    out = set()
    first_weekday = weekday_of(date(year, month, 1))
    for day in {d for d in days if 0 <= d <= 6}:
        matches = range(1 + (day - first_weekday) % 7, length + 1, 7)
        out |= {
            date(year, month, matches[n - 1 if n > 0 else n])
            for n in nths
            if n in VALID_NTHS and abs(n) <= len(matches)
        }
    return tuple(sorted(out))


def series_dates(s: Schedule, first: date, last: date) -> Iterator[date]:
    """Yield the meeting dates from `first` to `last` in order (until and exdates ignored)."""
    if s.kind == "once":
        yield from sorted({d for d in map(iso_date, s.dates) if d and first <= d <= last})
    elif s.kind == "weekly":
        days = {d for d in s.days if 0 <= d <= 6}
        anchor = iso_date(s.anchor)
        if not days or (s.interval > 1 and anchor is None):
            return
        week0 = anchor - timedelta(days=anchor.weekday()) if anchor else first  # Monday-start weeks
        base = weekday_of(first)
        steps = [_DAYS[n] for n in sorted((d - base) % 7 for d in days)]
        every = max(s.interval, 1)
        while first <= last:  # one week from `first` at a time, its meeting days in order
            for step in steps:
                day = first + step
                if day > last:
                    return
                if every == 1 or ((day - week0).days // 7) % every == 0:
                    yield day
            first += _DAYS[7]
    elif s.kind in ("monthly_nth", "monthly_date"):
        year, month = first.year, first.month
        while date(year, month, 1) <= last:
            yield from (d for d in _month_dates(s, year, month) if first <= d <= last)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def next_occurrences(
    s: Schedule, after: datetime, count: int = 1, default_tz: str | None = None
) -> list[datetime]:
    """Return the next `count` meetings whose end is after `after`, as aware local datetimes.

    The zone is s.timezone, else `default_tz`, else UTC; a naive `after` is read in that zone.
    A meeting in progress at `after` counts. Appointment and unparsed schedules, schedules with no
    start time and every-N-weeks schedules without an anchor have no occurrences.
    """
    start = _minutes(s.start)
    if s.kind not in _DATED_KINDS or start is None or count < 1:
        return []
    zone = zone_of(s.timezone) or zone_of(default_tz) or ZoneInfo("UTC")
    after = after.replace(tzinfo=zone) if after.tzinfo is None else after
    ends_after, first = _window(after, zone, duration_minutes(s))
    skip = {d for d in map(iso_date, s.exdates) if d}
    span = (date.max - first).days if s.kind == "once" else 400 * (count + len(skip) + 1)
    last = first + timedelta(days=min(span, (date.max - first).days))
    until = iso_date(s.until)
    out: list[datetime] = []
    for day in series_dates(s, first, min(last, until) if until else last):
        begin, begin_utc = _wall(day, start, zone)
        if day not in skip and begin_utc > ends_after:
            out.append(begin)
            if len(out) == count:
                break
    return out


def next_occurrence(s: Schedule, after: datetime, default_tz: str | None = None) -> datetime | None:
    """Return the next meeting whose end is after `after` (see next_occurrences), or None."""
    found = next_occurrences(s, after, 1, default_tz)
    return found[0] if found else None


_MISSING = object()


class NextMeetings:
    """The next meetings of many schedules after one moment, each distinct schedule worked out once.

    `of(s)` returns what next_occurrence(s, now, default_tz) returns; `of_stored(text)` does the
    same for a schedule stored as JSON in the catalog. Used by search, exports and online
    listings (`show`, for one listing, asks next_occurrences itself), so the next meeting a user
    sees is always worked out by next_occurrences.
    """

    def __init__(
        self, now: datetime, default_tz: str | None = None, *, remember: bool = True
    ) -> None:
        """Remember the moment and the zone of schedules without one; `remember` False keeps
        no memo (for callers that keep their own)."""
        self.now = now
        self.default_tz = default_tz
        self.remember = remember
        self._memo: dict[object, datetime | None] = {}

    def of(self, s: Schedule) -> datetime | None:
        """Return the next meeting of `s` whose end is after `now`, or None."""
        if not self.remember:
            return next_occurrence(s, self.now, self.default_tz)
        key = (
            s.kind,
            s.days,
            s.interval,
            s.anchor,
            s.nths,
            s.monthday,
            s.dates,
            s.start,
            s.end,
            s.timezone,
            s.until,
            s.exdates,
        )  # the text does not matter
        try:
            found = self._memo.get(key, _MISSING)
        except TypeError:  # lists instead of tuples: not memoised
            return next_occurrence(s, self.now, self.default_tz)
        if found is _MISSING:
            found = self._memo[key] = next_occurrence(s, self.now, self.default_tz)
        return found  # type: ignore[return-value]

    def of_stored(self, text: str) -> datetime | None:
        """Return the next meeting of a schedule stored as JSON; ValueError when unreadable."""
        found = self._memo.get(text, _MISSING)
        if found is _MISSING:
            try:
                sched = Schedule.from_dict(json.loads(text))
            except (TypeError, AttributeError, KeyError) as err:
                raise ValueError(f"unreadable schedule: {err}") from err
            found = self.of(sched)
            if self.remember:
                self._memo[text] = found
        return found  # type: ignore[return-value]


# --- phrases and filters -------------------------------------------------------------------------


def _clock(minutes: int, meridiem: bool = True) -> str:
    """Return minutes since midnight as "7:30 PM" (or "7:30" without the meridiem)."""
    hour, minute = divmod(minutes, 60)
    text = f"{hour % 12 or 12}:{minute:02d}"
    return f"{text} {'AM' if hour < 12 else 'PM'}" if meridiem else text


def _time_phrase(s: Schedule) -> str:
    """Return "7:30–9:00 PM", "11:00 AM–1:00 PM", "7:00 PM" or "" for a schedule's times."""
    start, end = _minutes(s.start), _minutes(s.end)
    if start is None:
        return ""
    if end is None or end == start:
        return _clock(start)
    same = (start < 720) == (end < 720)
    return f"{_clock(start, not same)}–{_clock(end)}"


def _join(words: list[str]) -> str:
    """Join words as "a", "a & b" or "a, b & c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " & " + words[-1]


def _ordinal(n: int) -> str:
    """Return 1 -> "1st", 22 -> "22nd", -1 -> "last", -2 -> "2nd-to-last"."""
    if n < 0:
        return "last" if n == -1 else f"{_ordinal(-n)}-to-last"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _day_text(d: date) -> str:
    """Return a date as "Mar 5, 2026"."""
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def describe(s: Schedule) -> str:
    """Return a short human phrase for a schedule ("1st & 3rd Thursday 7:30–9:00 PM")."""
    days = sorted({d for d in s.days if 0 <= d <= 6})
    names = [DAY_NAMES[d] for d in days]
    if s.kind == "appointment":
        return "By appointment"
    if s.kind == "weekly" and days:
        if s.interval > 1:
            every = "Every other" if s.interval == 2 else f"Every {s.interval} weeks on"
            head = f"{every} {_join(names)}"
        else:
            head = "Daily" if len(days) == 7 else _join([n + "s" for n in names])
    elif s.kind == "monthly_nth" and days and s.nths:
        ords = _join([_ordinal(n) for n in sorted(set(s.nths), key=nth_order)])
        head = f"{ords} {_join(names)}" + (" of the month" if len(set(s.nths)) == 1 else "")
    elif s.kind == "monthly_date" and s.monthday:
        head = f"{_ordinal(s.monthday)} of the month"
    elif s.kind == "once" and s.dates:
        dates = sorted({d for d in map(iso_date, s.dates) if d})
        shown = [_day_text(d) for d in dates[:3]]
        head = "; ".join(shown) + (f" (+{len(dates) - 3} more)" if len(dates) > 3 else "")
    else:
        return s.text
    phrase = " ".join(p for p in (head, _time_phrase(s)) if p)
    until = iso_date(s.until)
    if until and s.kind != "once":
        phrase += f" until {_day_text(until)}"
    return phrase[:1].upper() + phrase[1:]


def in_time_window(s: Schedule, window: tuple[int, int]) -> bool:
    """Return True when the meeting starts inside `window` (minutes since midnight, may wrap)."""
    start = _minutes(s.start)
    if start is None or s.kind not in _DATED_KINDS:
        return False
    low, high = window
    if low == high:
        return True
    return low <= start < high if low < high else (start >= low or start < high)


def parse_time_window(text: str) -> tuple[int, int]:
    """Return (start, end) minutes for "morning" … "night" or "HH:MM-HH:MM"; raise UsageError."""
    key = (text or "").strip().lower()
    if key in TIME_WINDOWS:
        return TIME_WINDOWS[key]
    match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})", key)
    if match:
        (h1, m1, h2, m2) = map(int, match.groups())
        low, high = h1 * 60 + m1, h2 * 60 + m2
        if h1 <= 23 and m1 <= 59 and m2 <= 59 and (h2 <= 23 or high == 1440) and low != high:
            return low, high
    raise UsageError(
        f"unknown time window {text!r}: use morning, afternoon, evening, night "
        "or a range such as 18:00-21:00"
    )


# --- zones when a source gives none --------------------------------------------------------------


def _table(pairs: str) -> dict[str, str]:
    """Return a dict from "key=value key=value" text."""
    return dict(pair.split("=", 1) for pair in pairs.split())


_US_ZONES = {
    "America/New_York": "CT DE DC FL GA KY ME MD MA NH NJ NY NC OH PA RI SC VT VA WV",
    "America/Chicago": "AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI",
    "America/Denver": "CO MT NM UT WY",
    "America/Phoenix": "AZ",
    "America/Boise": "ID",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Detroit": "MI",
    "America/Anchorage": "AK",
    "America/Indiana/Indianapolis": "IN",
    "Pacific/Honolulu": "HI",
    "America/Puerto_Rico": "PR",
    "America/St_Thomas": "VI",
    "Pacific/Guam": "GU",
}
_CA_ZONES = {
    "America/Toronto": "ON QC",
    "America/Vancouver": "BC",
    "America/Edmonton": "AB NT",
    "America/Winnipeg": "MB",
    "America/Regina": "SK",
    "America/Halifax": "NS PE",
    "America/Moncton": "NB",
    "America/St_Johns": "NL",
    "America/Whitehorse": "YT",
    "America/Iqaluit": "NU",
}
_REGION_NAMES = _table(
    "alabama=AL alaska=AK arizona=AZ arkansas=AR california=CA colorado=CO connecticut=CT "
    "delaware=DE district_of_columbia=DC washington_dc=DC florida=FL georgia=GA hawaii=HI idaho=ID "
    "illinois=IL indiana=IN iowa=IA kansas=KS kentucky=KY louisiana=LA maine=ME maryland=MD "
    "massachusetts=MA michigan=MI minnesota=MN mississippi=MS missouri=MO montana=MT nebraska=NE "
    "nevada=NV new_hampshire=NH new_jersey=NJ new_mexico=NM new_york=NY north_carolina=NC "
    "north_dakota=ND ohio=OH oklahoma=OK oregon=OR pennsylvania=PA rhode_island=RI "
    "south_carolina=SC south_dakota=SD tennessee=TN texas=TX utah=UT vermont=VT virginia=VA "
    "washington=WA west_virginia=WV wisconsin=WI wyoming=WY puerto_rico=PR guam=GU "
    "ontario=ON quebec=QC british_columbia=BC alberta=AB manitoba=MB saskatchewan=SK "
    "nova_scotia=NS new_brunswick=NB newfoundland_and_labrador=NL prince_edward_island=PE "
    "yukon=YT northwest_territories=NT nunavut=NU"
)
_COUNTRIES = _table(
    "GB=Europe/London UK=Europe/London IE=Europe/Dublin DE=Europe/Berlin FR=Europe/Paris "
    "NL=Europe/Amsterdam BE=Europe/Brussels CH=Europe/Zurich AT=Europe/Vienna IT=Europe/Rome "
    "SE=Europe/Stockholm NO=Europe/Oslo DK=Europe/Copenhagen NZ=Pacific/Auckland "
    "IN=Asia/Kolkata JP=Asia/Tokyo SG=Asia/Singapore ZA=Africa/Johannesburg"
)
_COUNTRY_NAMES = _table(
    "united_states=US usa=US united_states_of_america=US canada=CA united_kingdom=GB england=GB "
    "scotland=GB wales=GB northern_ireland=GB great_britain=GB ireland=IE germany=DE "
    "deutschland=DE france=FR netherlands=NL belgium=BE switzerland=CH schweiz=CH austria=AT "
    "italy=IT sweden=SE norway=NO denmark=DK new_zealand=NZ india=IN japan=JP singapore=SG "
    "south_africa=ZA australia=AU mexico=MX brazil=BR"
)


def _code(value: str | None, names: dict[str, str]) -> str:
    """Return a region or country code from a code or a (case-insensitive) name."""
    key = re.sub(r"[\s.\-]+", "_", (value or "").strip().lower()).strip("_")
    return names.get(key, key.upper().replace("_", ""))


def timezone_for_region(region: str | None, country: str | None = None) -> str | None:
    """Return the main IANA zone of a US state, Canadian province or single-zone country.

    Used when a source gives no zone. Multi-zone countries (CA, AU, MX, …) without a region,
    and anything unknown, give None.
    """
    nation = _code(country, _COUNTRY_NAMES) if country else None
    area = _code(region, _REGION_NAMES)
    tables = {"US": _US_ZONES, "CA": _CA_ZONES}
    for where in [nation] if nation in tables else [] if nation else ["US", "CA"]:
        for zone, codes in tables[where].items():
            if area and area in codes.split():
                return zone
    return _COUNTRIES.get(nation) if nation else None
