"""peerfind: find local peer support groups from a catalog built from public listings.

The scraper authoring API is importable from here (`from peerfind import Scraper, Group`):
Scraper, Group, Schedule, Page and Follow. They load on first use, so `import peerfind` stays
light for the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

PROJECT_URL = "https://github.com/peerfind/peerfind"
USER_AGENT = f"peerfind/{__version__} (+{PROJECT_URL})"

# The authoring API: name -> module it lives in (loaded on first use, by __getattr__).
AUTHORING_API = {
    "Scraper": "peerfind.scraping",
    "Group": "peerfind.models",
    "Schedule": "peerfind.models",
    "Page": "peerfind.models",
    "Follow": "peerfind.models",
}

if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ loads them
    from peerfind.models import Follow as Follow
    from peerfind.models import Group as Group
    from peerfind.models import Page as Page
    from peerfind.models import Schedule as Schedule
    from peerfind.scraping import Scraper as Scraper

__all__ = [
    "PROJECT_URL",
    "USER_AGENT",
    "Follow",
    "Group",
    "Page",
    "Schedule",
    "Scraper",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """Return an authoring-API class, importing its module on first use."""
    module = AUTHORING_API.get(name)
    if module is None:
        raise AttributeError(f"module 'peerfind' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    """Return the module's names, the authoring API included."""
    return sorted({*globals(), *AUTHORING_API})
