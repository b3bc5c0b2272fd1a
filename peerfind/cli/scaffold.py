"""`peerfind new-scraper NAME`: start a scraper module, its fixture folder and its test."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peerfind.cli.common import handled, note


@handled
def new_scraper(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="The scraper's name and module name: lower-case letters, digits and "
            "_, e.g. example_center.",
        ),
    ],
    organization: Annotated[
        str,
        typer.Option(
            "--organization",
            help='Who publishes the listings, e.g. --organization "Example Community Center".',
        ),
    ] = "Example Organization",
    url: Annotated[
        str,
        typer.Option(
            "--url",
            help="The https:// page the scraper starts from, e.g. --url "
            "https://community.example.org/support-groups/.",
        ),
    ] = "",
    root: Annotated[
        Path,
        typer.Option(
            "--root",
            help="The peerfind checkout to write into (default: this folder), e.g. "
            "--root ~/src/peerfind.",
        ),
    ] = Path("."),
) -> None:
    """Write scrapers/NAME.py, tests/fixtures/NAME/ and a test that fails until parse() works.

    The module has the shape of docs/writing-a-scraper.md and is disabled until you enable it;
    the fixture folder's README.md says how to record a real response there; the test fails
    until a recorded page yields a group. A name already taken is refused.

    Examples:

      peerfind new-scraper example_center

      peerfind new-scraper example_center --organization "Example Community Center"
      --url https://community.example.org/support-groups/
    """
    from peerfind.sources import registry, scaffold

    plan = scaffold.Scaffold(
        name=scaffold.check_name(name.strip()),
        organization=scaffold.check_organization(organization),
        url=scaffold.check_url(url) if url else scaffold.PLACEHOLDER_URL,
    )
    known = set(registry.all_sources(notes=[]))
    written = scaffold.write(root, plan, known)
    for path in written:
        print(f"wrote {path}")
    note(
        f"Next: record the start page in tests/fixtures/{plan.name}/ (its README.md says how), "
        f"write parse() in scrapers/{plan.name}.py, then run\n  python -m pytest "
        f"tests/scrapers/test_scraper_{plan.name}.py tests/scrapers/test_scrapers_meta.py -q"
    )


def register(app: typer.Typer) -> None:
    """Add the new-scraper command to the app."""
    app.command(name="new-scraper")(new_scraper)
