"""RRULE text for schedules (to and from RFC 5545) and folding dated instances into a series.

Built on the public date helpers of peerfind.schedule; callers import this module itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from peerfind.models import Schedule
from peerfind.schedule.recurrence import (
    BYDAY_CODES,
    VALID_NTHS,
    iso_date,
    month_length,
    nth_order,
    series_dates,
    weekday_of,
    zone_of,
)

# --- RRULE ---------------------------------------------------------------------------------------


def _until_text(s: Schedule) -> str | None:
    """Return the RRULE UNTIL value: the end of the `until` day, local time, written in UTC."""
    until = iso_date(s.until)
    if until is None:
        return None
    local = datetime.combine(until, time(23, 59, 59), zone_of(s.timezone) or UTC)
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def to_rrule(s: Schedule) -> str | None:
    """Return the RFC 5545 RRULE text for a recurring schedule, or None when it does not recur.

    An every-N-weeks rule needs DTSTART on s.anchor. UNTIL is the end of the local `until` day in
    UTC (RFC 5545 requires UTC when DTSTART has a TZID), so it is 23:59:59Z only for UTC schedules.
    """
    days = sorted({d for d in s.days if 0 <= d <= 6})
    if s.kind == "weekly" and days:
        parts = ["FREQ=WEEKLY"] + ([f"INTERVAL={s.interval}"] if s.interval > 1 else [])
        parts.append("BYDAY=" + ",".join(BYDAY_CODES[d] for d in days))
    elif s.kind == "monthly_nth" and days and set(s.nths) & set(VALID_NTHS):
        nths = sorted(set(s.nths) & set(VALID_NTHS), key=nth_order)
        parts = [
            "FREQ=MONTHLY",
            "BYDAY=" + ",".join(f"{n}{BYDAY_CODES[d]}" for n in nths for d in days),
        ]
    elif s.kind == "monthly_date" and s.monthday is not None and 1 <= s.monthday <= 31:
        parts = ["FREQ=MONTHLY", f"BYMONTHDAY={s.monthday}"]
    else:
        return None
    until = _until_text(s)
    return ";".join(parts + ([f"UNTIL={until}"] if until else []))


def _localize(dt: datetime | date, tzid: str | None) -> tuple[datetime | date, str | None]:
    """Return `dt` as local wall-clock time and the IANA name of its zone (None when unknown)."""
    zone = zone_of(tzid)
    if not isinstance(dt, datetime):
        return dt, tzid if zone else None
    if zone:
        return (dt.astimezone(zone) if dt.tzinfo else dt), tzid
    if dt.tzinfo is None:
        return dt, None
    key = getattr(dt.tzinfo, "key", None)
    return dt, key if key else ("UTC" if dt.utcoffset() == timedelta(0) else None)


def _local_date(value: object, tzid: str | None) -> date | None:
    """Return the local date of an exception date given as datetime, date or ISO text."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        zone = zone_of(tzid)
        return (value.astimezone(zone) if zone and value.tzinfo else value).date()
    return value if isinstance(value, date) else None


def _rule_parts(rrule: str) -> dict[str, str] | None:
    """Split RRULE text into upper-case NAME -> VALUE, or None when malformed."""
    parts: dict[str, str] = {}
    for chunk in re.sub(r"(?i)^\s*RRULE:", "", rrule).strip().split(";"):
        name, sep, value = chunk.partition("=")
        name = name.strip().upper()
        if not sep or not name or name in parts:
            return None
        parts[name] = value.strip().upper()
    return parts


def _rule_until(value: str, local: datetime | date, tzid: str | None) -> date:
    """Return the last local meeting date allowed by an RRULE UNTIL value."""
    match = re.fullmatch(r"(\d{8})(?:T(\d{6})(Z?))?", value)
    if not match:
        raise ValueError(value)
    day = datetime.strptime(match[1], "%Y%m%d").date()
    if not match[2]:
        return day
    moment = datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
    if match[3]:
        moment = moment.replace(tzinfo=UTC)
        zone = zone_of(tzid) or (local.tzinfo if isinstance(local, datetime) else None)
        moment = moment.astimezone(zone).replace(tzinfo=None) if zone else moment
    late = isinstance(local, datetime) and local.time().replace(tzinfo=None) > moment.time()
    return moment.date() - timedelta(days=1) if late else moment.date()


def from_rrule(
    rrule: str,
    dtstart: datetime | date,
    end: datetime | None = None,
    tzid: str | None = None,
    exdates: Iterable[object] = (),
    text: str = "",
) -> Schedule:
    """Return the Schedule for an RRULE with its DTSTART (and DTEND, TZID, EXDATEs).

    Weekly and monthly forms (BYDAY with ordinals or BYSETPOS, BYMONTHDAY), UNTIL and COUNT are
    read; anything else gives kind "unparsed" keeping `text` (or the rule itself when no text).
    """
    local, zone_name = _localize(dtstart, tzid)
    timed = isinstance(local, datetime)
    start = local.strftime("%H:%M") if timed else None
    stop = _localize(end, zone_name)[0] if end is not None else None
    finish = stop.strftime("%H:%M") if isinstance(stop, datetime) and timed else None
    base = Schedule(
        start=start, end=finish if finish != start else None, timezone=zone_name, text=text
    )
    skipped = tuple(
        sorted({d.isoformat() for d in (_local_date(x, zone_name) for x in exdates) if d})
    )
    parts = _rule_parts(rrule)
    try:
        sched = _rule_schedule(parts, local, base)
        if parts and "UNTIL" in parts and "COUNT" in parts:
            raise ValueError("UNTIL with COUNT")
        if parts and "UNTIL" in parts:
            sched = replace(sched, until=_rule_until(parts["UNTIL"], local, zone_name).isoformat())
        elif parts and "COUNT" in parts:
            count, first = int(parts["COUNT"]), _day(local)
            dates = series_dates(sched, first, first.replace(year=first.year + 30))
            found = list(zip(range(count), dates, strict=False))
            if count < 1 or not found:
                raise ValueError("COUNT")
            if len(found) == count:
                sched = replace(sched, until=found[-1][1].isoformat())
    except (ValueError, TypeError, IndexError, OverflowError):
        return replace(base, kind="unparsed", text=text or rrule.strip())
    return replace(sched, exdates=skipped)


def _day(value: datetime | date) -> date:
    """Return the date part of a datetime or date."""
    return value.date() if isinstance(value, datetime) else value


def _byday(item: str) -> tuple[int | None, int]:
    """Return (ordinal or None, weekday) for one BYDAY item such as "TU", "2SA" or "-1FR"."""
    match = re.fullmatch(r"([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)", item.strip())
    if not match:
        raise ValueError(item)
    return (int(match[1]) if match[1] else None), BYDAY_CODES.index(match[2])


def _rule_schedule(
    parts: dict[str, str] | None, local: datetime | date, base: Schedule
) -> Schedule:
    """Map parsed RRULE parts onto a Schedule; raise ValueError for unsupported rules."""
    known = {"FREQ", "INTERVAL", "BYDAY", "BYSETPOS", "BYMONTHDAY", "UNTIL", "COUNT", "WKST"}
    if parts is None or set(parts) - known or int(parts.get("INTERVAL", "1")) < 1:
        raise ValueError("unsupported RRULE")
    freq, interval = parts.get("FREQ"), int(parts.get("INTERVAL", "1"))
    byday = [_byday(x) for x in parts["BYDAY"].split(",")] if "BYDAY" in parts else []
    ords, days = {n for n, _ in byday}, sorted({d for _, d in byday})
    setpos = [int(x) for x in parts["BYSETPOS"].split(",")] if "BYSETPOS" in parts else []
    monthday = [int(x) for x in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else []
    plain = ords <= {None} and not setpos and not monthday
    if freq in ("DAILY", "WEEKLY") and plain and (freq == "WEEKLY" or interval == 1):
        days = days or (list(range(7)) if freq == "DAILY" else [weekday_of(_day(local))])
        if interval > 1 and len(days) > 1 and parts.get("WKST", "MO") != "MO":
            raise ValueError("WKST")  # every-N-weeks on several days counts weeks from Monday
        anchor = _day(local).isoformat() if interval > 1 else None
        return replace(base, kind="weekly", days=tuple(days), interval=interval, anchor=anchor)
    if freq != "MONTHLY" or interval != 1:
        raise ValueError("FREQ")
    if monthday and len(monthday) == 1 and 1 <= monthday[0] <= 31 and not byday and not setpos:
        return replace(base, kind="monthly_date", monthday=monthday[0])
    if not byday and not setpos and not monthday:
        return replace(base, kind="monthly_date", monthday=_day(local).day)
    if plain:
        return replace(base, kind="weekly", days=tuple(days))  # every such weekday of the month
    if None not in ords and not setpos and not monthday:
        nths = sorted({n for n, _ in byday if n is not None}, key=nth_order)
        if len(set(byday)) != len(nths) * len(days):
            raise ValueError("BYDAY is not a cross product of ordinals and days")
    elif ords == {None} and setpos and not monthday and len(days) == 1:
        nths = sorted(set(setpos), key=nth_order)
    else:
        raise ValueError("BYDAY/BYSETPOS/BYMONTHDAY")
    if not set(nths) <= set(VALID_NTHS):
        raise ValueError("ordinal")
    return replace(base, kind="monthly_nth", days=tuple(days), nths=tuple(nths))


# --- folding dated instances ---------------------------------------------------------------------


def fold_dates(dates: list[datetime], tz: str | None, text: str = "") -> Schedule:
    """Fold the dated instances of one series into a recurring Schedule, else kind "once".

    At least three dates at one local time are needed to recognize weekly, every-N-weeks, nth
    weekday (incl. last) or monthly-by-date spacing; a few missing instances become exdates.
    The result has no `until`: the dates are a sample of the series, not its end.
    """
    if tz is None:
        tz = next((getattr(d.tzinfo, "key", None) for d in dates if d.tzinfo), None)
    zone = zone_of(tz)
    local = [d.astimezone(zone) if zone and d.tzinfo else d for d in dates]
    days = sorted({d.date() for d in local})
    times = {d.strftime("%H:%M") for d in local}
    start = times.pop() if len(times) == 1 else None
    if not days:
        return Schedule(kind="unparsed", text=text)
    base = Schedule(
        kind="once",
        dates=tuple(d.isoformat() for d in days),
        start=start,
        timezone=tz if zone else None,
        text=text,
    )
    if start is None or len(days) < 3:
        return base
    weekdays = tuple(sorted({weekday_of(d) for d in days}))
    nths = {(d.day - 1) // 7 + 1 for d in days}
    lasts = {
        -1 if d.day + 7 > month_length(d.year, d.month) else (d.day - 1) // 7 + 1 for d in days
    }
    plain, anchor = replace(base, dates=()), days[0].isoformat()
    candidates = [
        replace(plain, kind="weekly", days=weekdays),
        replace(plain, kind="weekly", days=weekdays, interval=2, anchor=anchor),
        replace(plain, kind="monthly_nth", days=weekdays, nths=tuple(sorted(nths))),
        replace(plain, kind="monthly_nth", days=weekdays, nths=tuple(sorted(lasts, key=nth_order))),
    ]
    if len({d.day for d in days}) == 1:
        candidates.append(replace(plain, kind="monthly_date", monthday=days[0].day))
    candidates += [
        replace(plain, kind="weekly", days=weekdays, interval=n, anchor=anchor) for n in (3, 4)
    ]
    best, fewest = base, len(days) // 4 + 1
    for cand in (c for c in candidates if len(c.nths) <= 2):  # "1st, 2nd, 4th & 5th" is weekly
        expected = set(series_dates(cand, days[0], days[-1]))
        if expected >= set(days) and len(expected) - len(days) < fewest:
            missing = tuple(sorted(d.isoformat() for d in expected - set(days)))
            best, fewest = replace(cand, exdates=missing), len(missing)
    return best
