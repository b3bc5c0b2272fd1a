"""Every source peerfind knows: built-in scrapers, plugin scrapers and sources-file feeds.

Built-in scrapers are the named Scraper subclasses defined in the modules of the top-level
`scrapers` package. Plugins declare theirs under the entry-point group `peerfind.scrapers`
(value "pkg.module:Class"); they are not loaded under pytest unless PEERFIND_LOAD_PLUGINS=1.
Feed sources are rows of a TOML sources file naming a platform parser and a URL.
"""

from __future__ import annotations

import difflib
import importlib
import os
import pkgutil
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peerfind import vocab
from peerfind.errors import PeerfindError, UsageError
from peerfind.scraping import Scraper, SourceConfig, named_scrapers

ENTRY_POINT_GROUP = "peerfind.scrapers"
SCRAPERS_PACKAGE = "scrapers"
_NAME = re.compile(r"[a-z0-9_\-.]+")
_SOURCE_KEYS = {
    "name",
    "platform",
    "url",
    "organization",
    "region",
    "country",
    "timezone",
    "program",
    "populations",
    "topics",
    "enabled",
    "options",
    "note",
    "record",
}


class RegistryError(PeerfindError):
    """Scrapers or sources cannot be assembled (duplicate names, broken plugin, bad file)."""


@dataclass
class Source:
    """One runnable source: its configuration and how to build its scraper."""

    config: SourceConfig
    scraper_class: type[Scraper] | None = None  # None: resolve config.platform when run
    problem: str = ""  # set when the scraper's module could not be loaded

    @property
    def name(self) -> str:
        """Return the source name (the `source` of its listings)."""
        return self.config.name

    @property
    def kind(self) -> str:
        """Return the platform name, or 'scraper' for a bespoke scraper."""
        return self.config.platform or ("broken" if self.problem else "scraper")

    def make(self) -> Scraper:
        """Return a fresh scraper for one run; raise UsageError for an unknown platform."""
        if self.problem:
            raise RegistryError(self.problem)
        if self.scraper_class is not None:
            return self.scraper_class(self.config)
        from peerfind.platforms import platform_class

        return platform_class(self.config.platform)(self.config)


def _load_plugins() -> bool:
    """Return True when entry-point plugins should be loaded (not under pytest by default)."""
    return "pytest" not in sys.modules or os.environ.get("PEERFIND_LOAD_PLUGINS") == "1"


Found = dict[str, tuple[type[Scraper], str]]


def _add(found: Found, cls: type[Scraper], origin: str) -> None:
    """Register `cls` under its name; raise RegistryError naming both origins on a clash."""
    if cls.name in found and found[cls.name][0] is not cls:
        raise RegistryError(
            f"two scrapers are named {cls.name!r}: {found[cls.name][1]} and {origin}"
        )
    found[cls.name] = (cls, origin)


def builtin_scrapers(
    package: str = SCRAPERS_PACKAGE, broken: dict[str, str] | None = None
) -> Found:
    """Return {name: (class, origin)} for the named Scraper classes of the `scrapers` package.

    A module that fails to import is left out and noted in `broken` ({module name: message});
    without a `broken` dict the failure is raised as a RegistryError.
    """
    found: Found = {}
    try:
        pkg = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name == package:
            return found
        raise
    for info in pkgutil.iter_modules(getattr(pkg, "__path__", []), prefix=f"{package}."):
        try:
            module = importlib.import_module(info.name)
        except Exception as exc:  # a broken scraper module must be named, not hidden
            message = f"cannot load {info.name}: {type(exc).__name__}: {exc}"
            if broken is None:
                raise RegistryError(message) from exc
            broken[info.name.rpartition(".")[2]] = message
            continue
        for obj in named_scrapers(module):
            _add(found, obj, f"{module.__name__}.{obj.__qualname__}")
    return found


def plugin_scrapers(found: Found | None = None, broken: dict[str, str] | None = None) -> Found:
    """Add the scrapers declared under the `peerfind.scrapers` entry-point group to `found`."""
    from importlib.metadata import entry_points

    found = {} if found is None else found
    if not _load_plugins():
        return found
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep.dist, "name", None) or "?"
        origin = f"plugin {dist} ({ep.value})"
        try:
            cls = ep.load()
            if not (isinstance(cls, type) and issubclass(cls, Scraper) and cls.name):
                raise TypeError("not a named peerfind Scraper subclass")
        except Exception as exc:
            message = f"cannot load {origin}: {type(exc).__name__}: {exc}"
            if broken is None:
                raise RegistryError(message) from exc
            broken[ep.name] = message
            continue
        _add(found, cls, origin)
    return found


def all_scrapers(broken: dict[str, str] | None = None) -> Found:
    """Return built-in and plugin scrapers by name; raise RegistryError on duplicate names."""
    return plugin_scrapers(builtin_scrapers(SCRAPERS_PACKAGE, broken=broken), broken)


def default_sources_file() -> Path:
    """Return the bundled sources list (data/sources.toml)."""
    from peerfind.paths import data_path

    return data_path("sources.toml")


def _tags(kind: str, values: Any, where: str) -> tuple[str, ...]:
    """Return vocabulary terms for a list of population/topic words from a sources file."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        raise UsageError(f"{where}: {kind}s must be a list of words")
    try:
        return tuple(vocab.normalize(kind, str(v)) for v in values)
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from None


def source_config(row: dict[str, Any], origin: str, where: str = "") -> SourceConfig:
    """Return the SourceConfig of one sources-file row; raise UsageError when it is malformed."""
    where = where or origin
    name = str(row.get("name") or "")
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"{where}: source name {name!r} must be lower-case letters, digits, '-', '_' or '.'"
        )
    where = f"{where}: source {name!r}"
    unknown = sorted(set(row) - _SOURCE_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)}")
    url, platform = str(row.get("url") or ""), str(row.get("platform") or "")
    if not platform:
        raise UsageError(f"{where}: needs a platform (e.g. meeting-guide)")
    if not re.match(r"^(https?|file)://", url):
        raise UsageError(f"{where}: url must be an http(s) or file URL, got {url!r}")
    options = row.get("options") or {}
    if not isinstance(options, dict):
        raise UsageError(f"{where}: options must be a table")
    if row.get("timezone"):
        from peerfind.schedule.clock import valid_timezone

        if not valid_timezone(str(row["timezone"])):
            raise UsageError(
                f"{where}: unknown time zone {str(row['timezone'])[:80]!r}; use an "
                "IANA name such as America/Chicago"
            )
    return SourceConfig(
        name=name,
        platform=platform,
        url=url,
        organization=str(row.get("organization") or ""),
        region=str(row.get("region") or ""),
        country=str(row.get("country") or ""),
        timezone=str(row.get("timezone") or "") or None,
        program=str(row.get("program") or ""),
        populations=_tags("population", row.get("populations", []), where),
        topics=_tags("topic", row.get("topics", []), where),
        enabled=bool(row.get("enabled", True)),
        origin=origin,
        options=dict(options),
        record=str(row.get("record") or ""),
    )


def load_sources_file(path: Path | str) -> list[SourceConfig]:
    """Return the sources listed in a TOML file ([[source]] tables); raise UsageError if bad."""
    path = Path(path)
    origin = "data/sources.toml" if path == default_sources_file() else str(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise UsageError(f"no sources file at {path}") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read sources file {path}: {exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"cannot read sources file {path}: not UTF-8 text") from None
    rows = data.get("source", [])
    if not isinstance(rows, list):
        raise UsageError(f"{path}: expected [[source]] tables")
    configs: list[SourceConfig] = []
    names: set[str] = set()
    for i, row in enumerate(rows, 1):
        config = source_config(row, origin, f"{path} (source #{i})")
        if config.name in names:
            raise UsageError(f"{path}: source {config.name!r} is listed twice")
        names.add(config.name)
        configs.append(config)
    return configs


def user_sources_file() -> Path:
    """Return the user's own sources list (sources.toml in the user folder, `discover --add`)."""
    from peerfind.paths import user_dir

    return user_dir() / "sources.toml"


def feed_sources(
    sources_file: Path | str | None = None, notes: list[str] | None = None
) -> dict[str, SourceConfig]:
    """Return the feed sources by name: `sources_file` alone, else bundled plus user list.

    A user entry named like a bundled one replaces it; each such override is described in
    `notes` (one line each) so the command can say so.
    """
    if sources_file:
        return {c.name: c for c in load_sources_file(sources_file)}
    bundled, user = default_sources_file(), user_sources_file()
    out = {c.name: c for c in load_sources_file(bundled)} if bundled.exists() else {}
    if user.exists():
        for config in load_sources_file(user):
            if config.name in out and notes is not None:
                notes.append(
                    f"{user}: source {config.name!r} replaces the bundled source of that name"
                )
            out[config.name] = config
    return out


def all_sources(
    sources_file: Path | str | None = None, *, scrapers: bool = True, notes: list[str] | None = None
) -> dict[str, Source]:
    """Return every known source by name: feed sources, then built-in and plugin scrapers.

    Feed sources are the bundled list plus the user's own (see feed_sources), or with an
    explicit `sources_file` that file alone. A bundled or explicit feed sharing a name with a
    scraper is a RegistryError naming both origins; a user entry replaces the scraper and says
    so in `notes`.
    """
    feeds = feed_sources(sources_file, notes)
    out = {name: Source(config) for name, config in feeds.items()}
    if not scrapers:
        return out
    user = "" if sources_file else str(user_sources_file())
    broken: dict[str, str] = {}
    for name, (cls, origin) in all_scrapers(broken).items():
        if name in out:
            if user and out[name].config.origin == user:
                if notes is not None:
                    notes.append(
                        f"{user}: source {name!r} replaces the built-in scraper of that name"
                    )
                continue
            raise RegistryError(
                f"two sources are named {name!r}: {out[name].config.origin} and {origin}"
            )
        config = SourceConfig(
            name=name, organization=cls.organization, enabled=cls.enabled_by_default, origin=origin
        )
        out[name] = Source(config, cls)
    for name, problem in broken.items():
        if name not in out:
            out[name] = Source(
                SourceConfig(name=name, origin="scrapers (failed to load)"), problem=problem
            )
    return out


def select(
    names: list[str],
    *,
    run_all: bool = False,
    sources_file: Path | str | None = None,
    notes: list[str] | None = None,
) -> list[Source]:
    """Return the sources to run: the named ones, or every enabled one with `run_all`.

    With an explicit sources file, `run_all` means every enabled source of that file only.
    Overrides by the user's sources file are described in `notes`.
    """
    known = all_sources(
        sources_file, scrapers=not (run_all and sources_file and not names), notes=notes
    )
    if run_all and not names:
        return [s for s in known.values() if s.config.enabled]
    chosen = []
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"unknown source {name!r}.{hint} See `peerfind sources`.")
        chosen.append(known[name])
    return chosen


def parse_options(pairs: list[str]) -> dict[str, Any]:
    """Return parser options from KEY=VALUE strings (`scrape --option`); raise UsageError if bad.

    A value that reads as JSON (true, false, 3, ["a", "b"]) takes that type; any other value is
    a string (block=div.group).
    """
    import json

    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise UsageError(f"--option {pair!r}: use KEY=VALUE, e.g. all_events=true")
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    return options


def adhoc_source(platform: str, url: str, name: str, **fields: Any) -> Source:
    """Return a one-off source running platform parser `platform` on `url` under `name`.

    `fields` are sources-file keys (region, timezone, options, …); empty ones are left out.
    """
    from peerfind.platforms import platform_class

    platform_class(platform)  # raise UsageError for an unknown platform now, not mid-run
    row = {
        "name": name,
        "platform": platform.replace("_", "-"),
        "url": url,
        **{k: v for k, v in fields.items() if v not in (None, "", [], ())},
    }
    return Source(source_config(row, "ad hoc", "--platform/--url/--name"))
