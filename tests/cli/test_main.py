"""The console entry point registers only core commands when a core command is named."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from peerfind.cli.main import command_named


@pytest.mark.parametrize(
    "args, command",
    [
        (["search", "--near", "Boston, MA"], "search"),
        (["--db", "x.db", "show", "abc"], "show"),
        (["-v", "scrape", "--all"], "scrape"),
        (["--db", "search"], None),  # "search" is the --db value here, not a command
        (["--help"], None),
        ([], None),
    ],
)
def test_command_named(args: list[str], command: str | None) -> None:
    assert command_named(args) == command


def _peerfind(*args: str, home: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m peerfind` (the console entry point) with its own user folder."""
    env = {**os.environ, "PEERFIND_HOME": home}
    return subprocess.run(
        [sys.executable, "-m", "peerfind", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_top_level_help_lists_every_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = _peerfind("--help", home=str(tmp_path)).stdout
    for command in ("search", "show", "export", "scrape", "sources", "doctor", "update"):
        assert command in out


def test_core_and_maintainer_commands_both_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert "988" in _peerfind("crisis", home=str(tmp_path)).stdout
    result = _peerfind("sources", "-o", "json", home=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "recovery-dharma" in result.stdout
