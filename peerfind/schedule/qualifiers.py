"""Take the qualifiers, labels and Spanish wording off a schedule phrase before the rule is read.

schedule_text.read_schedule understands a bare rule ("2nd & 4th Wednesdays 6:00-7:30 pm"). Pages
wrap that rule in more: a start or end date ("STARTING 6/8/2022", "through Nov. 22"), a season
("June through August"), exceptions ("(except holidays)", "no meetings in August"), hedges
("generally"), course lengths ("(4 sessions)"), labels ("When:"), a subject ("This group will
meet"), a UTC offset ("(GMT+10)"), 24-hour times ("1000-1200", "1900 hrs") and Spanish ("los
primeros y terceros viernes de cada mes a las 18"). `extract` rewrites the text into the rule
alone and returns what it took off: a start date with a year becomes the anchor, an end date with
a year the `until`, everything else a note carried with the schedule. Pure functions, no I/O.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY1 = r"(?:sunday|monday|tuesday|wednesday|thursday|friday|saturday)"  # singular: a date's day
_NOT_TIME = r"(?![:.]?\d|\s*(?:am|pm)\b|\s*[:.]\d)"
# one date: "jan. 13, 2021", "13 jan 2021", "6/8/2022", "6/8"; groups name month, day, year
_DATE = (
    rf"(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?{_NOT_TIME}"
    rf"(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\b\.?(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<m3>\d{{1,2}})/(?P<d3>\d{{1,2}})(?:/(?P<y3>\d{{4}}|\d{{2}}))?(?![\d/]))"
)
_START = r"(?:starting|beginning|begins|starts|start|effective|commencing|resuming|resumes)"
_END = r"(?:ending|ends|until|till|thru|through)"
_COUNT = r"(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_DAYS_PLURAL = r"(?:sundays|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays)"

_SPANISH_DAYS = {
    "domingo": "sunday",
    "domingos": "sundays",
    "lunes": "mondays",
    "martes": "tuesdays",
    "miercoles": "wednesdays",
    "jueves": "thursdays",
    "viernes": "fridays",
    "sabado": "saturday",
    "sabados": "saturdays",
}
_SPANISH_WORDS = {
    "primer": "first",
    "primero": "first",
    "primeros": "first",
    "primera": "first",
    "segundo": "second",
    "segundos": "second",
    "tercer": "third",
    "tercero": "third",
    "terceros": "third",
    "cuarto": "fourth",
    "cuartos": "fourth",
    "quinto": "fifth",
    "ultimo": "last",
    "ultimos": "last",
    "y": "and",
    "cada": "every",
    "mes": "month",
    "semana": "week",
    "semanal": "weekly",
    "mensual": "monthly",
    "mediodia": "noon",
    "medianoche": "midnight",
    "en": "on",
    "linea": "online",
    "el": "",
    "la": "",
    "los": "",
    "las": "",
    "dia": "day",
    "dias": "days",
}
_SPANISH_MONTHS = dict(
    zip(
        (
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ),
        _MONTHS,
        strict=True,
    )
)
_SPANISH_MARK = re.compile(
    r"\b(?:lunes|martes|miercoles|jueves|viernes|sabados?|domingos?"
    r"|cada mes|de la (?:tarde|noche|manana)|a las)\b"
)
_GMT = re.compile(r"\(?\b(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\)?")
_AMBIGUOUS_ZONES = ("IST", "AST", "SST", "CAT", "GST")  # each names several zones
_LABEL = re.compile(
    r"^\s*(?:when|schedule(?:\s*/\s*time)?|times?|day\s*/\s*time|date\s*/\s*time"
    r"|meeting times?|meets|hours)\s*(?::|-)\s*"
)
_SUBJECT = re.compile(
    r"^\s*(?:(?:this|our|the|each)\s+)?"
    r"(?:(?!(?:(?:sun|mon|tues?|wed|thu|thurs?|fri|sat)(?:days?|s)?|every|each|first|second"
    r"|third|fourth|last|weekly|monthly|daily)\b)[a-z+'-]+\s+){0,4}?(?:groups?|meetings?|sessions?)\s+"
    r"(?:will\s+)?(?:meets?|occurs?|gathers?|(?:is|are)\s+held|takes?\s+place|runs?)\b"
    r"|^\s*(?:we|they)\s+(?:will\s+)?(?:meet|gather)\b"
)


@dataclass
class Qualifiers:
    """What was taken off a phrase: anchor/until dates (ISO), notes, a stated or ambiguous zone."""

    anchor: str | None = None
    until: str | None = None
    notes: list[str] = field(default_factory=list)
    zone: str | None = None  # an IANA zone from a UTC offset ("GMT+10" -> "Etc/GMT-10")
    ambiguous_zone: str = ""  # an abbreviation that names several zones ("IST")

    @property
    def note(self) -> str:
        """Return the notes as one string ('; '-separated), '' when there are none."""
        return "; ".join(self.notes)


class Unreadable(Exception):
    """A qualifier makes the phrase impossible to read with confidence."""


def fold(text: str) -> str:
    """Return text without accents ("miércoles" -> "miercoles")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _day_month(match: re.Match[str], month: str) -> str:
    """Return "<day> <month>[ <year>]" for a matched Spanish date ("3 de marzo de 2025")."""
    return f"{match[1]} {month}" + (f" {match[2]}" if match[2] else "")


def spanish(text: str) -> str:
    """Return the Spanish forms NAMI and bilingual programs use written as the English ones."""
    if not _SPANISH_MARK.search(text):
        return text
    for name, month in _SPANISH_MONTHS.items():
        text = re.sub(
            rf"\b(\d{{1,2}}) de {name}(?: de (\d{{4}}))?\b",
            functools.partial(_day_month, month=month),
            text,
        )
    text = re.sub(r"\bde la (?:tarde|noche)\b", "pm", text)
    text = re.sub(r"\bde la manana\b", "am", text)
    text = re.sub(r"\bpor la (?:tarde)\b", "afternoon", text)
    text = re.sub(r"\bpor la (?:noche)\b", "evening", text)
    text = re.sub(r"\bpor la (?:manana)\b", "morning", text)
    text = re.sub(r"\ben horario de\b", "", text)
    text = re.sub(r"\btodos los\b|\btodas las\b", "every", text)
    text = re.sub(r"\bde cada mes\b|\bdel mes\b", "of every month", text)
    text = re.sub(r"\bdesde (?:el )?", "from ", text)
    text = re.sub(r"\bal\b", "to", text)
    text = re.sub(
        r"\bde (\d{1,2}(?:[:.]\d{2})?) a (\d{1,2}(?:[:.]\d{2})?)\b", r"from \1 to \2", text
    )
    text = re.sub(r"\ba las?\b", "at", text)
    text = re.sub(r"\b(\d{1,2}(?:[:.]\d{2})?)\s*(?:horas|hrs|h)\b\.?", r"\1", text)
    words = {**_SPANISH_DAYS, **_SPANISH_WORDS}
    return re.sub(r"[a-z]+", lambda m: words.get(m[0], m[0]), text)


def _iso(match: re.Match[str], which: str = "") -> tuple[str | None, bool]:
    """Return (ISO date or None, whether it is a real date) for a _DATE match ('' or suffix)."""
    get = match.groupdict()
    month_text = get.get(f"m1{which}") or get.get(f"m2{which}")
    if month_text:
        month = _MONTHS.index(month_text[:3]) + 1
        day = int(get.get(f"d1{which}") or get.get(f"d2{which}") or 0)
        year_text = get.get(f"y1{which}") or get.get(f"y2{which}")
    else:
        month, day = int(get.get(f"m3{which}") or 0), int(get.get(f"d3{which}") or 0)
        year_text = get.get(f"y3{which}")
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None, False
    if not year_text:
        return None, True
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        return date(year, month, day).isoformat(), True
    except ValueError:
        return None, False


def _date(suffix: str) -> str:
    """Return the _DATE pattern with its group names suffixed (two dates in one pattern)."""
    return re.sub(r"\?P<(\w+)>", lambda m: f"?P<{m[1]}{suffix}>", _DATE)


@functools.cache
def _date_patterns() -> tuple[re.Pattern[str], ...]:
    """Return the date patterns (range, start, end, list, single), compiled on first use."""
    return (
        re.compile(
            rf",?\s*\(?\s*(?:{_START}\s+(?:on\s+)?|from\s+|between\s+)?{_date('')}\s*"
            rf"(?:-|to|through|thru|until|till)\s*(?:{_date('b')}|(?P<dd>\d{{1,2}})"
            rf"(?:st|nd|rd|th)?(?![:.]?\d|\s*(?:am|pm)\b))\s*\)?"
        ),
        re.compile(rf",?\s*\(?\b{_START}\s+(?:on\s+)?(?:{_DAY1},?\s+)?{_DATE}\)?"),
        re.compile(rf",?\s*\(?\b{_END}\s+(?:{_DAY1},?\s+)?{_DATE}\)?"),
        re.compile(
            rf",?\s*{_date('')}(?:\s*,\s*(?:and\s+)?{_date('b')}"
            rf"|\s+and\s+{_date('c')})+"
        ),
        re.compile(rf",?\s*(?:(?:on\s+)?{_DAY1}\s*[,.]?\s+)?{_DATE}"),
    )


_MONTH_RANGE = re.compile(
    rf",?\s*\(?(?:from\s+)?{_MONTH}\s+(?:-|to|through|thru|until)\s+"
    rf"{_MONTH}\b\)?"
)
_EXCEPT_PAREN = re.compile(
    r"\([^()]*\b(?:except|excluding|exception|no meetings?|closed"
    r"|cancel\w*|holidays?|not (?:on|during|in))\b[^()]*\)"
)
_EXCEPT = re.compile(
    r"[,;.-]?\s*\b(?:except|excluding|with the exception of)\b[^.;(),]*"
    r"|[,;.-]?\s*\bno (?:meetings?|groups?|sessions?) (?:in|during|on|over)\b"
    r"[^.;(),]*"
    r"|[,;.]?\s*\b(?:closed|cancell?ed)\s+(?:on|during|over|for)\s+[^.;(),]*"
    r"holidays"
    r"|[,;]?\s*(?:and\s+)?(?:that\s+)?includ\w*\s+(?:major\s+|most\s+|all\s+)?"
    r"holidays"
    r"|[,;]?\s*\b(?:when|if)\s+[^.;()]*\b(?:closed|cancel\w*|weather|snow)\b"
    r"[^.;()]*"
)
_HEDGE = re.compile(
    r"\b(?:generally|usually|typically|normally|tentatively|most weeks"
    r"|most months)\b"
)
_COURSE = re.compile(
    rf"\(?\b(?<!every\s){_COUNT}\s*-?\s*(?:sessions?|weeks?|classes|week"
    rf"\s+sessions?)\b\)?"
)
_COUNTED_DAYS = re.compile(rf"\b{_COUNT}\s+({_DAYS_PLURAL})\b")
_MILITARY_RANGE = re.compile(r"\b([01]\d|2[0-3])([0-5]\d)\s*-\s*([01]\d|2[0-3])([0-5]\d)\b")
_MILITARY = re.compile(r"\b([01]\d|2[0-3])([0-5]\d)\s*(?:hrs|hours|h)\b\.?")
_STARTING_AT = re.compile(r"\b(?:starting|beginning|kicks off|kicking off)\s+(?=at\b|@)")


def _take(
    pattern: re.Pattern[str], text: str, quals: Qualifiers, raw: str, on_match: object = None
) -> str:
    """Remove each match of pattern from text, noting the raw words it covered."""
    out, last = [], 0
    for match in pattern.finditer(text):
        keep = on_match(match) if callable(on_match) else False
        if not keep:
            quals.notes.append(_raw_span(raw, text, match).strip(" ,;.-()"))
        out.append(text[last : match.start()])
        out.append(" , ")
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def _raw_span(raw: str, text: str, match: re.Match[str]) -> str:
    """Return the published words of a match (its case kept) when they can be found, else it."""
    span = match.group().strip(" ,;.-()")
    folded = fold(raw)
    at = folded.lower().find(span) if span and len(folded) == len(raw) else -1
    return raw[at : at + len(span)] if at >= 0 else span


def extract(text: str, raw: str = "") -> tuple[str, Qualifiers]:
    """Return (the rule alone, what was taken off it) for normalized lower-case text."""
    quals = Qualifiers()
    for abbr in _AMBIGUOUS_ZONES:
        if re.search(rf"\b{abbr}\b", raw):
            quals.ambiguous_zone = abbr
            text = re.sub(rf"\b{abbr.lower()}\b", " ", text)
    if gmt := _GMT.search(text):
        if gmt[3] not in (None, "00") or int(gmt[2]) > 14:
            raise Unreadable("UTC offset that is not whole hours")
        hours = int(gmt[2])
        quals.zone = "UTC" if hours == 0 else f"Etc/GMT{'-' if gmt[1] == '+' else '+'}{hours}"
        text = text[: gmt.start()] + " " + text[gmt.end() :]
    text = _take(_EXCEPT_PAREN, text, quals, raw)
    text = _take(_EXCEPT, text, quals, raw)
    text = _dated(text, quals, raw)
    text = _take(_MONTH_RANGE, text, quals, raw)
    text = _take(_HEDGE, text, quals, raw)
    text = _take(_COURSE, text, quals, raw)
    for match in list(_COUNTED_DAYS.finditer(text)):
        quals.notes.append(match.group())
    text = _COUNTED_DAYS.sub(r"\1", text)
    text = _MILITARY_RANGE.sub(_military_range, text)
    text = _MILITARY.sub(r"\1:\2", text)
    text = _STARTING_AT.sub("", text)
    text = _LABEL.sub("", text)
    text = re.sub(r"^[\s,.;:-]+", "", text)
    text = _SUBJECT.sub("", text)
    quals.notes = [n for n in quals.notes if n]
    return text, quals


def _military_range(match: re.Match[str]) -> str:
    """Return "1000-1200" as "10:00-12:00" when both ends are on a quarter hour."""
    if match[2] in ("00", "15", "30", "45") and match[4] in ("00", "15", "30", "45"):
        return f"{match[1]}:{match[2]}-{match[3]}:{match[4]}"
    return match.group()


def _dated(text: str, quals: Qualifiers, raw: str) -> str:
    """Take dates off: ranges, start dates, end dates, lists and single dates, in that order."""

    def range_(m: re.Match[str]) -> bool:
        first, ok = _iso(m)
        second, ok2 = _iso(m, "b") if m["m1b"] or m["m2b"] or m["m3b"] else (None, True)
        if not (ok and ok2):
            raise Unreadable("not a date")
        if first and second and not quals.anchor and not quals.until:
            quals.anchor, quals.until = first, second
            return True
        return False

    def start(m: re.Match[str]) -> bool:
        found, ok = _iso(m)
        if not ok:
            raise Unreadable("not a date")
        if found and not quals.anchor:
            quals.anchor = found
            return True
        return False

    def end(m: re.Match[str]) -> bool:
        found, ok = _iso(m)
        if not ok:
            raise Unreadable("not a date")
        if found and not quals.until:
            quals.until = found
            return True
        return False

    def plain(m: re.Match[str]) -> bool:
        if not _iso(m)[1]:
            raise Unreadable("not a date")
        return False

    if not re.search(r"\d", text):
        return text  # no date without a number
    ranges, starts, ends, lists, single = _date_patterns()
    text = _take(ranges, text, quals, raw, range_)
    text = _take(starts, text, quals, raw, start)
    text = _take(ends, text, quals, raw, end)
    text = _take(lists, text, quals, raw, plain)
    return _take(single, text, quals, raw, plain)
