"""National peer-support programs and state warmlines (data/programs.toml): load, check, choose.

Light on purpose: `peerfind search` reads this when it has little to show, so it imports only
tomllib and peerfind's own small modules.
"""

from __future__ import annotations

import datetime
import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerfind import vocab
from peerfind.errors import CatalogError

# Keys of an entry that are not facts, so need no citation.
_NOT_FACTS = frozenset({"id", "read", "cite", "general"})
PROGRAM_KEYS = frozenset(
    {
        "id", "general", "name", "organization", "about", "populations", "topics", "online",
        "online_schedule", "finder", "website", "helpline", "helpline_hours", "languages",
        "read", "cite",
    }
)  # fmt: skip
WARMLINE_KEYS = frozenset(
    {"id", "state", "name", "operator", "phone", "hours", "who", "languages", "read", "cite"}
)
PROGRAM_REQUIRED = ("id", "name", "organization", "about", "read")
WARMLINE_REQUIRED = ("id", "state", "name", "phone", "hours", "who", "read")
US_STATES = frozenset(
    re.findall(
        r"[A-Z]{2}",
        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
        "NJ NM NY NC ND OH OK OR PA PR RI SC SD TN TX UT VT VA WA WV WI WY GU VI AS MP",
    )
)
# A topic whose programs also help with a narrower one (shown after the specific programs).
BROADER = {
    "depression_bipolar": "mental_health",
    "anxiety": "mental_health",
    "psychosis": "mental_health",
    "trauma_ptsd": "mental_health",
    "suicide_loss": "grief_loss",
    "alcohol": "substance_use",
}
_PHONE = re.compile(r"^(1-)?\d{3}-\d{3}-\d{4}$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Program:
    """A national organization's peer-support groups, with a citation for every fact."""

    id: str
    name: str
    organization: str
    about: str
    read: str
    populations: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    online: bool | None = None
    online_schedule: str = ""
    finder: str = ""
    website: str = ""
    helpline: str = ""
    helpline_hours: str = ""
    languages: tuple[str, ...] = ()
    general: bool = False
    cite: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @property
    def link(self) -> str:
        """Return where a person goes to find a group: the finder, else the website."""
        return self.finder or self.website

    def to_dict(self) -> dict[str, object]:
        """Return the program as JSON-ready data, its citations included."""
        return {
            "id": self.id,
            "name": self.name,
            "organization": self.organization,
            "about": self.about,
            "populations": list(self.populations),
            "topics": list(self.topics),
            "online": self.online,
            "online_schedule": self.online_schedule or None,
            "finder": self.finder or None,
            "website": self.website or None,
            "helpline": self.helpline or None,
            "helpline_hours": self.helpline_hours or None,
            "languages": list(self.languages),
            "citations": {k: list(v) for k, v in self.cite.items()},
            "read": self.read,
        }


@dataclass(frozen=True)
class Warmline:
    """A peer-run, non-crisis phone line for one state, with a citation for every fact."""

    id: str
    state: str
    name: str
    phone: str
    hours: str
    who: str
    read: str
    operator: str = ""
    languages: tuple[str, ...] = ()
    cite: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, object]:
        """Return the warmline as JSON-ready data, its citations included."""
        return {
            "id": self.id,
            "state": self.state,
            "name": self.name,
            "operator": self.operator or None,
            "phone": self.phone,
            "hours": self.hours,
            "who": self.who,
            "languages": list(self.languages),
            "citations": {k: list(v) for k, v in self.cite.items()},
            "read": self.read,
        }


@dataclass(frozen=True)
class Directory:
    """Everything in programs.toml: the programs, the warmlines, the terms not yet covered."""

    programs: tuple[Program, ...]
    warmlines: tuple[Warmline, ...]
    uncovered: dict[str, tuple[str, ...]]


def default_path() -> Path:
    """Return the bundled programs.toml."""
    from peerfind.paths import data_path

    return data_path("programs.toml")


def _cites(entry: dict[str, object]) -> dict[str, tuple[str, ...]]:
    """Return an entry's citations as {fact: (url, …)}."""
    raw = entry.get("cite") or {}
    out: dict[str, tuple[str, ...]] = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            out[key] = (value,) if isinstance(value, str) else tuple(value)
    return out


def problems(data: dict[str, object]) -> list[str]:
    """Return every problem in parsed programs.toml data (empty when it is sound)."""
    out: list[str] = []
    seen: set[str] = set()
    for kind, keys, required in (
        ("program", PROGRAM_KEYS, PROGRAM_REQUIRED),
        ("warmline", WARMLINE_KEYS, WARMLINE_REQUIRED),
    ):
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            out.append(f"[[{kind}]] must be an array of tables")
            continue
        for n, entry in enumerate(entries):
            where = f"{kind} {entry.get('id') or f'#{n + 1}'}"
            out += [f"{where}: missing {k}" for k in required if not entry.get(k)]
            out += [f"{where}: unknown key {k!r}" for k in entry if k not in keys]
            ident = str(entry.get("id", ""))
            if ident in seen:
                out.append(f"{where}: duplicate id")
            seen.add(ident)
            if ident and not _ID.match(ident):
                out.append(f"{where}: id must be lower-case words joined by '-'")
            out += _check_entry(where, entry, kind)
    uncovered = data.get("uncovered", {})
    if isinstance(uncovered, dict):
        for kind, terms in (
            ("population", uncovered.get("populations", [])),
            ("topic", uncovered.get("topics", [])),
        ):
            vocabulary = vocab.POPULATIONS if kind == "population" else vocab.TOPICS
            out += [f"uncovered: unknown {kind} {t!r}" for t in terms if t not in vocabulary]
    return out


def _check_entry(where: str, entry: dict[str, Any], kind: str) -> list[str]:
    """Return the problems of one entry: citations, links, dates, tags, phone numbers.

    `entry` is parsed text, so its values may be of any type; this checks them."""
    out: list[str] = []
    cites = _cites(entry)
    for key, value in entry.items():
        if key in _NOT_FACTS or value in ("", [], None):
            continue
        if not cites.get(key):
            out.append(f"{where}: {key} has no citation (cite.{key})")
    for key, urls in cites.items():
        if key not in entry:
            out.append(f"{where}: cite.{key} cites a fact the entry does not have")
        for url in urls:
            if not re.match(r"^https://[^\s/]+\.[^\s/]+/?\S*$", url):
                out.append(f"{where}: cite.{key} is not an https URL: {url!r}")
    for key in ("finder", "website"):
        value = entry.get(key)
        if value and not re.match(r"^https://[^\s/]+\.[^\s/]+/?\S*$", str(value)):
            out.append(f"{where}: {key} is not an https URL: {value!r}")
    reachable = entry.get("finder") or entry.get("website") or entry.get("helpline")
    if kind == "program" and not reachable:
        out.append(f"{where}: needs a finder, a website or a helpline to send people to")
    try:
        read = datetime.date.fromisoformat(str(entry.get("read", "")))
        if read > datetime.date(2100, 1, 1) or read < datetime.date(2020, 1, 1):
            out.append(f"{where}: read date {read} is implausible")
    except ValueError:
        out.append(f"{where}: read must be a date (YYYY-MM-DD)")
    for key, vocabulary in (("populations", vocab.POPULATIONS), ("topics", vocab.TOPICS)):
        for term in entry.get(key, []) or []:
            if term not in vocabulary:
                out.append(f"{where}: {key} has {term!r}, not a vocabulary term")
    for lang in entry.get("languages", []) or []:
        if not re.fullmatch(r"[a-z]{2,3}", str(lang)):
            out.append(f"{where}: language {lang!r} is not a language code")
    if "online" in entry and not isinstance(entry["online"], bool):
        out.append(f"{where}: online must be true or false")
    if entry.get("online_schedule") and entry.get("online") is not True:
        out.append(f"{where}: an online schedule needs online = true")
    if kind == "warmline":
        if entry.get("state") not in US_STATES:
            out.append(f"{where}: state {entry.get('state')!r} is not a US state code")
        if not _PHONE.match(str(entry.get("phone", ""))):
            out.append(f"{where}: phone must look like 800-555-0100 or 1-800-555-0100")
    return out


def parse(text: str) -> Directory:
    """Return the Directory in programs.toml text; raise CatalogError naming every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"programs.toml is not valid TOML: {exc}") from None
    found = problems(data)
    if found:
        raise CatalogError("programs.toml: " + "; ".join(found[:5]))
    programs = tuple(
        Program(
            id=e["id"],
            name=e["name"],
            organization=e["organization"],
            about=e["about"],
            read=str(e["read"]),
            populations=tuple(e.get("populations", ())),
            topics=tuple(e.get("topics", ())),
            online=e.get("online"),
            online_schedule=e.get("online_schedule", ""),
            finder=e.get("finder", ""),
            website=e.get("website", ""),
            helpline=e.get("helpline", ""),
            helpline_hours=e.get("helpline_hours", ""),
            languages=tuple(e.get("languages", ())),
            general=bool(e.get("general", False)),
            cite=_cites(e),
        )
        for e in data.get("program", [])
    )
    warmlines = tuple(
        Warmline(
            id=e["id"],
            state=e["state"],
            name=e["name"],
            phone=e["phone"],
            hours=e["hours"],
            who=e["who"],
            read=str(e["read"]),
            operator=e.get("operator", ""),
            languages=tuple(e.get("languages", ())),
            cite=_cites(e),
        )
        for e in data.get("warmline", [])
    )
    uncovered = data.get("uncovered", {})
    return Directory(
        programs,
        warmlines,
        {k: tuple(uncovered.get(k, ())) for k in ("populations", "topics")},
    )


@functools.cache
def load(path: Path | None = None) -> Directory:
    """Return the programs and warmlines in programs.toml (the bundled one by default)."""
    file = path or default_path()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read {file}: {exc.strerror or exc}") from None
    return parse(text)


def choose(
    programs: tuple[Program, ...] | list[Program],
    populations: list[str] | tuple[str, ...] = (),
    topics: list[str] | tuple[str, ...] = (),
) -> list[Program]:
    """Return the programs for the asked populations/topics, best first.

    A program that serves an asked population and an asked topic comes first, then one that
    matches either, then one whose topic is broader than the asked one (NAMI for depression).
    With no population or topic, or when nothing matches, the general programs are returned.
    """
    if not populations and not topics:
        return [p for p in programs if p.general]
    broader = {BROADER[t] for t in topics if t in BROADER} - set(topics)
    scored = []
    for index, program in enumerate(programs):
        pop = bool(set(populations) & set(program.populations))
        top = bool(set(topics) & set(program.topics))
        wide = bool(broader & set(program.topics))
        if populations and topics:
            # both asked: a population-only match must still be about something related
            score = 4 * (pop and (top or wide)) + 2 * top + 2 * pop + wide
        else:
            score = 2 * (pop or top) + wide
        if score:
            scored.append((-score, index, program))
    chosen = [p for _, _, p in sorted(scored, key=lambda s: s[:2])]
    return chosen or [p for p in programs if p.general]


def warmlines_for(warmlines: tuple[Warmline, ...], state: str | None) -> list[Warmline]:
    """Return the warmlines of a state (two-letter code); none without a state."""
    if not state:
        return []
    return [w for w in warmlines if w.state == state.upper()]
