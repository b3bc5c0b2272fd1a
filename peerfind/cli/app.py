"""The peerfind command line: a thin Typer layer over the library (search, show, tags, …)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from peerfind import __version__
from peerfind.cli.common import app, db_path, fail, handled, note, open_catalog, state
from peerfind.cli.programs import dead_end_note, tags_with_programs
from peerfind.cli.programs import register as register_programs
from peerfind.cli.query import (
    Filters,
    Limit,
    Online,
    Tz,
    absent_tags,
    build_query,
    explain_empty,
    print_machine,
    print_table,
    resolve_place,
    with_filters,
)


def _version(value: bool) -> None:
    """Print the version and stop."""
    if value:
        print(f"peerfind {__version__}")
        raise typer.Exit()


def _about(value: bool) -> None:
    """Print credits and data licences and stop."""
    if value:
        print(
            f"peerfind {__version__}\nLocation data from GeoNames (geonames.org), licensed CC BY "
            "4.0, and the zipcodes package (MIT).\nOnline geocoding (--online): © OpenStreetMap "
            "contributors, via Nominatim.\nBundled listings: see `peerfind sources`."
        )
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="PEERFIND_DB",
            help="Catalog file (default: in your user data folder), e.g. peerfind --db "
            "my-catalog.db search --near 02139.",
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Say more (a bug's traceback too), e.g. peerfind -v tags."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version, e.g. peerfind --version.",
        ),
    ] = False,
    about: Annotated[
        bool,
        typer.Option(
            "--about",
            callback=_about,
            is_eager=True,
            help="Show credits and data licences, e.g. peerfind --about.",
        ),
    ] = False,
) -> None:
    """Find local peer support groups, offline, from a catalog of public listings.

    If you are in crisis, call or text 988 (US) now.
    """
    state.db = db
    state.verbose = verbose


@app.command()
@handled
@with_filters
def search(
    text: Annotated[
        str | None,
        typer.Argument(
            help='Free text: words, "a phrase", OR. Searches name, organization and description.'
        ),
    ] = None,
    *,
    filters: Filters,
    limit: Limit = 20,
    output: Annotated[
        str, typer.Option("--output", "-o", help="table, json, csv or ndjson.")
    ] = "table",
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            help="One listing per block of labelled lines, for screen readers and simple "
            "terminals (also when TERM=dumb), e.g. peerfind search --near 02139 --plain.",
        ),
    ] = False,
) -> None:
    """Find groups near a place, by who they are for, format and time.

    Examples:

      peerfind search --near "Boston, MA"

      peerfind search --near 02139 --radius 10 -p families --format in-person

      peerfind search grief --near "Atlanta, GA" --day tomorrow --time evening

      peerfind search --format online -t eating_disorders --now -o json

      peerfind search --near "Seattle, WA" --max-age 12mo

      peerfind search --near "Atlanta, GA" --program aa --open -l spanish
    """
    from peerfind.search import engine as s

    if output not in ("table", "json", "csv", "ndjson"):
        raise fail(f"--output {output!r}: use table, json, csv or ndjson.", 2)
    q, place = build_query(filters, text=text, limit=limit)
    units = filters.units
    conn = open_catalog()
    outcome = s.search(conn, q)
    nudge = dead_end_note(outcome, q, place, units)
    if output == "table":
        plain = plain or os.environ.get("TERM", "") == "dumb"
        print_table(outcome, q, place, units, extra=nudge, plain=plain, conn=conn)
    else:
        print_machine(outcome.results, output, conn, q)
    if outcome.zoneless_left_out:
        n = outcome.zoneless_left_out
        note(
            f"note: {n} listing{'s' if n != 1 else ''} with no time zone "
            f"{'were' if n != 1 else 'was'} left out of --now/--within (when they meet is unknown)."
        )
    if not outcome.results:
        served = tags_with_programs(q) if nudge else []
        explain_empty(outcome, q, units, absent=absent_tags(conn, q), served=served)
    if nudge and output != "table":
        note(nudge)
    if output == "table":  # never in machine output
        from peerfind.catalog.freshness import note_if_old

        note_if_old(conn)


@app.command()
@handled
@with_filters
def export(
    path: Annotated[
        str,
        typer.Argument(
            help="Output file: .csv, .json, .ndjson or .ics (by extension), a folder with --hsds, "
            "or - for stdout (CSV)."
        ),
    ],
    *,
    filters: Filters,
    text: Annotated[
        str | None, typer.Option("--text", help="Free-text filter, e.g. --text grief.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="At most this many rows, e.g. --limit 500.")
    ] = 100_000,
    everything: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every listing in the catalog that the filters match, wherever it is "
            "(no --near needed), in catalog order.",
        ),
    ] = False,
    hsds: Annotated[
        bool,
        typer.Option(
            "--hsds", help="Write an Open Referral HSDS 3.0 data package into the folder PATH."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace an existing file, e.g. export groups.csv --all --force."
        ),
    ] = False,
) -> None:
    """Export matching groups (same filters as search) to CSV, JSON, NDJSON, iCalendar or HSDS.

    Examples:

      peerfind export groups.csv --near 02139 --radius 50

      peerfind export tonight.ics --near "Boston, MA" --day today

      peerfind export out/ --hsds --near "Atlanta, GA" --radius 100

      peerfind export everything.csv --all
    """
    from peerfind.export.query import export_query

    q, _ = build_query(filters, text=text, limit=limit, anywhere=everything)
    report = export_query(open_catalog(), q, path, everything=everything, force=force, hsds=hsds)
    more = ""
    if report.limit_reached:
        more = f" Stopped at --limit {limit}: raise it for more."
    elif report.capped:
        more = " More listings match than were examined: narrow the filters."
    note(f"Export to {path}: {report.stats.summary()}.{more}")


@app.command()
@handled
def show(
    ident: Annotated[str, typer.Argument(metavar="ID", help="A group id from search results.")],
    output: Annotated[
        str, typer.Option("--output", "-o", help="text or json, e.g. -o json.")
    ] = "text",
    ics: Annotated[
        bool,
        typer.Option(
            "--ics",
            help="Write the group as an iCalendar file to stdout, e.g. peerfind show ID --ics "
            "> group.ics.",
        ),
    ] = False,
    tz: Tz = None,
) -> None:
    """Show everything about one group, with its source link and how old the listing is.

    Example: peerfind show 1a2b3c4d5e6f
    """
    from peerfind.catalog import db as catalog
    from peerfind.catalog.queries import same_dedup_key
    from peerfind.cli import render
    from peerfind.schedule import clock as timeutil
    from peerfind.schedule.recurrence import next_occurrences
    from peerfind.search import query as s

    conn = open_catalog()
    group = catalog.get_group(conn, ident.strip())
    if group is None:
        raise fail(f"no group with id {ident!r}; ids are shown in the first column of search.", 2)
    user_tz = timeutil.check_timezone(tz) if tz else timeutil.machine_timezone()
    current = timeutil.now(user_tz)
    found = next_occurrences(group.schedule, current, 1, default_tz=user_tz)
    result = s.Result(group, None, found[0] if found else None, s.age_days(group, current))
    twins = [t for t in same_dedup_key(conn, group) if s.same_place(t, group)]
    if ics:
        from peerfind.export import common as export

        export.export_rows([result.to_dict()], "-", fmt="ics")
    elif output == "json":
        data = result.to_dict()
        data["also_from"] = [
            {"source": t.source, "source_url": t.source_url, "id": t.id} for t in twins
        ]
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(render.group_detail(group, result=result, current=current, also=twins))


@app.command()
@handled
def tags() -> None:
    """List the populations, topics, formats and accessibility terms, with counts in the catalog.

    Example: peerfind tags
    """
    from peerfind.catalog.queries import tag_counts
    from peerfind.cli import render

    conn = open_catalog()
    print(render.tag_counts(tag_counts(conn)))
    print(_evidence_counts(conn))


def _evidence_counts(conn: sqlite3.Connection) -> str:
    """Return how many active listings were verified, or only listed, within a year."""
    from datetime import timedelta

    from peerfind import evidence
    from peerfind.catalog.queries import evidence_counts
    from peerfind.schedule import clock as timeutil

    today = timeutil.now(timeutil.machine_timezone()).date()
    year_ago = (today - timedelta(days=evidence.FRESH_DAYS)).isoformat()
    found = evidence_counts(conn, year_ago)
    return (
        f"\nEvidence: {found.verified} of {found.total} active listings verified by their source "
        f"within a year; {found.fresh} verified or still listed within a year (see --max-age)."
    )


@app.command()
@handled
def geocode(
    place: Annotated[str, typer.Argument(help='A ZIP code, "City, ST", a city or "lat,lon".')],
    online: Online = False,
) -> None:
    """Show how a place resolves (what --near will measure from).

    Examples: peerfind geocode 02139 · peerfind geocode "Springfield"
    """
    found = resolve_place(place, online)
    print(
        f"{found.label}  ({found.lat:.4f}, {found.lon:.4f})  [{found.kind}]"
        + (f"  time zone {found.timezone}" if found.timezone else "")
    )


@app.command(name="crisis")
def crisis_lines() -> None:
    """Show crisis and help lines (988 call/text; veterans press 1; en español press 2; 211; …).

    Example: peerfind crisis
    """
    import shutil

    from peerfind.cli import crisis

    print(crisis.render(shutil.get_terminal_size((80, 24)).columns))


def _register_extensions() -> None:
    """Add the commands defined in the other peerfind.cli modules."""
    import importlib

    for name in (
        "cli.scrape",
        "cli.publishing",
        "cli.discover",
        "cli.doctor",
        "cli.report",
        "cli.scaffold",
    ):
        try:
            module = importlib.import_module(f"peerfind.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"peerfind.{name}":
                raise
            continue
        module.register(app)


def _keep_only(name: str) -> None:
    """Unregister every command but `name` (a run that names it needs no other)."""
    from typer.main import get_command_name  # how Typer names a command from its function

    app.registered_commands[:] = [
        info
        for info in app.registered_commands
        if (info.name or get_command_name(getattr(info.callback, "__name__", ""))) == name
    ]


register_programs(app)
if state.only is None:
    _register_extensions()
else:
    _keep_only(state.only)


__all__ = ["app", "db_path"]  # the one entry point is peerfind.cli.main.main
