"""peerfind: find local peer support groups from a catalog built from public listings."""

__version__ = "0.1.0"

PROJECT_URL = "https://github.com/peerfind/peerfind"
USER_AGENT = f"peerfind/{__version__} (+{PROJECT_URL})"
