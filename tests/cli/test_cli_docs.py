"""Every command and option is documented and shows an example; docs/cli.md is the tool's help.

As sqlite-utils' docs tests do: a command or option added without help, without an example or
without docs fails here, and so does a help text changed without regenerating docs/cli.md
(python docs/make_cli_reference.py).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

from peerfind.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
TYPER_OWN = {"--help", "--install-completion", "--show-completion"}  # Typer's, not ours


def _script() -> Any:
    """Load docs/make_cli_reference.py as a module."""
    path = ROOT / "docs" / "make_cli_reference.py"
    spec = importlib.util.spec_from_file_location("make_cli_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commands() -> dict[str, Any]:
    """Return {name: click command} of every peerfind command, with "" for the app itself."""
    group = typer.main.get_command(app)
    return {"": group, **group.commands}  # type: ignore[attr-defined]


def _options() -> list[tuple[str, Any]]:
    """Return (command name, option) for every option of the app and its commands."""
    return [
        (name, p)
        for name, command in _commands().items()
        for p in command.params
        if p.param_type_name == "option" and not set(p.opts) & TYPER_OWN
    ]


def _docs(*, generated: bool) -> str:
    """Return the README and docs/*.md text (with or without the generated docs/cli.md)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(
        p.read_text(encoding="utf-8") for p in pages if generated or p.name != "cli.md"
    )


def _example_lines(command: Any) -> list[str]:
    """Return the lines of a command's help from its first "Example" on."""
    text = command.help or ""
    return text[text.find("Example") :].splitlines() if "Example" in text else []


def _used(names: list[str], lines: list[str]) -> bool:
    """Return True when one of an option's names appears in one of the lines."""
    return any(
        re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", line) for n in names for line in lines
    )


OPTIONS = _options()
OPTION_IDS = [f"{name or 'peerfind'} {max(p.opts, key=len)}" for name, p in OPTIONS]


def test_the_reference_page_matches_the_tool() -> None:
    page = ROOT / "docs" / "cli.md"
    assert page.exists(), "docs/cli.md is missing: run python docs/make_cli_reference.py"
    assert _script().reference() == page.read_text(encoding="utf-8"), (
        "docs/cli.md drifted from the commands' --help: run python docs/make_cli_reference.py"
    )


def test_the_reference_page_has_every_command() -> None:
    text = _script().reference()
    for name in _commands():
        assert f"## peerfind {name}".rstrip() + "\n" in text


@pytest.mark.parametrize("name", [n for n in _commands() if n])
def test_command_is_explained_in_the_readme_or_a_guide(name: str) -> None:
    assert re.search(rf"peerfind {re.escape(name)}\b", _docs(generated=False)), (
        f"`peerfind {name}` is in no hand-written page (README.md, docs/*.md)"
    )


@pytest.mark.parametrize("name", list(_commands()))
def test_command_has_help_with_an_example(name: str) -> None:
    command = _commands()[name]
    if name:
        assert command.help and "Example" in command.help, f"peerfind {name}: no Example in help"
    for param in command.params:
        if param.param_type_name == "argument":
            assert param.help, f"peerfind {name} {param.name}: argument without help"


@pytest.mark.parametrize(("name", "option"), OPTIONS, ids=OPTION_IDS)
def test_option_has_help_with_an_example(name: str, option: Any) -> None:
    names = [*option.opts, *option.secondary_opts]
    assert option.help, f"peerfind {name} {names[0]}: no help text"
    example = "e.g." in option.help or "Example" in option.help
    assert example or _used(names, _example_lines(_commands()[name])), (
        f"peerfind {name} {names[0]}: give an example (e.g. …) in its help or its command's"
    )


@pytest.mark.parametrize(("name", "option"), OPTIONS, ids=OPTION_IDS)
def test_option_is_in_the_docs(name: str, option: Any) -> None:
    names = [*option.opts, *option.secondary_opts]
    assert _used(names, _docs(generated=True).splitlines()), (
        f"peerfind {name} {names[0]} is in no page: run python docs/make_cli_reference.py"
    )


def test_an_option_without_an_example_is_caught() -> None:
    lines = _example_lines(_commands()["search"])
    assert _used(["--near", "-n"], lines) and not _used(["--include-closed"], lines)
    assert not _used(["--near"], ["  peerfind search --nearby 02139"])
