"""Exceptions peerfind raises; the CLI turns each into one line on stderr and an exit code."""

from __future__ import annotations


class PeerfindError(Exception):
    """Base class for every error peerfind reports to a user; exit_code is the CLI's exit status."""

    exit_code = 1


class UsageError(PeerfindError):
    """The user has to change the input (bad option value, unknown tag, bad place)."""

    exit_code = 2


class PlaceError(UsageError):
    """A place could not be resolved to one point."""


class UnknownPlace(PlaceError):
    """No place of that name (or ZIP) is known; `suggestions` holds close matches, if any."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class AmbiguousPlace(PlaceError):
    """Several places share the name; `candidates` lists them, largest first."""

    def __init__(self, message: str, candidates: list[str] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


class GeocoderUnavailable(PeerfindError):
    """The online geocoder could not be reached."""

    exit_code = 3


class CatalogError(PeerfindError):
    """The catalog file is missing, unreadable, locked, corrupt or of an unknown schema."""


class ParseError(PeerfindError):
    """A source's response could not be parsed (garbage, wrong shape, truncated)."""


class FetchError(PeerfindError):
    """A page could not be fetched (refused, timed out, too large, disallowed by robots.txt)."""
