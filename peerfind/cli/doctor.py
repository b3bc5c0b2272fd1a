"""`peerfind doctor`: check the catalog, and rebuild a damaged one from the bundled listings."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from peerfind.cli.common import db_path, fail, handled, note


def _interactive() -> bool:
    """Return True when a person can answer a question (stdin and stderr are terminals)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _print_report(report: Any) -> None:
    """Print one line per check: ok / FAIL / skip, the check's name and what it found."""
    from peerfind.clean import terminal_safe

    print(f"Catalog {terminal_safe(str(report.path))}")
    for check in report.checks:
        mark = "skip" if check.skipped else ("ok" if check.ok else "FAIL")
        print(f"  {mark:<5} {check.name:<10} {terminal_safe(check.detail)}")


@handled
def doctor(
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="When the catalog is damaged: move it aside as "
            "<db>.damaged-<time> and rebuild it from the bundled listings.",
        ),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Rebuild without asking (needed when not on a terminal)."),
    ] = False,
) -> None:
    """Check the catalog (file, integrity, schema, full-text index, counts); repair it.

    Exit status 0 when the catalog is healthy, 1 when problems remain.

    Examples: peerfind doctor · peerfind doctor --rebuild --yes
    """
    from peerfind.catalog import doctor as dr
    from peerfind.sources import bundle

    path = db_path()
    report = dr.check_catalog(path)
    _print_report(report)
    if report.healthy:
        print("The catalog is healthy.")
        if rebuild:
            note("Nothing to rebuild.")
        return
    if not rebuild:
        note(
            f"{len(report.problems)} problem(s). `peerfind doctor --rebuild` moves the "
            "catalog aside and rebuilds it from the bundled listings."
        )
        raise typer.Exit(code=1)
    if report.locked:
        raise fail(
            "the catalog is in use by another program; close it and try again. Nothing was changed."
        )
    if not yes:
        if not _interactive():
            raise fail(
                "--rebuild replaces the catalog: add --yes to confirm when not on a "
                "terminal. Nothing was changed."
            )
        if not typer.confirm(
            f"Move {path} aside and rebuild it from the bundled listings?"
            " (listings from your own scrapes will need `peerfind scrape`)",
            default=False,
            err=True,
        ):
            raise fail("nothing was changed.")
    result = dr.rebuild(path, build=bundle.build_file)
    moved = f"moved the old file to {result.moved}; " if result.moved else ""
    print(
        f"Rebuilt {path}: {moved}{result.listings} bundled listings. "
        "Run `peerfind scrape --all` to refresh them."
    )
    after = dr.check_catalog(path)
    _print_report(after)
    if not after.healthy:
        raise fail("problems remain after the rebuild.")
    print("The catalog is healthy.")


def register(app: typer.Typer) -> None:
    """Add the doctor command to the app."""
    app.command()(doctor)
