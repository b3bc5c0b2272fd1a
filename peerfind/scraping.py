"""The Scraper base class: identity as data, a pure parse(page), a report of skips."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from peerfind import vocab
from peerfind.clean import scrub_secrets
from peerfind.models import Follow, Group, Page, Schedule

LONG_MEETING = "meet over 5 hours (a typo, or a drop-in centre?)"


def long_meeting(s: Schedule) -> bool:
    """Return True when a schedule states a start and an end more than 5 hours apart."""
    from peerfind.schedule.recurrence import duration_minutes

    return bool(s.start and s.end) and duration_minutes(s) > 5 * 60


@dataclass
class SourceConfig:
    """One source: a built-in scraper, or a platform parser pointed at a URL by a sources file."""

    name: str
    platform: str = ""  # platform parser name (e.g. "meeting-guide"); empty for bespoke scrapers
    url: str = ""
    organization: str = ""
    region: str = ""  # default state/region for listings without one
    country: str = ""
    timezone: str | None = None  # default IANA zone for listings without one
    populations: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    program: str = ""  # e.g. "aa", "al-anon", "eda": drives type codes and topics
    enabled: bool = True
    origin: str = "built-in"  # built-in | sources file path | plugin distribution
    options: dict[str, Any] = field(default_factory=dict)
    record: str = ""  # the public record a sources-file entry was taken from (its citation)


@dataclass
class ParseReport:
    """What one parse produced and what it skipped, with reasons."""

    produced: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)  # kept, but worth a look
    flag_examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, count: int = 1) -> None:
        """Count `count` records skipped for `reason`."""
        self.skipped[reason] += count

    def flag(self, reason: str, example: str = "") -> None:
        """Count a record kept but probably mistyped at its source (first three examples kept)."""
        self.flagged[reason] += 1
        examples = self.flag_examples.setdefault(reason, [])
        if example and len(examples) < 3:
            examples.append(example)

    def flags(self) -> str:
        """Return flagged records as one line ('' when none), e.g. '1 meets over 5 hours (X)'."""
        return "; ".join(
            f"{n} {why}"
            + (
                f" ({', '.join(self.flag_examples.get(why, []))})"
                if self.flag_examples.get(why)
                else ""
            )
            for why, n in self.flagged.most_common()
        )

    def summary(self) -> str:
        """Return a one-line summary such as '182 groups; skipped 3 (2 no name, 1 no day)'."""
        total = sum(self.skipped.values())
        if not total:
            return f"{self.produced} groups"
        reasons = ", ".join(f"{n} {why}" for why, n in self.skipped.most_common())
        return f"{self.produced} groups; skipped {total} ({reasons})"


class Scraper:
    """Base class of every scraper and platform parser: subclasses implement parse(page)."""

    name: ClassVar[str] = ""
    organization: ClassVar[str] = ""
    start_urls: ClassVar[tuple[str, ...]] = ()
    platform: ClassVar[str] = (
        ""  # set on platform parsers: the name used by sources files and --platform
    )
    enabled_by_default: ClassVar[bool] = True
    max_pages: ClassVar[int] = 500

    def __init__(self, config: SourceConfig | None = None) -> None:
        """Create a scraper, optionally configured by a sources-file entry."""
        self.config = config or SourceConfig(name=self.name, organization=self.organization)
        self.report = ParseReport()

    @property
    def source(self) -> str:
        """Return the source name written on every listing this scraper yields."""
        return self.config.name or self.name

    def urls(self) -> tuple[str, ...]:
        """Return the URLs a run starts from: the configured URL, else start_urls."""
        return (self.config.url,) if self.config.url else self.start_urls

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield the Groups on `page` and Follows for further pages; never touch the network."""
        raise NotImplementedError

    def parse_groups(self, page: Page) -> list[Group]:
        """Return only the Groups that parse(page) yields (a convenience for tests and tools)."""
        return [item for item in self.parse(page) if isinstance(item, Group)]

    def group(self, page: Page, **values: Any) -> Group:
        """Return a cleaned Group with source, organization, dates and config defaults filled in."""
        cfg = self.config
        seen = page.fetched_at.date().isoformat()
        values.setdefault("source_url", page.url)
        values.setdefault("organization", cfg.organization or self.organization)
        if not values.get("program") and cfg.program:
            values["program"] = cfg.program
        if not values.get("region") and cfg.region:
            values["region"] = cfg.region
        if not values.get("country") and cfg.country:
            values["country"] = cfg.country
        values["populations"] = tuple(values.get("populations", ())) + tuple(cfg.populations)
        values["topics"] = tuple(values.get("topics", ())) + tuple(cfg.topics)
        for key in ("name", "venue", "address"):  # no phone, e-mail or passcode in a one-liner
            if values.get(key):
                values[key] = scrub_secrets(str(values[key]), multiline=False)
        if values.get("join_notes"):
            values["join_notes"] = scrub_secrets(str(values["join_notes"]))
        schedule = values.get("schedule") or Schedule()
        if schedule.timezone is None and cfg.timezone:
            values["schedule"] = replace(schedule, timezone=cfg.timezone)
        group = Group(source=self.source, first_seen=seen, last_seen=seen, **values).cleaned()
        self.report.produced += 1
        if long_meeting(group.schedule):
            self.report.flag(LONG_MEETING, f"{group.name}: {group.schedule.text}"[:120])
        return group

    def valid(self, group: Group) -> Group | None:
        """Return the group if it is valid; otherwise count it as skipped and return None."""
        problems = group.problems()
        if not problems:
            return group
        self.report.produced -= 1
        self.report.skip(f"invalid record ({problems[0].split(' ')[0]})")
        return None

    @staticmethod
    def detect_format(text: str) -> str:
        """Return the format a free-text description implies: online, hybrid, phone or in person."""
        lower = text.lower()
        online = any(w in lower for w in ("zoom", "online", "virtual", "google meet", "teams"))
        if "hybrid" in lower or (online and ("in person" in lower or "in-person" in lower)):
            return vocab.HYBRID
        if online:
            return vocab.ONLINE
        if "conference call" in lower or "by phone" in lower:
            return vocab.PHONE
        return vocab.IN_PERSON


def named_scrapers(module: object) -> Iterator[type[Scraper]]:
    """Yield the Scraper classes a module defines that carry a name (scrapers and platforms).

    The one registry rule: sources.registry finds the scrapers/ package's scrapers with it, and
    platforms.registry the platform parsers of peerfind/platforms/.
    """
    name = getattr(module, "__name__", "")
    for obj in vars(module).values():
        if (
            isinstance(obj, type)
            and issubclass(obj, Scraper)
            and obj.__module__ == name
            and obj.name
        ):
            yield obj
