"""Read published schedule phrases ("1st & 3rd Thursdays, 7:30-9:00 PM") into a Schedule.

The reader is deliberately strict: every word of the rule must be understood, or the result is
kind "unparsed" with the text kept. A directory must not invent a meeting time, so ambiguous
phrases ("every second Tuesday", "at 7", "call for times") are never guessed at, and every other
week ("biweekly", "every other Monday") is read only when a start date with a year fixes the weeks.
Qualifiers around the rule (start and end dates, seasons, exceptions, hedges, labels, Spanish
wording: see schedule_qualifiers) are taken off first: dated ones become `anchor`/`until`, the rest
a `note` carried with the schedule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from peerfind.models import Schedule
from peerfind.schedule.qualifiers import Qualifiers, Unreadable, extract, fold, spanish

MAX_TEXT = 300  # longer text is prose, not a schedule phrase


def _words(text: str) -> set[str]:
    """Return the set of space-separated words in text."""
    return set(text.split())


_DAY_WORDS = {
    w: i
    for i, names in enumerate(
        (
            "sunday sundays sun",
            "monday mondays mon",
            "tuesday tuesdays tue tues",
            "wednesday wednesdays wed weds",
            "thursday thursdays thu thur thurs",
            "friday fridays fri",
            "saturday saturdays sat",
        )
    )
    for w in names.split()
}
_ORD_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_EVERY_N = {
    "two": 2,
    "2": 2,
    "second": 2,
    "2nd": 2,
    "three": 3,
    "3": 3,
    "third": 3,
    "3rd": 3,
    "four": 4,
    "4": 4,
    "fourth": 4,
    "4th": 4,
}
_HINTS = {
    "morning": "am",
    "mornings": "am",
    "afternoon": "pm",
    "afternoons": "pm",
    "evening": "pm",
    "evenings": "pm",
    "night": "pm",
    "nights": "pm",
}
_ZONE_WORDS = {
    **dict.fromkeys(("et", "est", "edt", "eastern"), "America/New_York"),
    **dict.fromkeys(("ct", "cst", "cdt", "central"), "America/Chicago"),
    **dict.fromkeys(("mt", "mst", "mdt", "mountain"), "America/Denver"),
    **dict.fromkeys(("pt", "pst", "pdt", "pacific"), "America/Los_Angeles"),
    **dict.fromkeys(("gmt", "bst"), "Europe/London"),
    "utc": "UTC",
    **dict.fromkeys(("cet", "cest"), "Europe/Berlin"),
}
_RANGE_WORDS = ("-", "to", "through", "thru", "until", "till", "til")
_LIST_SEPS = (",", "and", "/")
_NOISE = _words(
    "meets meet meeting meetings group groups support session sessions at on in from the of each "
    "a per via zoom online virtual person hybrid held is are we and ongoing time "
    "teams microsoft google discord webex skype gotomeeting facetime jitsi virtually gathers "
    "gather occur occurs lunch hour"
)
# Words that make a parenthesized note matter to the schedule (otherwise "(Zoom)" is ignored).
_SIGNIFICANT = (
    set(_DAY_WORDS)
    | set(_ORD_WORDS)
    | set(_ZONE_WORDS)
    | _words(
        "noon midnight every other week weeks weekly month months monthly daily weekdays weekends "
        "weeknights fortnightly once twice except excluding holiday holidays no not cancelled "
        "canceled closed suspended paused hiatus summer winter spring fall autumn january february "
        "march april may june july august september october november december jan feb aug sept oct "
        "nov dec varies vary call tbd tba alternate alternating biweekly odd even day days "
        "starting beginning begins starts until through thru resumes"
    )
)
_TOKEN = re.compile(
    r"(?P<clock>[0-9]{1,2}[:.][0-9]{2})(?![0-9])|(?P<ord>[0-9]{1,2}(?:st|nd|rd|th))(?![a-z])"
    r"|(?P<num>[0-9]+)|(?P<mer>[ap]m)(?![a-z])|(?P<word>[a-z]+)|(?P<punct>[-,/();@])"
)
_APPOINTMENT = re.compile(
    r"(?:(?:meetings?|sessions?|groups?|available|held|meets) )?(?:by|with) (?:an? )?"
    r"(?:appointment|appt)s?(?: only)?|(?:appointments?|appt) only"
    r"|(?:please )?(?:call|contact us|email|phone) (?:for|to (?:make|schedule|book)) (?:an? )?"
    r"(?:appointment|appt)s?"
)


_Unreadable = Unreadable  # the phrase cannot be read confidently


@dataclass
class _Reading:
    """What has been understood of a phrase so far."""

    tokens: list[tuple[str, str]]
    used: list[bool]
    times: set[tuple[int, int | None]] = field(default_factory=set)
    zone: str | None = None
    weekly: list[set[int]] = field(default_factory=list)
    nth: list[tuple[list[int], set[int], bool]] = field(default_factory=list)
    monthdays: list[int] = field(default_factory=list)
    interval: int = 1
    per: tuple[str, int] | None = None  # ("week" | "month", how many times)
    week_context: bool = False
    month_context: bool = False


def read_schedule(text: str, tz: str | None = None) -> Schedule:
    """Return the Schedule a published phrase states, or kind "unparsed" when not certain."""
    raw = (text or "").strip()
    unparsed = Schedule(kind="unparsed", text=raw)
    if not raw or len(raw) > MAX_TEXT:
        return unparsed
    norm = _normalize(raw)
    if _APPOINTMENT.fullmatch(re.sub(r"[^a-z]+", " ", norm).strip()):
        return Schedule(kind="appointment", timezone=tz, text=raw)
    try:
        rule, quals = extract(norm, raw)
        return _qualified(_read(_tokens(rule), tz, raw, quals), quals)
    except _Unreadable:
        return unparsed


def _normalize(raw: str) -> str:
    """Lower-case, fold accents, unify dashes and ampersands, write a.m./p.m. as am/pm."""
    text = re.sub(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]", "-", fold(raw).lower())
    text = text.replace("&", " and ").replace("\u00a0", " ")
    text = re.sub(r"(day)['\u2019]s\b", r"\1s", text)  # "Tuesday's" as written on many pages
    text = re.sub(r"\bm\s*-\s*f\b", "monday-friday", text)  # "M-F"
    text = re.sub(r"\bbi-weekly\b", "biweekly", text)
    return spanish(re.sub(r"(?<![a-z])([ap])\.\s?m\b\.?", r"\1m", text))


def _tokens(norm: str) -> list[tuple[str, str]]:
    """Split text into (kind, value) tokens, dropping parenthesized notes that carry no schedule."""
    tokens = [(m.lastgroup or "", m.group()) for m in _TOKEN.finditer(norm)]
    out: list[tuple[str, str]] = []
    group: list[tuple[str, str]] | None = None
    for tok in tokens:
        if tok == ("punct", "("):
            out += group or []
            group = []
        elif tok == ("punct", ")") and group is not None:
            if any(k != "word" or v in _SIGNIFICANT for k, v in group if k != "punct"):
                out += group
            group = None
        elif group is not None:
            group.append(tok)
        elif tok[0] != "punct" or tok[1] not in ("(", ")"):
            out.append(tok)
    return out + (group or [])


def _read(
    tokens: list[tuple[str, str]], tz: str | None, raw: str, quals: Qualifiers | None = None
) -> Schedule:
    """Read times, then days, then check the parts fit together into one Schedule."""
    quals = quals or Qualifiers()
    reading = _Reading(tokens, [False] * len(tokens))
    hints = {_HINTS[v] for k, v in tokens if k == "word" and v in _HINTS}
    if len(hints) > 1:
        raise _Unreadable("morning and evening")
    _read_times(reading, hints.pop() if hints else None)
    _read_days(reading)
    if len(reading.times) > 1:
        raise _Unreadable("several times")
    if quals.zone and reading.zone and quals.zone != reading.zone:
        raise _Unreadable("two zones")
    stated = reading.zone or quals.zone
    zone = None if quals.ambiguous_zone else _zone(stated, tz)
    start, end = next(iter(reading.times), (None, None))
    base = Schedule(start=_hhmm(start), end=_hhmm(end), timezone=zone, text=raw)
    return _combine(reading, base)


def _qualified(s: Schedule, quals: Qualifiers) -> Schedule:
    """Return s with the qualifiers' anchor, until and note; every N weeks needs the anchor."""
    if quals.until and quals.anchor and quals.until < quals.anchor:
        raise _Unreadable("ends before it starts")
    notes = list(quals.notes)
    if quals.ambiguous_zone:
        notes.append(f"time zone {quals.ambiguous_zone} is ambiguous: no zone given")
    anchor = quals.anchor
    if anchor and not _falls_on(s, date.fromisoformat(anchor)):
        notes.insert(0, f"starts {anchor}")  # a start date off the rule: said, not used
        anchor = None
    if s.interval > 1 and not anchor:
        raise _Unreadable("every other week without a date that fixes the weeks")
    return replace(s, anchor=anchor, until=quals.until, note="; ".join(notes)[:300])


def _falls_on(s: Schedule, day: date) -> bool:
    """Return True when `day` is one of the schedule's meeting days."""
    weekday = (day.weekday() + 1) % 7  # 0 = Sunday
    if s.kind == "weekly":
        return weekday in s.days
    if s.kind == "monthly_nth":
        nth = (day.day - 1) // 7 + 1
        last = (day + timedelta(days=7)).month != day.month
        return weekday in s.days and (nth in s.nths or (last and -1 in s.nths))
    return s.kind == "monthly_date" and day.day == s.monthday


def _hhmm(minutes: int | None) -> str | None:
    """Return minutes since midnight as "HH:MM"."""
    return None if minutes is None else f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _zone(stated: str | None, tz: str | None) -> str | None:
    """Return the zone: `tz`, unless the text names a zone with a different winter offset."""
    if not stated or not tz or stated == tz:
        return stated or tz
    try:
        winter = datetime(2026, 1, 15, 12)
        same = tz and ZoneInfo(tz).utcoffset(winter) == ZoneInfo(stated).utcoffset(winter)
    except (ValueError, KeyError, OSError):
        same = False
    return tz if same and stated != "UTC" else stated


def _tok(reading: _Reading, i: int) -> tuple[str, str]:
    """Return token i, or an empty token past the end."""
    return reading.tokens[i] if 0 <= i < len(reading.tokens) else ("", "")


# --- times ---------------------------------------------------------------------------------------


def _atom(reading: _Reading, i: int) -> tuple[list[int], bool, int] | None:
    """Read one clock time at i: (candidate minutes, stated outright, next index) or None."""
    kind, value = _tok(reading, i)
    if kind == "word" and value in ("noon", "midnight"):
        return [720 if value == "noon" else 0], True, i + 1
    if kind not in ("clock", "num") or len(value) > 2 + 3 * (kind == "clock"):
        return None
    hour, minute = (
        (int(x) for x in re.split(r"[:.]", value)) if kind == "clock" else (int(value), 0)
    )
    following = _tok(reading, i + 1)
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise _Unreadable(value)
    if following[0] == "mer":
        if not 1 <= hour <= 12:
            raise _Unreadable(value)
        return [(hour % 12 + 12 * (following[1] == "pm")) * 60 + minute], True, i + 2
    if following == ("word", "noon") and (hour, minute) == (12, 0):
        return [720], True, i + 2
    if following == ("word", "midnight") and (hour, minute) == (12, 0):
        return [0], True, i + 2
    if hour == 12 or hour >= 13 or (kind == "clock" and (hour == 0 or value.startswith("0"))):
        return [hour % 24 * 60 + minute], kind == "clock", i + 1
    return [hour * 60 + minute, (hour + 12) * 60 + minute], False, i + 1


def _read_times(reading: _Reading, hint: str | None) -> None:
    """Find time ranges and single times, resolving am/pm only where the text settles it."""
    i = 0
    while i < len(reading.tokens):
        first = _atom(reading, i)
        if first is None:
            i += 1
            continue
        starts, stated, j = first
        between = _tok(reading, i - 1) == ("word", "between")
        first_zone = _tok(reading, j)[1] if _tok(reading, j)[1] in _ZONE_WORDS else ""
        if first_zone and _tok(reading, j + 1)[1] in _RANGE_WORDS:
            reading.used[j] = True
            j += 1
        joiner = _tok(reading, j)[1]
        second = (
            _atom(reading, j + 1)
            if joiner in _RANGE_WORDS or (between and joiner == "and")
            else None
        )
        if second is not None:
            ends, end_stated, k = second
            pairs: list[tuple[int, int | None]] = [
                (a, b)
                for a in starts
                for b in ends
                if a % 1440 != b % 1440 and (stated and end_stated or (b - a) % 1440 < 720)
            ]
        else:
            k = j
            if (
                _tok(reading, i)[0] == "num"
                and not stated
                and _tok(reading, i - 1)[1] not in ("at", "@")
            ):
                i += 1  # a bare number is not a time unless "at" says so
                continue
            pairs = [(a, None) for a in starts]
        if len(pairs) > 1 and hint:
            pairs = [(a, b) for a, b in pairs if (a % 1440 >= 720) == (hint == "pm")]
        if len(pairs) != 1:
            raise _Unreadable("ambiguous time")
        start, end = pairs[0]
        if start % 1440 == 0:
            raise _Unreadable("midnight start: which night?")
        if (
            end is not None
            and end % 1440 < start % 1440
            and (start % 1440 < 18 * 60 or (end - start) % 1440 > 8 * 60)
        ):
            raise _Unreadable("ends before it starts")
        reading.times.add((start % 1440, None if end is None else end % 1440))
        for n in range(i - between, k):
            reading.used[n] = True
        if first_zone:
            reading.zone = _ZONE_WORDS[first_zone]
        if _tok(reading, k)[1] in _ZONE_WORDS:
            zone = _ZONE_WORDS[_tok(reading, k)[1]]
            if first_zone and zone != reading.zone:
                raise _Unreadable("two zones")
            reading.zone, reading.used[k] = zone, True
            if _tok(reading, k + 1) == ("word", "time"):
                reading.used[k + 1] = True
        i = k


# --- days ----------------------------------------------------------------------------------------


def _free(reading: _Reading) -> list[tuple[str, str]]:
    """Return the tokens the time reader left, without punctuation other than list separators."""
    return [
        t
        for t, used in zip(reading.tokens, reading.used, strict=True)
        if not used and (t[0] != "punct" or t[1] in (",", "/", "-"))
    ]


def _ordinal(tok: tuple[str, str]) -> int | None:
    """Return the number of an ordinal token ("2nd", "second", "last" = -1), or None."""
    if tok[0] == "ord":
        return int(tok[1][:-2])
    return _ORD_WORDS.get(tok[1]) if tok[0] == "word" else None


def _day_list(toks: list[tuple[str, str]], p: int) -> tuple[set[int], int]:
    """Read "Mon", "Mon and Wed", "Mon, Wed & Fri" or "Monday-Friday" at p."""
    days = {_DAY_WORDS[toks[p][1]]}
    p += 1
    if (
        p + 1 < len(toks)
        and toks[p][1] in ("-", "through", "thru", "to")
        and toks[p + 1][1] in _DAY_WORDS
    ):
        first, last = _DAY_WORDS[toks[p - 1][1]], _DAY_WORDS[toks[p + 1][1]]
        if p + 2 < len(toks) and toks[p + 2][1] == "-":
            raise _Unreadable("day range")
        return {(first + n) % 7 for n in range((last - first) % 7 + 1)}, p + 2
    while p + 1 < len(toks) and toks[p][1] in _LIST_SEPS and toks[p + 1][1] in _DAY_WORDS:
        days.add(_DAY_WORDS[toks[p + 1][1]])
        p += 2
    return days, p


def _read_days(reading: _Reading) -> None:
    """Read day names, ordinals, intervals and month/week context from the remaining words."""
    toks = _free(reading)
    p = 0
    while p < len(toks):
        kind, value = toks[p]
        after = toks[p + 1][1] if p + 1 < len(toks) else ""
        if value in _DAY_WORDS:
            days, p = _day_list(toks, p)
            reading.weekly.append(days)
            continue
        if _ordinal(toks[p]) is not None:
            p = _read_ordinals(reading, toks, p, every=p > 0 and toks[p - 1][1] == "every")
            continue
        p += 1
        if value == "every":
            p += _read_every(reading, toks, p)
        elif value in ("once", "twice"):
            period = (
                after
                if after in ("weekly", "monthly")
                else (toks[p + 1][1] if after in ("a", "per", "each") and p + 1 < len(toks) else "")
            )
            if period not in ("week", "weekly", "month", "monthly"):
                raise _Unreadable(value)
            reading.per = ("week" if period.startswith("week") else "month", 1 + (value == "twice"))
            p += 1 if after in ("weekly", "monthly") else 2
        elif value in ("weekly", "week"):
            reading.week_context = True
        elif value in ("monthly", "month", "months"):
            reading.month_context = True
        elif value in ("daily", "weekday", "weekdays", "weeknights", "weekends"):
            reading.weekly.append(
                {"daily": set(range(7)), "weekends": {0, 6}}.get(value, {1, 2, 3, 4, 5})
            )
        elif value in ("fortnightly", "biweekly"):
            reading.interval = 2
        elif not (kind == "punct" or value in _NOISE or value in _HINTS):
            raise _Unreadable(value)


def _read_every(reading: _Reading, toks: list[tuple[str, str]], p: int) -> int:
    """Read what follows "every" at p (other, N weeks, week, day, month); return tokens used."""
    after = toks[p][1] if p < len(toks) else ""
    then = toks[p + 1][1] if p + 1 < len(toks) else ""
    if after == "other" or (after in _EVERY_N and then in ("week", "weeks")):
        if reading.interval != 1:
            raise _Unreadable("two intervals")
        reading.interval = _EVERY_N.get(after, 2)
        return 1 + (then in ("week", "weeks"))
    if after in ("week", "month"):
        reading.week_context |= after == "week"
        reading.month_context |= after == "month"
        return 1
    if after == "day":
        reading.weekly.append(set(range(7)))
        return 1
    if (
        after in _DAY_WORDS
        or after in ("weekday", "weekdays")
        or (p < len(toks) and _ordinal(toks[p]) is not None)
    ):
        return 0
    raise _Unreadable("every …")


def _read_ordinals(reading: _Reading, toks: list[tuple[str, str]], p: int, every: bool) -> int:
    """Read "1st & 3rd Thursday", "last Saturday", "the 15th of the month" or "second week"."""
    ords = [_ordinal(toks[p])]
    p += 1
    while p + 1 < len(toks) and toks[p][1] in _LIST_SEPS and _ordinal(toks[p + 1]) is not None:
        ords.append(_ordinal(toks[p + 1]))
        p += 2
    numbers = [n for n in ords if n is not None]
    if p < len(toks) and toks[p][1] in _DAY_WORDS:
        days, p = _day_list(toks, p)
        if any(not (1 <= n <= 5 or n == -1) for n in numbers):
            raise _Unreadable("ordinal")
        reading.nth.append((numbers, days, every))
    elif len(numbers) == 1 and 1 <= numbers[0] <= 31:
        reading.monthdays.append(numbers[0])
    else:
        raise _Unreadable("ordinal without a day")
    return p


# --- putting it together -------------------------------------------------------------------------


def _nth_key(n: int) -> tuple[bool, int]:
    """Sort key putting 1st … 5th before last."""
    return (n < 0, n)


def _combine(reading: _Reading, base: Schedule) -> Schedule:
    """Return the one Schedule the parts describe; raise _Unreadable when they conflict."""
    if sum(map(bool, (reading.weekly, reading.nth, reading.monthdays))) != 1:
        raise _Unreadable("no single pattern")
    if not 1 <= reading.interval <= 12:
        raise _Unreadable("interval")
    if reading.nth or reading.monthdays:
        if reading.interval != 1 or reading.week_context:
            raise _Unreadable("weekly and monthly")
        if reading.monthdays:
            if (
                len(set(reading.monthdays)) != 1
                or not reading.month_context
                or reading.per not in (None, ("month", 1))
            ):
                raise _Unreadable("day of month")
            return Schedule(
                kind="monthly_date",
                monthday=reading.monthdays[0],
                start=base.start,
                end=base.end,
                timezone=base.timezone,
                text=base.text,
            )
        pairs = {(n, d) for ords, days, _ in reading.nth for n in ords for d in days}
        nths = sorted({n for n, _ in pairs}, key=_nth_key)
        days = sorted({d for _, d in pairs})
        if len(pairs) != len(nths) * len(days) or reading.per not in (None, ("month", len(pairs))):
            raise _Unreadable("mixed nth days")
        if not reading.month_context and any(
            every and len(ords) == 1 and ords[0] not in (1, -1) for ords, _, every in reading.nth
        ):
            raise _Unreadable("every second …: every other week or nth of the month?")
        return Schedule(
            kind="monthly_nth",
            days=tuple(days),
            nths=tuple(nths),
            start=base.start,
            end=base.end,
            timezone=base.timezone,
            text=base.text,
        )
    days = sorted(set().union(*reading.weekly))
    sets = {frozenset(d) for d in reading.weekly}
    if sum(map(len, sets)) != len(days):
        raise _Unreadable("overlapping days (daily and Tuesdays?)")
    if reading.month_context or reading.per not in (None, ("week", len(days))):
        raise _Unreadable("monthly on weekdays")
    return Schedule(
        kind="weekly",
        days=tuple(days),
        interval=reading.interval,
        start=base.start,
        end=base.end,
        timezone=base.timezone,
        text=base.text,
    )
