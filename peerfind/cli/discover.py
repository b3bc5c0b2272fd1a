"""`peerfind discover URL`: find the platform a site publishes on and propose a sources entry."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from peerfind.cli.common import fail, handled, note

if TYPE_CHECKING:
    from peerfind.models import Page


@handled
def discover(
    url: Annotated[str, typer.Argument(help="A page of the organization's website.")],
    add: Annotated[
        bool, typer.Option("--add", help="Append the best proposal to the sources file.")
    ] = False,
    sources_file: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="Sources file for --add (default: sources.toml in the user "
            "folder), e.g. --sources my-feeds.toml.",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="Source name for --add (default: from the site's host), e.g. --name nami-example.",
        ),
    ] = None,
    organization: Annotated[
        str | None,
        typer.Option(
            "--organization",
            help="Who publishes the listings (default: the site's name), e.g. "
            '--organization "NAMI Example County".',
        ),
    ] = None,
) -> None:
    """Find the meeting feed or events calendar of a site and print a sources entry.

    Example: peerfind discover https://namiexample.org/support-groups/ --add
    """
    from dataclasses import replace

    from peerfind.errors import UsageError
    from peerfind.sources import discover as disc

    if not url.startswith(("http://", "https://")):
        raise UsageError(f"expected an http(s) URL, got {url!r}")
    proposals = disc.discover(fetch_page(url))
    if not proposals:
        message = (
            f"no meeting feed, events calendar, iCal feed or Event data found at {url}."
            " A plain page can still be read with the css platform (see "
            "docs/writing-a-scraper.md)."
        )
        if add:
            raise fail(message)
        note(message)
        return
    from peerfind.clean import clean_text

    best = replace(
        proposals[0],
        name=clean_text(name, limit=200) or proposals[0].name,
        organization=clean_text(organization, limit=200) or proposals[0].organization,
    )
    proposals = [best, *proposals[1:]]
    print("\n".join(p.to_toml() for p in proposals), end="")
    if add:
        from peerfind.sources.registry import default_sources_file, feed_sources, user_sources_file

        path = sources_file or user_sources_file()
        disc.append_source(path, best)
        if sources_file:
            note(
                f"Added source {best.name!r} ({best.platform}) to {path}. "
                f"Run it with: peerfind scrape {best.name} --sources {path}"
            )
            return
        if best.name in feed_sources(default_sources_file()):
            note(f"{best.name!r} replaces the bundled source of that name.")
        note(
            f"Added source {best.name!r} ({best.platform}) to {path}; `peerfind sources` "
            f"lists it. Run it with: peerfind scrape {best.name}"
        )


def fetch_page(url: str) -> Page:
    """Fetch one page politely (robots.txt, identifying User-Agent, retries) and return it."""
    import asyncio

    from peerfind.fetch.client import Fetcher

    async def one() -> Page:
        async with Fetcher() as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(one())


def register(app: typer.Typer) -> None:
    """Add the discover command to the app."""
    app.command()(discover)
