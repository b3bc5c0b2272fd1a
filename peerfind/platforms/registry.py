"""The platform parsers by name (as written in sources files and --platform)."""


from __future__ import annotations

import importlib

from peerfind.errors import UsageError

# platform name (as written in sources files and --platform) -> "module:Class"
PLATFORMS: dict[str, str] = {
    "meeting-guide": "peerfind.platforms.meeting_guide:MeetingGuide",
    "bmlt": "peerfind.platforms.bmlt:Bmlt",
    "tribe-events": "peerfind.platforms.tribe_events:TribeEvents",
    "ical": "peerfind.platforms.ical:ICal",
    "jsonld": "peerfind.platforms.jsonld:JsonLd",
    "hsds": "peerfind.platforms.hsds:Hsds",
    "css": "peerfind.platforms.declarative:CssPage",
    "tsml-csv": "peerfind.platforms.tsml_csv:TsmlCsv",
    "oiaa": "peerfind.platforms.oiaa:Oiaa",
}


def platform_class(name: str) -> type:
    """Return the Scraper class of a platform parser; raise UsageError naming the known ones."""
    target = PLATFORMS.get(name.replace("_", "-"))
    if target is None:
        raise UsageError(f"unknown platform {name!r}; known: {', '.join(sorted(PLATFORMS))}")
    module, _, cls = target.partition(":")
    return getattr(importlib.import_module(module), cls)
