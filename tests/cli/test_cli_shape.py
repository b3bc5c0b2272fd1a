"""The command line stays a thin layer: no SQL, commands at module level, typed shared filters."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import typer.main

from peerfind.cli.app import app

PACKAGE = Path(__file__).resolve().parents[2] / "peerfind"
# the command-line modules, flat (cli.py, cli_*.py) or as the peerfind/cli/ package
CLI_FILES = sorted(
    p
    for p in [PACKAGE / "cli.py", *PACKAGE.glob("cli_*.py"), *PACKAGE.glob("cli/**/*.py")]
    if p.is_file()
)
MAIN = re.compile(r"^\s*(async\s+)?def main\(", re.M)
SQL = re.compile(r"\.execute(many)?\(|\bSELECT\b|\bINSERT\s+INTO\b|\bDELETE\s+FROM\b")


def test_cli_modules_hold_no_sql() -> None:
    found = [
        f"{path.name}:{n}"
        for path in CLI_FILES
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL.search(line)
    ]
    assert CLI_FILES and not found, f"SQL in the CLI (move it to a catalog module): {found}"


def test_every_command_is_defined_at_module_level() -> None:
    closures = []
    for command in app.registered_commands:
        func = inspect.unwrap(command.callback)
        if "<locals>" in func.__qualname__:
            closures.append(func.__qualname__)
    assert len(app.registered_commands) >= 15 and not closures, closures


def test_one_main() -> None:
    files = sorted({*CLI_FILES, *PACKAGE.glob("main.py")})
    mains = [p.name for p in files if MAIN.search(p.read_text(encoding="utf-8"))]
    assert mains == ["main.py"], f"more than one main() in the command line: {mains}"
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    script = re.search(r'^peerfind = "([\w.]+):main"', pyproject, re.M)
    assert script and script[1].endswith("main"), "[project.scripts] runs another main()"


def test_search_and_export_take_every_filter_as_options() -> None:
    from peerfind.cli.query import Filters

    click = typer.main.get_command(app)
    names = {f.name for f in Filters.__dataclass_fields__.values()}
    for command in ("search", "export"):
        params = {p.name for p in click.commands[command].params}
        assert names <= params, names - params
        assert "filters" not in params


def test_with_filters_hands_the_command_one_filters_object() -> None:
    from peerfind.cli.query import Filters, with_filters

    seen: list[Filters] = []

    def command(path: str, *, filters: object, force: bool = False) -> None:
        assert isinstance(filters, Filters)
        seen.append(filters)

    wrapped = with_filters(command)
    params = list(inspect.signature(wrapped).parameters)
    fields = list(Filters.__dataclass_fields__)
    assert params == ["path", *fields, "force"]
    wrapped(path="x", force=True, **{**dict.fromkeys(fields), "near": "02139"})
    assert isinstance(seen[0], Filters) and seen[0].near == "02139"
