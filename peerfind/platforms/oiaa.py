"""OIAA / Central Query database exports (`_id`, `startDateUTC`, `duration`, `languages`).

The Online Intergroup of AA keeps its meetings in a document database whose export is close to
Meeting Guide but not the same: `_id` and dates are wrapped (`{"$oid": …}`, `{"$date": …}`),
`day` runs 1 (Monday) to 7 (Sunday, 0 also seen), the end is a `duration` in minutes, languages
are ISO codes in `languages`, and every meeting is online. Rows without a day or time (a
round-the-clock marathon, an e-mail group) have no meeting to show and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from peerfind import vocab
from peerfind.clean import scrub_secrets
from peerfind.models import Follow, Group, Page, Schedule
from peerfind.platforms.meeting_guide import load_feed, parse_time, strip_secrets
from peerfind.platforms.mg_types import PROGRAM_TOPICS, map_types
from peerfind.schedule.recurrence import describe
from peerfind.scraping import Scraper


def _unwrap(value: object) -> object:
    """Return the plain value of an export wrapper such as {"$oid": "…"} or {"$date": "…"}."""
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value.values()))
    return value


def _end(start: str, duration: object) -> str | None:
    """Return 'HH:MM' `duration` minutes after `start` (wrapping at midnight), or None."""
    try:
        minutes = int(duration)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    if not 0 < minutes < 24 * 60:
        return None
    total = (int(start[:2]) * 60 + int(start[3:]) + minutes) % 1440
    return f"{total // 60:02d}:{total % 60:02d}"


class Oiaa(Scraper):
    """An OIAA-style database export of online meetings (code4recovery/central-query)."""

    name = "oiaa"
    platform = "oiaa"

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield one online Group per meeting that has a weekly day and time."""
        seen: set[str] = set()
        for row in load_feed(page):
            if not isinstance(row, dict):
                self.report.skip("not an object")
                continue
            key = str(row.get("slug") or _unwrap(row.get("_id")) or "")
            if not key or not str(row.get("name") or "").strip():
                self.report.skip("no name or slug")
                continue
            if key in seen:
                self.report.skip("duplicate slug")
                continue
            seen.add(key)
            if row.get("archived") is True:
                self.report.skip("archived")
                continue
            group = self._parse_row(page, row, key)
            if group is not None and self.valid(group) is not None:
                yield group

    def _parse_row(self, page: Page, row: dict[str, Any], key: str) -> Group | None:
        """Return the Group for one exported meeting, or None (counted) without a schedule."""
        start = parse_time(row.get("time"))
        day = row.get("day")
        if start is None or not isinstance(day, int) or not 0 <= day <= 7:
            self.report.skip("no weekly day and time")
            return None
        zone = row.get("timezone") if isinstance(row.get("timezone"), str) else None
        schedule = Schedule(
            kind="weekly",
            days=(day % 7,),
            start=start,
            end=_end(start, row.get("duration")),
            timezone=zone,
        )
        schedule = replace(schedule, text=describe(schedule))
        codes = [str(c).strip().upper()[:16] for c in row.get("types") or [] if str(c).strip()]
        pops, topics, langs, access = map_types(codes, self.config.program)
        prog_pops, prog_topics = PROGRAM_TOPICS.get(self.config.program, ((), ()))
        languages = tuple(
            str(x).strip().lower()[:8]
            for x in row.get("languages") or []
            if isinstance(x, str) and x.strip()
        )
        url = str(row.get("conference_url") or "")
        phone = str(row.get("conference_phone") or "")
        keep_join = self.config.options.get("keep_join_details", True)
        updated = str(_unwrap(row.get("updatedAt")) or "")[:10]
        return self.group(
            page,
            source_key=key,
            name=str(row["name"]),
            source_url=str(row.get("url") or ""),
            description=scrub_secrets(str(row.get("notes") or "")),
            populations=pops + prog_pops,
            topics=topics + prog_topics,
            languages=tuple(sorted(set(langs) | set(languages))),
            accessibility=access,
            format=vocab.PHONE if phone and not url else vocab.ONLINE,
            join_url=strip_secrets(url) if keep_join and "pwd=" not in url else "",
            join_phone=scrub_secrets(phone.split(",")[0]) if keep_join else "",
            schedule=schedule,
            source_updated=updated if len(updated) == 10 else "",
            source_types=tuple(codes),
        )
