"""The licence each source states for its listings, for exports that must carry it (HSDS)."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from peerfind.paths import data_path

NOT_STATED = "not stated by the source"


@lru_cache(maxsize=1)
def bundled() -> dict[str, dict[str, str]]:
    """Return {feed name: {"licence", "origin", "organization"}} from data/bundled.toml.

    A feed's `licence` key wins; else the licence named in brackets at the end of its origin.
    """
    with open(data_path("bundled.toml"), "rb") as fh:
        feeds = tomllib.load(fh).get("feed", [])
    out = {}
    for feed in feeds:
        origin = str(feed.get("origin", ""))
        found = re.search(r"\(([^()]+)\)\s*$", origin)
        licence = str(feed.get("licence") or (found[1] if found else "") or NOT_STATED)
        out[str(feed["name"])] = {
            "licence": licence,
            "origin": origin,
            "organization": str(feed.get("organization", "")),
        }
    return out


def of_source(name: str) -> dict[str, str]:
    """Return the licence, origin and organization known for a source (licence may be
    NOT_STATED: live sources publish public listings without naming a licence)."""
    return bundled().get(name, {"licence": NOT_STATED, "origin": "", "organization": ""})


def package_entries(sources: dict[str, str]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Return (licenses, sources) for a data package from {source name: organization}.

    `licenses` names each distinct licence with the sources that state it (a source stating
    none is not given one); `sources` lists every source with its origin and its licence or
    NOT_STATED.
    """
    by_licence: dict[str, list[str]] = {}
    entries = []
    for name in sorted(sources):
        info = of_source(name)
        by_licence.setdefault(info["licence"], []).append(name)
        title = f"{name}: {info['organization'] or sources[name] or name}"
        entry = {"title": f"{title} (licence: {info['licence']})", "license": info["licence"]}
        if info["origin"]:
            entry["path"] = info["origin"]
        entries.append(entry)
    licenses = [
        {"name": licence, "title": f"{licence}, stated for the listings of {', '.join(names)}"}
        for licence, names in sorted(by_licence.items())
        if licence != NOT_STATED  # those sources say so in their `sources` entry
    ]
    return licenses, entries
