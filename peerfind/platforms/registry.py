"""The platform parsers by name (as written in sources files and --platform).

Found the way the scrapers are (scraping.named_scrapers): every named Scraper class in a module of
peerfind/platforms/ is a platform, called by its name with '-' for '_' (meeting_guide ->
meeting-guide). No hand-kept list to forget.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path

from peerfind.errors import UsageError


@functools.cache
def platforms() -> dict[str, type]:
    """Return {platform name: parser class} for every parser in peerfind/platforms/."""
    from peerfind.scraping import named_scrapers

    found: dict[str, type] = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)], prefix="peerfind.platforms."):
        for cls in named_scrapers(importlib.import_module(info.name)):
            found[cls.name.replace("_", "-")] = cls
    return dict(sorted(found.items()))


def platform_class(name: str) -> type:
    """Return the Scraper class of a platform parser; raise UsageError naming the known ones."""
    known = platforms()
    found = known.get(name.replace("_", "-"))
    if found is None:
        raise UsageError(f"unknown platform {name!r}; known: {', '.join(known)}")
    return found
