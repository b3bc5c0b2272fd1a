"""The console entry point: a run that names a core command registers that command alone.

Typer prepares every registered command's options on each run, so `peerfind search` starts
faster when no other command is registered: neither the maintainer commands (scrape, sources,
publish, update, discover, doctor, whose modules are then not even imported) nor the other core
commands (their options cost ~4 ms of CPU a run). Any other run (no command, --help, an unknown
or a maintainer command) registers all. Importing peerfind.cli.app directly (as tests do)
registers all. This is the only main(): `peerfind` ([project.scripts]) and `python -m peerfind`
both run it.
"""

from __future__ import annotations

import contextlib
import sys

CORE_COMMANDS = frozenset({"search", "show", "export", "tags", "geocode", "crisis", "programs"})
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
    from peerfind.cli import common as cli_common

    named = command_named(sys.argv[1:])
    cli_common.state.only = named if named in CORE_COMMANDS else None
    for stream in (sys.stdout, sys.stderr):  # an ASCII-only terminal shows '?', not a traceback
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    bad = next((a for a in sys.argv[1:] if not _is_text(a)), None)
    if bad is not None:
        cli_common.fail(
            "an argument is not valid UTF-8 text: "
            f"{bad.encode('utf-8', 'replace').decode('utf-8')[:80]!r}"
        )
        raise SystemExit(2)
    from peerfind.cli.app import app

    try:
        app()
    except SystemExit:
        _flush_stdout()
        raise
    except OSError as exc:  # help or version text written to a full or broken stdout
        _stdout_failed(exc)
    _flush_stdout()


def _is_text(arg: str) -> bool:
    """Return True unless an argument holds bytes that were not UTF-8 (surrogate escapes)."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _flush_stdout() -> None:
    """Flush stdout now, so a full disk or a closed pipe is reported, not a traceback at exit."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        _stdout_failed(exc)


def _stdout_failed(exc: OSError) -> None:
    """Say in one line that the output could not be written and exit 74 (EX_IOERR); a closed
    pipe (`| head`) is no error and exits 0."""
    import errno
    import os

    try:  # what is still buffered can go nowhere: let the exit flush write to /dev/null
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    if exc.errno == errno.EPIPE:
        raise SystemExit(0) from None
    why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    print(f"peerfind: cannot write the output: {why}.", file=sys.stderr)
    raise SystemExit(74) from None
