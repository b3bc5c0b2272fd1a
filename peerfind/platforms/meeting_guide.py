"""Meeting Guide JSON (the 12 Step Meeting List feed format) into Groups; see formats.md 1-2."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from peerfind import vocab
from peerfind.clean import is_placeholder_contact, scrub_personal, secret_free_link
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page, Schedule
from peerfind.platforms import mg_shapes
from peerfind.platforms.listing_text import name_populations, strip_group_id, unescape
from peerfind.platforms.mg_types import PROGRAM_TOPICS, map_types, openness
from peerfind.schedule.recurrence import describe
from peerfind.schedule.zone_words import stated_zone
from peerfind.scraping import Scraper

_ZONES = (
    ("central europe", "Europe/Berlin"),
    ("eastern", "America/New_York"),
    ("central", "America/Chicago"),
    ("mountain", "America/Denver"),
    ("pacific", "America/Los_Angeles"),
    ("gmt", "Europe/London"),
    ("uk", "Europe/London"),
)
_ZONE_HINT = re.compile(
    r"(?:\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?|\b(noon))?[\s@\-–(]*"
    r"\b(central europe|eastern|central|mountain|pacific|gmt|uk)(?:an)?\b(?:\s*time)?",
    re.I,
)
_ATTENDANCE = {"in_person": vocab.IN_PERSON, "hybrid": vocab.HYBRID, "online": vocab.ONLINE}
# Sites built with the aamod theme (recoverysource) write an online-only meeting's place as
# "address: zoom,Online-Only,," (area63aa/area63aa.org data/meetings/d2-sober-sunrise.yaml),
# so its feed row says address "zoom", city "Online-Only", with no join link and no ONL type.
_ONLINE_ONLY = re.compile(r"\s*online[\s-]*only\s*", re.I)


def load_feed(page: Page) -> list[dict[str, Any]]:
    """Return the meetings of a feed page; raise ParseError when it is not a Meeting Guide feed."""
    data = page.json("a Meeting Guide JSON array")
    if isinstance(data, dict) and "slug" in data and "name" in data:
        return [data]  # a single meeting object, as in the spec's example
    if not isinstance(data, list):
        raise ParseError(f"{page.url}: expected a Meeting Guide JSON array, got not a JSON array")
    return data


def parse_time(value: object) -> str | None:
    """Return 'HH:MM' for a feed time such as '7:30', '19:30:00' or '6:00 PM', or None."""
    return mg_shapes.clock(value)


def parse_days(value: object) -> list[int] | None:
    """Return the weekdays (0 = Sunday) of a feed `day` (number, name or list); None if invalid."""
    items = value if isinstance(value, list) else [value]
    days = [mg_shapes.weekday(item) for item in items]
    if any(d is None for d in days):
        return None
    return sorted({d for d in days if d is not None})


def zone_hint(text: str) -> tuple[str, str | None] | None:
    """Return (IANA zone, 'HH:MM' or None) when text states a US/UK/EU zone, e.g. '6pm Central'."""
    matches = list(_ZONE_HINT.finditer(text))
    if not matches:
        return None
    match = next((m for m in matches if m[1] or m[4]), matches[0])
    zone = dict(_ZONES)[match[5].lower()]
    if match[4]:
        return zone, "12:00"
    if match[1] and 1 <= int(match[1]) <= 12:
        hour = int(match[1]) % 12 + (12 if match[3].lower() == "p" else 0)
        return zone, f"{hour:02d}:{match[2] or '00'}"
    return zone, None


def _shift(hhmm: str | None, minutes: int) -> str | None:
    """Return an 'HH:MM' time moved by `minutes` (wrapping at midnight)."""
    if hhmm is None:
        return None
    total = (int(hhmm[:2]) * 60 + int(hhmm[3:]) + minutes) % 1440
    return f"{total // 60:02d}:{total % 60:02d}"


def parse_updated(value: object) -> str:
    """Return the ISO date of a feed `updated` value in any of the seen formats, or ''."""
    text = str(value or "").strip()
    if m := re.match(r"^(\d{4})-(\d{2})-(\d{2})", text):
        return f"{m[1]}-{m[2]}-{m[3]}"
    if m := re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})", text):
        return f"{m[3]}-{int(m[1]):02d}-{int(m[2]):02d}"
    return ""


def plausible_date(value: object, page: Page) -> str:
    """Return a feed date as ISO when it is a real date from 1980 up to the page's own date
    (the feeds carry typos such as 0222-10-31)."""
    from peerfind.evidence import plausible

    return plausible(parse_updated(value), page.fetched_at.date())


def _evidence(row: dict[str, Any], page: Page) -> dict[str, str]:
    """Return when a person at the source last verified the meeting (TSML `last_contact`) and
    the source's correction channel: `feedback_url`, or a role address from `feedback_emails`
    (never a person's mailbox; see peerfind.feedback)."""
    from peerfind.feedback import role_address

    published = str(row.get("entity_email") or "")
    return {
        "last_verified": plausible_date(row.get("last_contact"), page),
        "feedback_url": str(row.get("feedback_url") or ""),
        "feedback_email": role_address(row.get("feedback_emails"), published),
    }


def strip_secrets(url: str) -> str:
    """Return a join URL without query, fragment or credentials; '' if it embeds a passcode."""
    return secret_free_link(url)


def _types(row: dict[str, Any]) -> list[str]:
    """Return a row's type codes from a list or one string of codes or names ('[open]')."""
    return mg_shapes.type_codes(row.get("types") or [])


def _valid_zone(value: object) -> str | None:
    """Return an IANA zone name if `value` is one this machine knows, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    from peerfind.schedule.clock import valid_timezone

    return value.strip() if valid_timezone(value.strip()) else None


def _online_only(row: dict[str, Any]) -> bool:
    """Return True for a row whose place says it meets online only (city "Online-Only")."""
    return bool(_ONLINE_ONLY.fullmatch(str(row.get("city") or "")))


def _yes(value: object) -> bool:
    """Return True for 'yes', true or 1 (the feeds use all three)."""
    return str(value).strip().lower() in ("yes", "true", "1")


def _notes(row: dict[str, Any]) -> str:
    """Return a row's notes fields as one text."""
    return " ".join(str(row.get(k) or "") for k in ("notes", "location_notes", "group_notes"))


def _coords(row: dict[str, Any]) -> tuple[object, object]:
    """Return (latitude, longitude) from the split fields or a 'lat,lng' coordinates string."""
    if row.get("latitude") not in (None, "") and row.get("longitude") not in (None, ""):
        return row["latitude"], row["longitude"]
    parts = str(row.get("coordinates") or "").split(",")
    return (parts[0], parts[1]) if len(parts) == 2 else (None, None)


class MeetingGuide(Scraper):
    """Any Meeting Guide JSON feed (TSML WordPress sites, Code for Recovery sheets, BMLT tsml)."""

    name = "meeting_guide"
    platform = "meeting-guide"
    fail_when_all_skipped = True  # every row is meant to be a meeting: none usable is a failure

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield one Group per meeting (a list of days becomes one group meeting on those days).

        A start URL that answers with a site's meeting page (HTML) yields a Follow to the feed
        that page names (platforms/mg_discover.py) instead; only once per run.
        """
        if page.text.lstrip("\ufeff \r\n\t")[:1] == "<" and not getattr(self, "_followed", False):
            self._followed = True
            yield from self._follow_feed(page)
            return
        rows = self.load_rows(page)
        seen: set[str] = set()
        for row in rows:
            if not isinstance(row, dict):
                self.report.skip("not an object")
                continue
            slug = mg_shapes.slug(row.get("slug") if row.get("slug") is not None else row.get("id"))
            if not slug or not str(row.get("name") or "").strip():
                self.report.skip("no name or slug")
                continue
            if slug in seen:
                self.report.skip("duplicate slug")
                continue
            seen.add(slug)
            group = self._parse_row(page, row, slug)
            if group is not None and self.valid(group) is not None:
                yield group

    def _follow_feed(self, page: Page) -> Iterator[Follow]:
        """Yield a Follow to the Meeting Guide feed a site's page names; ParseError if none."""
        from peerfind.platforms.mg_discover import discover

        guess = discover(page)
        if guess is None or guess.feed_url == page.url:
            raise ParseError(
                f"{page.url}: expected a Meeting Guide JSON array or a page naming "
                "one, got an HTML page without a meeting feed"
            )
        zone = _valid_zone(guess.timezone)
        if zone and not self.config.timezone:
            self.config = replace(self.config, timezone=zone)
        yield Follow(guess.feed_url)

    def load_rows(self, page: Page) -> list[Any]:
        """Return the feed's rows (platforms with another container override this)."""
        return load_feed(page)

    def _parse_row(self, page: Page, row: dict[str, Any], slug: str) -> Group | None:
        """Return the Group for one feed row, or None (counted as skipped) when it is unusable."""
        schedule = self._parse_schedule(row)
        if schedule is None:
            self.report.skip("invalid day or time")
            return None
        codes = _types(row)
        fmt, status = self._parse_format(row, codes)
        pops, topics, langs, access = map_types(codes, self.config.program)
        prog_pops, prog_topics = PROGRAM_TOPICS.get(self.config.program, ((), ()))
        lat, lon = _coords(row)
        approximate = _yes(row.get("approximate"))
        address, city, region, postal = self._parse_address(row)
        keep_join = self.config.options.get("keep_join_details", True)
        return self.group(
            page,
            source_key=slug,
            name=unescape(strip_group_id(str(row["name"]), slug)),
            source_url=str(row.get("url") or page.url),
            description=self._parse_description(row),
            populations=pops + prog_pops + name_populations(str(row["name"])),
            openness=openness(codes),
            topics=topics + prog_topics,
            languages=langs,
            accessibility=access,
            format=fmt,
            status=status,
            venue=str(row.get("location") or ""),
            address=address,
            city=city,
            region=region,
            postal_code=postal,
            country=str(row.get("country") or ""),
            latitude=lat,
            longitude=lon,
            geo_precision="city" if approximate else ("exact" if lat not in (None, "") else "none"),
            join_url=strip_secrets(str(row.get("conference_url") or "")) if keep_join else "",
            join_phone=str(row.get("conference_phone") or "").split(",")[0] if keep_join else "",
            schedule=schedule,
            phone=self._org_contact(row.get("entity_phone")),
            email=self._org_contact(row.get("entity_email")),
            website=self._org_contact(row.get("entity_website_url") or row.get("entity_url")),
            source_updated=parse_updated(row.get("updated")),
            source_types=tuple(codes),
            **_evidence(row, page),
        )

    def _parse_schedule(self, row: dict[str, Any]) -> Schedule | None:
        """Return the weekly schedule (or 'by appointment'), None when day or time is invalid."""
        tz = _valid_zone(row.get("timezone"))
        if tz is None and str(row.get("timezone") or "").strip():
            # "America/Central" (area63aa.org): not a zone; enrich takes the place's instead.
            self.report.flag(
                f"stated zone {str(row['timezone']).strip()[:40]} is not a time "
                "zone; used its place's"
            )
        if row.get("day") in (None, "", []) and row.get("time") in (None, ""):
            return Schedule(kind="appointment", timezone=tz, text="By appointment")
        days = parse_days(row.get("day"))
        start = parse_time(row.get("time"))
        if not days or start is None:
            return None
        end = parse_time(row.get("end_time"))
        if tz is None and (hint := zone_hint(str(row.get("name") or ""))):
            # The publisher's own words ("6pm Central") win over a zone-less feed time.
            tz, stated = hint
            if stated and stated != start:
                delta = (int(stated[:2]) * 60 + int(stated[3:])) - (
                    int(start[:2]) * 60 + int(start[3:])
                )
                start, end = stated, _shift(end, delta)
        if tz is None:  # "(AEDT)", "7pm EST", "South Africa Time" in the name or the notes
            tz = stated_zone(str(row.get("name") or "")) or stated_zone(_notes(row))
        schedule = Schedule(kind="weekly", days=tuple(days), start=start, end=end, timezone=tz)
        return replace(schedule, text=describe(schedule))

    def _parse_format(self, row: dict[str, Any], codes: list[str]) -> tuple[str, str]:
        """Return (format, status) by TSML attendance_option, else by formats.md 1.3."""
        has_url = bool(str(row.get("conference_url") or "").strip())
        has_phone = bool(str(row.get("conference_phone") or "").strip())
        closed = "TC" in codes
        option = str(row.get("attendance_option") or "")
        if option in _ATTENDANCE:
            fmt = _ATTENDANCE[option]
            if fmt == vocab.ONLINE and has_phone and not has_url:
                fmt = vocab.PHONE
            return fmt, vocab.ACTIVE
        if option == "inactive":
            return vocab.IN_PERSON, vocab.TEMPORARILY_CLOSED if closed else vocab.INACTIVE
        has_place = (
            not closed
            and not _online_only(row)
            and not _yes(row.get("approximate"))
            and bool(row.get("address") or row.get("formatted_address"))
        )
        has_join = has_url or has_phone or "ONL" in codes or _online_only(row)
        if has_join and has_place:
            return vocab.HYBRID, vocab.ACTIVE
        if has_join:
            return (vocab.PHONE if has_phone and not has_url else vocab.ONLINE), vocab.ACTIVE
        if has_place:
            return vocab.IN_PERSON, vocab.ACTIVE
        return vocab.IN_PERSON, vocab.TEMPORARILY_CLOSED if closed else vocab.INACTIVE

    def _parse_address(self, row: dict[str, Any]) -> tuple[str, str, str, str]:
        """Return (street, city, region, postal code) from split fields or formatted_address.

        An online-only row's "zoom" / "Online-Only" is no place: (street, city) are left empty.
        """
        if _online_only(row):
            return "", "", str(row.get("state") or ""), ""
        street, city = str(row.get("address") or ""), str(row.get("city") or "")
        region = str(row.get("state") or "")
        postal = mg_shapes.postal(row.get("postal_code"), row.get("country"))
        formatted = str(row.get("formatted_address") or "")
        if not formatted and street.count(",") >= 2 and not (city or region):
            formatted, street = street, ""  # a whole address in `address` (TSML CSV imports)
        if formatted and not (street or city):
            parts = [p.strip() for p in formatted.split(",")]
            if parts and parts[-1] in ("USA", "US", "United States", "Canada"):
                parts = parts[:-1]
            if parts and (m := re.match(r"^([A-Z]{2})\s*(\d{5}(?:-\d{4})?)?$", parts[-1])):
                region, postal = m[1], m[2] or ""
                parts = parts[:-1]
                city = parts.pop() if parts else ""
            street = ", ".join(parts)
        return street, city, region, postal

    def _parse_description(self, row: dict[str, Any]) -> str:
        """Return the meeting notes with personal contacts, meeting ids and passcodes removed."""
        pieces = [str(row.get(k) or "") for k in ("notes", "location_notes", "group_notes")]
        return scrub_personal(unescape("\n".join(p for p in pieces if p.strip())))

    @staticmethod
    def _org_contact(value: object) -> str:
        """Return a service body's public contact, dropping demo placeholders."""
        text = str(value or "").strip()
        return "" if not text or is_placeholder_contact(text) else text
