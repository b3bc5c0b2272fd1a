"""What every peerfind command shares: the Typer app, global options, catalog access, errors."""

from __future__ import annotations

import functools
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from peerfind.errors import PeerfindError

app = typer.Typer(
    name="peerfind",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Find local peer support groups, offline, from a catalog of public listings.\n\n"
    "If you are in crisis, call or text 988 (US) now.",
)


class State:
    """Global options set by the app callback."""

    db: Path | None = None
    verbose: bool = False
    only: str | None = None  # set by peerfind.cli.main: the one core command to register


state = State()

F = TypeVar("F", bound=Callable[..., Any])


def note(message: str) -> None:
    """Print a note for the user on stderr (stdout stays machine-readable)."""
    print(message, file=sys.stderr)


MAX_MESSAGE = 1_000  # characters of an error message (a 100 kB argument is not echoed whole)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print 'peerfind: message' on stderr and return the Exit to raise.

    The message may quote what the user typed: escapes and control characters are removed and
    it is cut to MAX_MESSAGE characters.
    """
    from peerfind.clean import terminal_safe

    text = terminal_safe(message)
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    print(f"peerfind: {text}", file=sys.stderr)
    return typer.Exit(code=code)


def os_error(exc: OSError) -> str:
    """Return one line saying what an operating-system error means for the user."""
    import errno

    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"the disk is full{where}; free some space and try again."
    if exc.errno == errno.ENAMETOOLONG:
        return f"the file name is too long{where}."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"permission denied{where}: choose a folder you can write to."
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return (
            f"a file is in the way{where}: a folder was expected there (check "
            "PEERFIND_HOME and --db)."
        )
    return f"{exc.strerror or exc}{where}."


def handled(func: F) -> F:
    """Wrap a command so PeerfindError and SQLite errors become one line and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PeerfindError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except sqlite3.DatabaseError as exc:
            from peerfind.catalog.db import describe_error

            raise fail(describe_error(db_path(), exc)) from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(code=0) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except OSError as exc:  # the file system said no: a full disk, a bad name or folder
            raise fail(os_error(exc)) from None
        except UnicodeError:  # text that is not UTF-8 (an argument, a file, a variable)
            raise fail(
                "input that is not valid UTF-8 text (an argument, a file or a "
                "variable); check what was typed.",
                2,
            ) from None
        except Exception as exc:  # a bug: say so in one line; --verbose shows the traceback
            if state.verbose:
                raise
            raise fail(
                f"unexpected error: {type(exc).__name__}: {exc} "
                "(run with --verbose for details and please report it)",
                70,
            ) from None

    return wrapper  # type: ignore[return-value]


def db_path() -> Path:
    """Return the catalog path chosen by --db, PEERFIND_DB or the default."""
    if state.db is not None:
        return state.db
    from peerfind.paths import default_db_path

    return default_db_path()


def open_catalog(*, write: bool = False) -> sqlite3.Connection:
    """Open the catalog; on first use of the default path, build it from the bundled feeds."""
    from peerfind.catalog import db as catalog
    from peerfind.paths import default_db_path

    path = db_path()
    if not path.exists() and state.db is None and path == default_db_path():
        from peerfind.sources import bundle

        note("Preparing the bundled catalog (first run)…")
        path.parent.mkdir(parents=True, exist_ok=True)
        bundle.build_file(path)
    return catalog.connect(path, create=write)
