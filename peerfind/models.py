"""The record peerfind keeps (Group, Schedule) and what scrapers exchange (Page, Follow)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from peerfind import vocab
from peerfind.clean import MAX_DESCRIPTION, clean_text, clean_url

SCHEDULE_KINDS = (
    "weekly",  # on `days` every week (interval 1) or every `interval` weeks from `anchor`
    "monthly_nth",  # the `nths` (1..5, -1 = last) `days` of each month
    "monthly_date",  # on day `monthday` of each month
    "once",  # on the dated sessions in `dates`
    "appointment",  # by appointment: no fixed time
    "unparsed",  # the source gave a schedule we could not read; `text` keeps it
)


@dataclass(frozen=True)
class Schedule:
    """When a group meets: a recurrence, local start/end times and an IANA time zone."""

    kind: str = "unparsed"
    days: tuple[int, ...] = ()  # 0 = Sunday … 6 = Saturday
    interval: int = 1  # weekly: every N weeks
    anchor: str | None = None  # ISO date of one occurrence (needed when interval > 1)
    nths: tuple[int, ...] = ()  # monthly_nth: 1..5, -1 = last
    monthday: int | None = None  # monthly_date
    dates: tuple[str, ...] = ()  # once: ISO dates
    start: str | None = None  # "HH:MM", local
    end: str | None = None  # "HH:MM", local
    timezone: str | None = None  # IANA zone
    until: str | None = None  # ISO date after which it no longer meets
    exdates: tuple[str, ...] = ()  # ISO dates skipped
    text: str = ""  # the schedule as published
    note: str = ""  # a qualifier read with the rule ("except holidays"), shown with it

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict, leaving out empty values."""
        return {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in asdict(self).items()
            if v not in (None, (), "") and not (k == "interval" and v == 1)
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Schedule:
        """Build a Schedule from to_dict() output (unknown keys ignored)."""
        if not data:
            return cls()
        values = dict(_SCHEDULE_DEFAULTS)
        for k, v in data.items():
            if k in _SCHEDULE_KEYS:
                values[k] = tuple(v) if isinstance(v, list) else v
        if cls is not Schedule:
            return cls(**values)
        made = object.__new__(cls)  # what __init__ stores, without its setattr per frozen field
        made.__dict__.update(values)
        return made

    def problems(self) -> list[str]:
        """Return what is wrong with this schedule (empty when valid)."""
        out = []
        if self.kind not in SCHEDULE_KINDS:
            out.append(f"schedule kind {self.kind!r}")
        if any(not 0 <= d <= 6 for d in self.days):
            out.append("schedule day out of range")
        for t in (self.start, self.end):
            if t is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t):
                out.append(f"time {t!r}")
        if self.kind in ("weekly", "monthly_nth") and not self.days:
            out.append(f"{self.kind} schedule without days")
        if self.interval < 1:
            out.append("schedule interval below 1")
        return out


_SCHEDULE_KEYS = frozenset(f.name for f in fields(Schedule))  # what from_dict reads
_SCHEDULE_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Schedule)}  # all immutable


def _int_or_text(digits: str) -> int | str:
    """Return a JSON integer, or its digits as text when it is too long for int() (Python
    refuses over 4,300 digits): the field holding it fails alone, not the whole feed."""
    return int(digits) if len(digits) <= 4_000 else digits


@dataclass(frozen=True)
class Page:
    """A fetched response as a parser sees it: no network, time comes from `fetched_at`."""

    url: str
    text: str
    fetched_at: datetime
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""

    def json(self, expected: str = "JSON") -> Any:
        """Return the page body parsed as JSON; raise ParseError naming what was `expected`.

        An HTML page (a challenge or error page), text that is not JSON, and truncated or
        malformed JSON each get a one-line reason.
        """
        from peerfind.errors import ParseError

        text = self.text.lstrip("\ufeff \r\n\t")
        if text[:1] not in ("[", "{"):
            kind = "an HTML page" if text[:1] == "<" else "not JSON"
            raise ParseError(f"{self.url}: expected {expected}, got {kind}")
        try:
            return json.loads(text, parse_int=_int_or_text)
        except (json.JSONDecodeError, RecursionError) as exc:
            where = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
            raise ParseError(f"{self.url}: invalid JSON{where}") from None


@dataclass(frozen=True)
class Follow:
    """A request, yielded by a parser, for the runner to fetch `url` and hand it to `callback`."""

    url: str
    callback: str = "parse"
    meta: dict[str, Any] = field(default_factory=dict)


LIST_FIELDS = ("populations", "topics", "languages", "accessibility", "source_types")
TEXT_FIELDS = (
    "source",
    "source_key",
    "organization",
    "name",
    "cost",
    "format",
    "venue",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "geo_precision",
    "join_phone",
    "join_notes",
    "phone",
    "email",
    "status",
    "first_seen",
    "last_seen",
    "source_updated",
    "program",
    "openness",
    "last_verified",
)
URL_FIELDS = ("source_url", "join_url", "website", "feedback_url")


@dataclass(frozen=True)
class Group:
    """One recurring group or meeting, whatever the source; see DESIGN.md, 'The record'."""

    source: str
    source_key: str
    name: str
    source_url: str = ""
    organization: str = ""
    description: str = ""
    populations: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    cost: str = ""
    format: str = vocab.IN_PERSON
    venue: str = ""
    address: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: str = "none"
    join_url: str = ""
    join_phone: str = ""
    join_notes: str = ""
    schedule: Schedule = field(default_factory=Schedule)
    phone: str = ""
    email: str = ""
    website: str = ""
    status: str = vocab.ACTIVE
    first_seen: str = ""
    last_seen: str = ""
    source_updated: str = ""
    source_types: tuple[str, ...] = ()
    program: str = ""  # the fellowship or program running it: "aa", "al-anon", "nami", …
    openness: str = ""  # "open" (anyone may attend), "closed" (members only) or "" (not said)
    last_verified: str = ""  # ISO date the source says a person last checked it (last_contact)
    feedback_url: str = ""  # the organization's page for reporting a wrong or closed listing
    feedback_email: str = ""  # the organization's role address for the same (never a person's)

    @property
    def id(self) -> str:
        """Return the stable id: a short hash of source and the source's own key."""
        return make_id(self.source, self.source_key)

    def cleaned(self) -> Group:
        """Return a copy with every text field sanitized, links vetted and sizes capped."""
        changes: dict[str, Any] = {f: clean_text(getattr(self, f)) for f in TEXT_FIELDS}
        changes["description"] = clean_text(self.description, MAX_DESCRIPTION, multiline=True)
        changes.update({f: clean_url(getattr(self, f)) for f in URL_FIELDS})
        for f in LIST_FIELDS:
            changes[f] = tuple(sorted({clean_text(v, 80) for v in getattr(self, f) if v}))
        changes["email"] = changes["email"] if "@" in changes["email"] else ""
        feedback = clean_text(self.feedback_email, 254)
        changes["feedback_email"] = feedback if "@" in feedback else ""
        for f in ("latitude", "longitude"):
            changes[f] = _coord(getattr(self, f), 90 if f == "latitude" else 180)
        if changes["latitude"] is None or changes["longitude"] is None:
            changes["latitude"] = changes["longitude"] = None
            changes["geo_precision"] = "none"
        sched = self.schedule
        changes["schedule"] = replace(
            sched,
            text=clean_text(sched.text, 500),
            timezone=clean_text(sched.timezone, 64) or None,
            note=clean_text(sched.note, 300),
        )
        return replace(self, **changes)

    def problems(self) -> list[str]:
        """Return what makes this record invalid (empty when valid)."""
        out = []
        if not self.source or not re.fullmatch(r"[a-z0-9_\-.]+", self.source):
            out.append(f"source {self.source!r}")
        if not str(self.source_key):
            out.append("empty source_key")
        if not self.name.strip():
            out.append("empty name")
        if self.format not in vocab.FORMATS:
            out.append(f"format {self.format!r}")
        if self.status not in vocab.STATUSES:
            out.append(f"status {self.status!r}")
        if self.openness not in ("", "open", "closed"):
            out.append(f"openness {self.openness!r}")
        if self.geo_precision not in vocab.GEO_PRECISIONS:
            out.append(f"geo_precision {self.geo_precision!r}")
        for kind, values in (("population", self.populations), ("topic", self.topics)):
            terms = vocab.POPULATIONS if kind == "population" else vocab.TOPICS
            out += [f"{kind} {v!r}" for v in values if v not in terms]
        out += self.schedule.problems()
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of every field plus the id."""
        data = asdict(self)
        data["schedule"] = self.schedule.to_dict()
        for f in LIST_FIELDS:
            data[f] = list(data[f])
        return {"id": self.id, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Group:
        """Build a Group from to_dict() output or a catalog row (tags may be '|a|b|' strings)."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue
            if key in LIST_FIELDS:
                value = tuple(vocab.decode_tags(value) if isinstance(value, str) else value or ())
            elif key == "schedule":
                value = Schedule.from_dict(json.loads(value) if isinstance(value, str) else value)
            elif value is None and key not in ("latitude", "longitude"):
                value = ""
            values[key] = value
        return cls(**values)


def make_id(source: str, source_key: str) -> str:
    """Return a stable 12-character id for a listing from its source and the source's key."""
    digest = hashlib.sha1(f"{source}\x1f{source_key}".encode()).hexdigest()
    return digest[:12]


def _coord(value: object, bound: float) -> float | None:
    """Return a coordinate as a float within ±bound, or None (also for the 0,0 placeholder)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or abs(number) > bound or number == 0.0:
        return None
    return round(number, 6)
