"""Write search results as an iCalendar file: one recurring VEVENT series per group."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from peerfind import __version__, evidence, feedback, vocab
from peerfind.export.files import ExportStats
from peerfind.export.records import group_of
from peerfind.models import Group, Schedule
from peerfind.schedule.clock import valid_timezone

PRODID = f"-//peerfind//peerfind {__version__}//EN"
CRISIS_LINE = "Crisis: call or text 988 (US)."
TZ_YEARS = 5  # years of daylight-saving transitions each VTIMEZONE carries


def _zone(group: Group) -> str | None:
    """Return the group's IANA zone, from its schedule or else its region and country."""
    tz = group.schedule.timezone
    if not tz and group.region:
        from peerfind.schedule import recurrence as sched_mod

        tz = sched_mod.timezone_for_region(group.region, group.country)
    return tz if tz and valid_timezone(tz) else None


def _place(group: Group) -> str:
    """Return the street location as one line: venue, street, city, region postal code."""
    tail = " ".join(p for p in (group.region, group.postal_code) if p)
    return ", ".join(p for p in (group.venue, group.address, group.city, tail) if p)


def _description(group: Group) -> str:
    """Return the event text: description, when, how to join, where it came from, crisis line."""
    lines = []
    if group.description:
        lines += [group.description, ""]
    if group.schedule.text:
        lines.append(f"When: {group.schedule.text}")
    if not _zone(group):
        lines.append(
            "Time zone: unknown - the listing gives none, so this event is at the published "
            "clock time in whatever zone your calendar uses; check the source before you go."
        )
    lines.append(f"Format: {vocab.FORMATS.get(group.format, group.format)}")
    if group.program:
        who = vocab.for_whom(group.program, group.name, group.populations)
        label = vocab.label(group.program, group.name, group.populations)
        lines.append(f"Program: {label}" + (f" (for {who})" if who else ""))
    if group.openness:
        lines.append(f"Meeting: {group.openness}")
    if group.join_url:
        lines.append(f"Join: {group.join_url}")
    if group.join_phone:
        lines.append(f"Dial-in: {group.join_phone}")
    who = group.organization or group.source
    lines.append(f"Source: {who} ({group.source}) {group.source_url}".rstrip())
    lines.append(f"Evidence: {evidence.of(group).label(precise=True) or 'no date'}")
    if line := feedback.channel(group).line():
        lines.append(line)
    if group.status != vocab.ACTIVE:
        lines.append(f"Status: {group.status.replace('_', ' ')}")
    lines += ["", "Peer support complements professional care. " + CRISIS_LINE]
    return "\n".join(lines)


def _rrule(text: str) -> Any:
    """Return an icalendar vRecur for an RRULE string (with or without the 'RRULE:' prefix)."""
    from icalendar import vRecur

    return vRecur.from_ical(text.strip().removeprefix("RRULE:"))


def build_event(row: dict[str, Any], now: datetime) -> tuple[Any, str | None, date] | str:
    """Return (VEVENT, tzid, first date) for one result, or the reason it cannot be one."""
    from icalendar import Event, vGeo

    from peerfind.schedule import recurrence as sched_mod
    from peerfind.schedule.rrule import to_rrule

    group = group_of(row)
    tz = _zone(group)
    sched: Schedule = replace(group.schedule, timezone=tz) if tz else group.schedule
    if sched.kind in ("appointment", "unparsed") or not sched.start:
        return "no recurring schedule"
    rule = to_rrule(sched)
    if not rule:
        return "no recurring schedule"
    found = sched_mod.next_occurrences(sched, now, 1)
    if not found:
        return "no meeting after today"
    first: datetime = found[0]
    zone = ZoneInfo(tz) if tz else None
    hour, minute = (int(p) for p in sched.start.split(":"))
    local_day = first.astimezone(zone).date() if zone and first.tzinfo else first.date()
    start = datetime.combine(local_day, time(hour, minute), tzinfo=zone)
    event = Event()
    event.add("uid", f"{group.id}@peerfind")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("summary", group.name)
    event.add("dtstart", start)
    if sched.end:
        eh, em = (int(p) for p in sched.end.split(":"))
        end = datetime.combine(local_day, time(eh, em), tzinfo=zone)
        event.add("dtend", end if end > start else end + timedelta(days=1))
    event.add("rrule", _rrule(rule))
    for day in sched.exdates:
        event.add(
            "exdate", datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=zone)
        )
    place = _place(group)
    if place and group.format != vocab.ONLINE:
        event.add("location", place)
    elif group.join_url:
        event.add("location", group.join_url)
    if group.latitude is not None and group.longitude is not None and place:
        event.add("geo", vGeo((group.latitude, group.longitude)))
    if group.source_url:
        event.add("url", group.source_url)
    event.add("description", _description(group))
    tags = [*group.populations, *group.topics]
    if tags:
        event.add("categories", tags)
    event.add("status", "CONFIRMED" if group.status == vocab.ACTIVE else "TENTATIVE")
    return event, tz, start.date()


def write_ics(
    rows: Iterable[dict[str, Any]],
    out: IO[str],
    *,
    now: datetime | None = None,
    stats: ExportStats | None = None,
    name: str = "peerfind groups",
) -> int:
    """Write a VCALENDAR with a VTIMEZONE per zone used and one VEVENT series per group.

    Events are spooled to a temporary file (constant memory) so the time zones, known only at
    the end, can be written first. Groups without a computable recurrence are skipped and
    counted in `stats`. Returns the number of events written.
    """
    from icalendar import Calendar, Timezone

    if now is None:
        from peerfind.schedule import clock as timeutil

        now = timeutil.now("UTC")  # PEERFIND_NOW pins it, as for search
    stats = stats if stats is not None else ExportStats()
    zones: dict[str, date] = {}
    count = 0
    with tempfile.SpooledTemporaryFile(
        max_size=4 << 20, mode="w+", encoding="utf-8", newline=""
    ) as spool:
        for row in rows:
            built = build_event(row, now)
            if isinstance(built, str):
                stats.skipped[built] += 1
                continue
            event, tz, first = built
            if tz:
                zones[tz] = min(zones.get(tz, first), first)
            spool.write(event.to_ical().decode("utf-8"))
            count += 1
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", name)
        for tzid, first in sorted(zones.items()):
            start = first - timedelta(days=1)
            last = date(start.year + TZ_YEARS + 1, 1, 1)
            cal.add_component(Timezone.from_tzid(tzid, first_date=start, last_date=last))
        head = cal.to_ical().decode("utf-8")
        closing = "END:VCALENDAR\r\n"
        out.write(head[: -len(closing)])
        spool.seek(0)
        while chunk := spool.read(1 << 16):
            out.write(chunk)
        out.write(closing)
    stats.written += count
    return count
