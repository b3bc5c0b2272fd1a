"""The console entry point: a run that names a core command loads only the core commands.

Typer prepares every registered command's options on each run, so `peerfind search` starts
faster when the maintainer commands (scrape, sources, publish, update, discover, doctor) are
not registered. Importing peerfind.cli directly (tests, `python -m peerfind.cli`) registers all.
"""

from __future__ import annotations

import sys

CORE_COMMANDS = frozenset(
    {"search", "show", "export", "tags", "geocode", "crisis", "programs"}
)
_VALUED_OPTIONS = frozenset({"--db"})


def command_named(args: list[str]) -> str | None:
    """Return the first command word in the arguments, skipping global options and their values."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUED_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def main() -> None:
    """Run the peerfind command line."""
    from peerfind import cli_common

    cli_common.state.lean = command_named(sys.argv[1:]) in CORE_COMMANDS
    from peerfind.cli import app

    app()
