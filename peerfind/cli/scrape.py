"""`peerfind scrape` (refresh listings from their sources) and `peerfind sources` (list them)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from peerfind.clean import terminal_safe
from peerfind.cli.common import handled, note, open_catalog

Names = Annotated[
    list[str] | None,
    typer.Argument(help="Sources to refresh (see `peerfind sources`).", show_default=False),
]
SourcesFile = Annotated[
    Path | None,
    typer.Option(
        "--sources",
        help="A sources file (TOML, [[source]] tables) instead of the bundled list and "
        "your own sources.toml, e.g. --sources my-feeds.toml.",
    ),
]


@handled
def scrape(
    names: Names = None,
    run_all: Annotated[
        bool, typer.Option("--all", help="Every enabled source (of --sources FILE when given).")
    ] = False,
    sources_file: SourcesFile = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform", help="Run this platform parser (e.g. meeting-guide, tsml-csv) on --url."
        ),
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Feed URL for --platform.")] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Source name for --platform listings (e.g. my-intergroup)."),
    ] = None,
    program: Annotated[
        str | None,
        typer.Option("--program", help="Fellowship of an ad hoc feed: aa, al-anon, na, eda, …"),
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--timezone", help="IANA zone for ad hoc listings without one.")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="State/region for ad hoc listings without one (e.g. MA)."),
    ] = None,
    country: Annotated[str | None, typer.Option("--country", help="e.g. US")] = None,
    organization: Annotated[
        str | None,
        typer.Option(
            "--organization",
            help='Who publishes the ad hoc feed, e.g. --organization "Example Intergroup".',
        ),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            help="Parser option KEY=VALUE for --platform (repeatable), e.g. "
            "all_events=true or block=div.group.",
        ),
    ] = None,
    delay: Annotated[
        float,
        typer.Option(
            "--delay", min=0.0, help="Seconds between requests to one host, e.g. --delay 2."
        ),
    ] = 1.0,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            help="HTTP cache folder (default: http-cache in the user folder), e.g. "
            "--cache /tmp/peerfind-http.",
        ),
    ] = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency", min=1, max=200, help="Sources fetched at once, e.g. --concurrency 4."
        ),
    ] = 32,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Fetch and parse, write nothing to the catalog, e.g. "
            "peerfind scrape --all --dry-run.",
        ),
    ] = False,
) -> None:
    """Refresh listings from their sources, politely; a broken source keeps its old listings.

    Examples:

      peerfind scrape --all

      peerfind scrape recovery-dharma nami_affiliates

      peerfind scrape --platform meeting-guide --url https://example.org/feed.json
      --name my-intergroup --program aa --timezone America/Chicago
    """
    from peerfind.sources.registry import parse_options

    chosen = _choose(
        names or [],
        run_all,
        sources_file,
        platform,
        url,
        name,
        {
            "program": program,
            "timezone": tz,
            "region": region,
            "country": country,
            "organization": organization,
            "options": parse_options(option or []),
        },
    )
    if not chosen:
        note("No enabled sources to refresh.")
        return
    conn = None if dry_run else open_catalog(write=True)
    try:
        runs = _run(chosen, delay=delay, cache=cache, concurrency=concurrency, conn=conn)
    finally:
        if conn is not None:
            conn.close()
    _report(runs, dry_run)
    if any(r.status in ("failed", "suspicious") for r in runs):
        raise typer.Exit(code=1)  # so cron and CI notice; previous listings were kept


@handled
def sources(
    output: Annotated[str, typer.Option("--output", "-o", help="table or json.")] = "table",
    sources_file: SourcesFile = None,
) -> None:
    """List every source: origin, last run, status, listing count and age of its data.

    Examples: peerfind sources · peerfind sources -o json
    """
    from peerfind.errors import UsageError

    if output not in ("table", "json"):
        raise UsageError(f"unknown output {output!r}; use table or json")
    rows = _source_rows(sources_file)
    if output == "json":
        import json

        print(json.dumps(rows, indent=2))
    else:
        _print_sources(rows)


def _choose(
    names: list[str],
    run_all: bool,
    sources_file: Path | None,
    platform: str | None,
    url: str | None,
    name: str | None,
    extra: dict[str, Any],
) -> list[Any]:
    """Return the Sources a scrape command asks for; raise UsageError when the ask is unclear."""
    from peerfind.errors import UsageError
    from peerfind.sources import registry

    adhoc = [platform, url, name]
    chosen = []
    if any(adhoc):
        if not all(adhoc):
            raise UsageError(
                "--platform, --url and --name go together, e.g. --platform "
                "meeting-guide --url https://…/feed.json --name my-intergroup"
            )
        chosen.append(registry.adhoc_source(str(platform), str(url), str(name), **extra))
    elif any(extra.values()):
        raise UsageError(
            "--program, --timezone, --region, --country, --organization and "
            "--option apply to an ad hoc --platform/--url/--name run"
        )
    if names or run_all:
        notes: list[str] = []
        chosen += registry.select(names, run_all=run_all, sources_file=sources_file, notes=notes)
        for line in notes:
            note(line)
    elif not chosen:
        raise UsageError(
            "name the sources to refresh, or use --all, or --platform P --url U "
            "--name N (see `peerfind sources`)"
        )
    unique: dict[str, Any] = {}
    for source in chosen:  # the first of each name
        unique.setdefault(source.name, source)
    return list(unique.values())


def plain_console(console_class: Any, **options: Any) -> Any:
    """Return a rich Console that writes no escape codes at all (no colour, no bold) when
    NO_COLOR is set or TERM is dumb."""
    import os

    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        options.update(color_system=None, no_color=True)
    return console_class(**options)


class _Display:
    """Progress on stderr: a rich bar on a terminal, one quiet line per source otherwise."""

    def __init__(self, total: int) -> None:
        """Start the display for `total` sources."""
        self.total, self.pages, self.finished = total, 0, 0
        self.progress: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=plain_console(Console, stderr=True),
            )
            self.task = self.progress.add_task("scraping", total=total)
            self.progress.start()

    def page(self, source: str, url: str) -> None:
        """Count a fetched page."""
        self.pages += 1
        if self.progress is not None:
            self.progress.update(
                self.task,
                description=terminal_safe(f"scraping: {self.pages} pages, last from {source}"),
            )

    def done(self, run: Any) -> None:
        """Show that one source finished."""
        self.finished += 1
        res = run.result
        counts = (
            f"+{res.added} ~{res.updated} ={res.unchanged} -{res.removed}"
            if res is not None and run.status != "failed"
            else f"{len(run.groups)} listings"
        )
        line = terminal_safe(
            f"{run.name}: {run.status}, {counts}, {run.pages} page(s), "
            f"{run.seconds:.1f} s" + (f" — {run.fatal}" if run.fatal else "")
        )
        if self.progress is not None:
            self.progress.console.print(line, markup=False, highlight=False)
            self.progress.advance(self.task)
        else:
            print(f"scrape [{self.finished}/{self.total}] {line}", file=sys.stderr)

    def close(self) -> None:
        """Stop the bar."""
        if self.progress is not None:
            self.progress.stop()


def _run(
    chosen: list[Any], *, delay: float, cache: Path | None, concurrency: int, conn: Any
) -> list[Any]:
    """Fetch, parse and (unless conn is None) store every chosen source; return the runs."""
    import asyncio

    from peerfind.fetch.client import Fetcher
    from peerfind.paths import user_dir
    from peerfind.sources import runner

    display = _Display(len(chosen))

    def done(run: runner.SourceRun) -> None:
        if conn is not None:
            try:
                runner.store(conn, run)
            except Exception as exc:  # storing one source must not stop the others
                if conn.in_transaction:
                    conn.rollback()
                run.fatal = f"catalog: {_store_error(conn, exc)}"
        display.done(run)

    async def fetch_all() -> list[runner.SourceRun]:
        async with Fetcher(delay=delay, cache_dir=cache or user_dir() / "http-cache") as fetcher:
            return await runner.run_sources(
                chosen, fetcher, on_done=done, on_page=display.page, concurrency=concurrency
            )

    try:
        return asyncio.run(fetch_all())
    finally:
        display.close()


def _store_error(conn: Any, exc: Exception) -> str:
    """Return the one-line reason storing a source failed (an SQLite error said plainly)."""
    import sqlite3

    from peerfind.catalog import db as catalog
    from peerfind.sources import runner

    if isinstance(exc, sqlite3.DatabaseError):
        return catalog.describe_error(Path(catalog.db_file(conn)), exc)
    return runner.unexpected(exc)


def _report(runs: list[Any], dry_run: bool) -> None:
    """Print the per-source report table on stdout and the details (skips, errors) below it."""
    from rich.console import Console
    from rich.table import Table

    from peerfind.clean import terminal_safe

    console = plain_console(Console, file=sys.stdout, width=None if sys.stdout.isatty() else 110)
    table = Table(title="dry run: nothing written" if dry_run else None)
    heads = ["Listings"] if dry_run else ["Added", "Updated", "Unchanged", "Removed"]
    for head in ["Source", "Status", *heads, "Skipped", "Errors", "Pages", "Time"]:
        table.add_column(head, justify="left" if head in ("Source", "Status") else "right")
    notes: list[str] = []
    for run in runs:
        res = run.result
        if dry_run:
            counts = [str(len(run.groups))]
        elif res is not None and run.status != "failed":
            counts = [str(res.added), str(res.updated), str(res.unchanged), str(res.removed)]
        else:
            counts = ["-"] * 4
        table.add_row(
            terminal_safe(run.name),
            run.status,
            *counts,
            str(run.skipped),
            str(len(run.errors)),
            str(run.pages),
            f"{run.seconds:.1f}s",
        )
        notes += _notes(run)
    console.print(table)
    for line in notes:
        console.print(terminal_safe(line), markup=False, highlight=False, soft_wrap=True)


def _notes(run: Any) -> list[str]:
    """Return the detail lines of one source's report."""
    out = []
    if run.skipped:
        out.append(f"{run.name}: skipped {run.report.summary().split('skipped ', 1)[-1]}")
    if run.report.flagged:
        out.append(f"{run.name}: kept but check: {run.report.flags()}")
    if run.fallback:
        out.append(f"{run.name}: fell back: {run.fallback}")
    if run.fatal:
        out.append(f"{run.name}: FAILED: {run.fatal} (previous listings kept)")
    elif run.result is not None and run.result.status == "suspicious":
        out.append(f"{run.name}: SUSPICIOUS: {run.result.message}")
    elif run.errors:
        out.append(f"{run.name}: partial: {len(run.errors)} page(s) failed; nothing marked removed")
    out += [f"{run.name}:   {e}" for e in run.errors[:3] if e != run.fatal]
    if run.dropped_links:
        out.append(f"{run.name}: {run.dropped_links} link(s) over the page cap not followed")
    if run.not_modified:
        out.append(f"{run.name}: {run.not_modified} page(s) unchanged since last time (HTTP 304)")
    if run.geocoded or run.zoned:
        out.append(f"{run.name}: placed {run.geocoded} by gazetteer, zoned {run.zoned}")
    for why, count in sorted(getattr(run, "zone_corrections", {}).items()):
        out.append(f"{run.name}: {count} listing(s): {why}")
    return out


def _source_rows(sources_file: Path | None) -> list[dict[str, Any]]:
    """Return one dict per source known to the registry, the bundle or the catalog's runs."""
    from datetime import date, timedelta

    from peerfind.errors import CatalogError
    from peerfind.sources import registry

    rows: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for src in registry.all_sources(sources_file, notes=notes).values():
        cfg = src.config
        rows[cfg.name] = {
            "name": cfg.name,
            "origin": cfg.origin,
            "platform": src.kind,
            "url": cfg.url,
            "enabled": cfg.enabled,
            "record": cfg.record,
        }
    for line in notes:
        note(line)
    try:
        conn = open_catalog()
    except CatalogError as exc:
        note(f"({exc}; showing sources without catalog figures)")
        conn = None
    from peerfind.schedule import clock as timeutil

    today = timeutil.now("UTC").date()  # PEERFIND_NOW pins it, as for search
    platforms = _bundled_platforms()
    if conn is not None:
        from peerfind.catalog import queries as cq

        year_ago = (today - timedelta(days=365)).isoformat()
        with conn:
            bundled, runs = cq.bundled_sources(conn), cq.last_runs(conn)
            figures = cq.source_figures(conn, year_ago)
        for name, (recorded, provenance) in bundled.items():
            row = rows.setdefault(
                name, {"name": name, "origin": "", "platform": "", "url": "", "enabled": False}
            )
            bundled_origin = f"bundled (recorded {recorded})"
            row["origin"] = (
                f"{row['origin']}; {bundled_origin}" if row["origin"] else bundled_origin
            )
            row["provenance"] = provenance
            row["platform"] = row["platform"] or platforms.get(name, "")
        for source, (started, status) in runs.items():
            row = rows.setdefault(
                source,
                {
                    "name": source,
                    "origin": "catalog (ad hoc run)",
                    "platform": "",
                    "url": "",
                    "enabled": False,
                },
            )
            row.update(last_run=started, status=status)
        for source, fig in figures.items():
            if source in rows:
                rows[source]["listings"] = fig.listings
                rows[source]["verified_within_year"] = fig.verified
                rows[source]["last_confirmed"] = fig.last_seen
                if fig.last_seen:
                    rows[source]["age_days"] = (today - date.fromisoformat(fig.last_seen[:10])).days
        conn.close()
    for row in rows.values():
        for key in ("last_run", "status", "last_confirmed", "age_days", "provenance"):
            row.setdefault(key, None)
        row.setdefault("listings", 0)
        row.setdefault("verified_within_year", 0)
        row.setdefault("record", "")
    return sorted(rows.values(), key=lambda r: r["name"])


def _bundled_platforms() -> dict[str, str]:
    """Return {name: platform} of the bundled feeds (empty when the list is unreadable)."""
    try:
        from peerfind.sources.bundle import bundled_feeds

        return {f["name"]: f.get("platform", "") for f in bundled_feeds()}
    except (OSError, KeyError, ValueError):
        return {}


def _age(days: int | None) -> str:
    """Return an age in days as '3 d', '5 mo' or '2.1 y'."""
    if days is None:
        return "-"
    if days < 60:
        return f"{days} d"
    if days < 730:
        return f"{days // 30} mo"
    return f"{days / 365:.1f} y"


def _origin_label(origin: str) -> str:
    """Return a short table label for a source's origin (the JSON output keeps the full one)."""
    from peerfind.sources.registry import user_sources_file

    parts = []
    for part in origin.split("; "):
        if part == "data/sources.toml":
            part = "list"
        elif part == str(user_sources_file()):
            part = "user list"
        elif part.startswith("bundled (recorded "):
            part = "recorded " + part.removeprefix("bundled (recorded ").rstrip(")")
        elif part.startswith("scrapers."):
            part = "built-in"
        elif part.endswith(".toml"):  # a --sources file: its name, not a long path
            part = Path(part).name
        parts.append(part)
    return "; ".join(parts)


def _print_sources(rows: list[dict[str, Any]]) -> None:
    """Print the sources table: one line per source at 80 columns, names never broken."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from peerfind.clean import terminal_safe

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    longest = max((len(r["name"]) for r in rows), default=6)
    table.add_column("Source", no_wrap=True, min_width=min(longest, 40), overflow="fold")
    table.add_column("Origin", ratio=1, overflow="fold")
    table.add_column("Platform", no_wrap=True)
    table.add_column("Last run", overflow="fold")
    # Verified (by the source, within a year): shown when any listing is, to keep 80 columns
    verified = any(r["verified_within_year"] for r in rows)
    for head in ("Listings", "Verified", "Age") if verified else ("Listings", "Age"):
        table.add_column(head, justify="right", no_wrap=True)
    for r in rows:
        if r["status"] == "bundled":  # the catalog's own build, not a scrape
            last = "bundled"
        elif r["status"]:
            last = f"{r['status']} {(r['last_run'] or '')[:16].replace('T', ' ')}".strip()
        else:
            last = "disabled" if not r["enabled"] else "never run"
        table.add_row(
            terminal_safe(r["name"]),
            terminal_safe(_origin_label(r["origin"])),
            r["platform"],
            terminal_safe(last),
            str(r["listings"]),
            *([str(r["verified_within_year"])] if verified else []),
            _age(r["age_days"]),
        )
    wide = sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit()
    plain_console(Console, file=sys.stdout, width=None if wide else 140).print(table)


def register(app: typer.Typer) -> None:
    """Add the scrape and sources commands to the app."""
    app.command()(scrape)
    app.command()(sources)
