"""Where an export goes: the output file (written safely, never over a file it should not
replace), stdout, the format a path asks for, and what the export wrote and left out."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from peerfind.errors import UsageError

_EXTENSIONS = {
    ".csv": "csv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".ics": "ics",
    ".ical": "ics",
}


@dataclass
class ExportStats:
    """What an export wrote and what it left out, with reasons."""

    written: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # groups not written, by reason
    omitted: Counter[str] = field(default_factory=Counter)  # parts of written groups left out

    def summary(self) -> str:
        """Return e.g. '12 groups written; skipped 2 (2 no recurring schedule)'."""
        text = f"{self.written} groups written"
        if self.skipped:
            reasons = ", ".join(f"{n} {why}" for why, n in self.skipped.most_common())
            text += f"; skipped {sum(self.skipped.values())} ({reasons})"
        if self.omitted:
            text += "; left out " + ", ".join(f"{n} {w}" for w, n in self.omitted.most_common())
        return text


def format_for_path(path: str | os.PathLike[str], *, hsds: bool = False) -> str:
    """Return the export format for a path: by extension, 'hsds' for a folder or --hsds,
    'csv' for '-' (stdout); raise UsageError for an unknown extension."""
    text = os.fspath(path)
    if hsds:
        if text == "-":
            raise UsageError("an HSDS export is a folder of files; give a folder, not '-'.")
        return "hsds"
    if text == "-":
        return "csv"
    target = Path(text)
    if text.endswith(("/", os.sep)) or (target.is_dir() and not target.is_symlink()):
        return "hsds"
    fmt = _EXTENSIONS.get(target.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(_EXTENSIONS))
        raise UsageError(
            f"cannot tell the export format of {text!r}: use one of {known}, "
            "or --hsds FOLDER for an Open Referral HSDS package."
        )
    return fmt


class SafeFile:
    """A new file written beside its target and moved into place only when complete.

    Refuses a target that is a symlink, a folder, or (without `force`) an existing file; the
    temporary file is created with O_EXCL | O_NOFOLLOW so nothing planted there is followed.
    """

    def __init__(self, target: Path, *, force: bool = False, binary: bool = False) -> None:
        """Check the target and open a temporary file next to it."""
        self.target = target
        check_target(target, force=force)
        self.tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.tmp, flags, 0o666)
        except OSError as exc:
            raise UsageError(f"cannot write in {target.parent}: {exc.strerror}.") from None
        self.stream: IO[Any] = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )

    def finish(self) -> None:
        """Flush the temporary file to disk and close it (a full disk shows here, before any
        file is moved into place)."""
        if not self.stream.closed:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()

    def commit(self) -> None:
        """Flush the temporary file to disk and move it over the target atomically."""
        self.finish()
        if self.target.is_symlink():
            self.abort()
            raise UsageError(f"{self.target} became a symbolic link while writing; not replaced.")
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        """Close and remove the temporary file, leaving the target as it was."""
        if not self.stream.closed:
            with contextlib.suppress(OSError):  # what was buffered could not be written
                self.stream.close()
        self.tmp.unlink(missing_ok=True)


def check_target(target: Path, *, force: bool) -> None:
    """Raise UsageError when `target` must not be written: symlink, folder, existing file."""
    if target.is_symlink():
        raise UsageError(f"{target} is a symbolic link; peerfind will not write through it.")
    if target.is_dir():
        raise UsageError(f"{target} is a folder; give a file name (or use --hsds for a folder).")
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; use --force to replace it.")
    if not target.parent.is_dir():
        raise UsageError(f"the folder {target.parent} does not exist.")


@contextmanager
def open_output(
    path: str | os.PathLike[str], *, force: bool = False, binary: bool = False
) -> Iterator[IO[Any]]:
    """Yield a stream for `path` ('-' = stdout); the file appears only if the block succeeds."""
    if os.fspath(path) == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        sys.stdout.flush()
        return
    safe = SafeFile(Path(path), force=force, binary=binary)
    try:
        yield safe.stream
    except BaseException:
        safe.abort()
        raise
    safe.commit()
