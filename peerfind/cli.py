"""The peerfind command line: a thin Typer layer over the library (search, show, tags, …)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from peerfind import __version__
from peerfind.cli_common import app, db_path, fail, handled, note, open_catalog, state
from peerfind.cli_programs import dead_end_note
from peerfind.cli_programs import register as register_programs
from peerfind.cli_query import (
    Access,
    Closed,
    ClosedOnly,
    Days,
    Formats,
    Langs,
    Limit,
    MaxAge,
    Near,
    Now,
    Online,
    Openness,
    OpenOnly,
    Pops,
    Programs,
    Radius,
    Time,
    Topics,
    Tz,
    Units,
    Within,
    absent_tags,
    build_query,
    explain_empty,
    filters_of,
    print_machine,
    print_table,
    resolve_place,
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
            "--db", envvar="PEERFIND_DB", help="Catalog file (default: in your user data folder)."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say more.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    about: Annotated[
        bool,
        typer.Option(
            "--about", callback=_about, is_eager=True, help="Show credits and data licences."
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
def search(
    text: Annotated[
        str | None,
        typer.Argument(
            help='Free text: words, "a phrase", OR. Searches name, organization and description.'
        ),
    ] = None,
    near: Near = None,
    radius: Radius = "25",
    units: Units = "mi",
    population: Pops = None,
    topic: Topics = None,
    program: Programs = None,
    open_only: OpenOnly = False,
    closed_only: ClosedOnly = False,
    openness: Openness = None,
    fmt: Formats = None,
    day: Days = None,
    time: Time = None,
    now: Now = False,
    within: Within = None,
    tz: Tz = None,
    language: Langs = None,
    accessibility: Access = None,
    include_closed: Closed = False,
    online: Online = False,
    max_age: MaxAge = None,
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
    from peerfind import search as s

    if output not in ("table", "json", "csv", "ndjson"):
        raise fail(f"--output {output!r}: use table, json, csv or ndjson.", 2)
    q, place = build_query(**filters_of(locals()))
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
        explain_empty(outcome, q, units, absent=absent_tags(conn, q))
    if nudge and output != "table":
        note(nudge)
    if output == "table":  # never in machine output
        from peerfind.freshness import note_if_old

        note_if_old(conn)


@app.command()
@handled
def export(
    path: Annotated[
        str,
        typer.Argument(
            help="Output file: .csv, .json, .ndjson or .ics (by extension), a folder with --hsds, "
            "or - for stdout (CSV)."
        ),
    ],
    near: Near = None,
    radius: Radius = "25",
    units: Units = "mi",
    population: Pops = None,
    topic: Topics = None,
    program: Programs = None,
    open_only: OpenOnly = False,
    closed_only: ClosedOnly = False,
    openness: Openness = None,
    fmt: Formats = None,
    day: Days = None,
    time: Time = None,
    now: Now = False,
    within: Within = None,
    tz: Tz = None,
    language: Langs = None,
    accessibility: Access = None,
    include_closed: Closed = False,
    online: Online = False,
    max_age: MaxAge = None,
    text: Annotated[str | None, typer.Option("--text", help="Free-text filter.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many rows.")] = 100_000,
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
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Export matching groups (same filters as search) to CSV, JSON, NDJSON, iCalendar or HSDS.

    Examples:

      peerfind export groups.csv --near 02139 --radius 50

      peerfind export tonight.ics --near "Boston, MA" --day today

      peerfind export out/ --hsds --near "Atlanta, GA" --radius 100

      peerfind export everything.csv --all
    """
    from peerfind.export_query import export_query

    q, _ = build_query(**filters_of(locals()), anywhere=everything)
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
    output: Annotated[str, typer.Option("--output", "-o", help="text or json.")] = "text",
    ics: Annotated[
        bool, typer.Option("--ics", help="Write the group as an iCalendar file to stdout.")
    ] = False,
    tz: Tz = None,
) -> None:
    """Show everything about one group, with its source link and how old the listing is.

    Example: peerfind show 1a2b3c4d5e6f
    """
    from peerfind import catalog, render, timeutil
    from peerfind import search as s
    from peerfind.schedule import next_occurrences

    conn = open_catalog()
    group = catalog.get_group(conn, ident.strip())
    if group is None:
        raise fail(f"no group with id {ident!r}; ids are shown in the first column of search.", 2)
    user_tz = timeutil.check_timezone(tz) if tz else timeutil.machine_timezone()
    current = timeutil.now(user_tz)
    found = next_occurrences(group.schedule, current, 1, default_tz=user_tz)
    result = s.Result(group, None, found[0] if found else None, s._age_days(group, current))
    twins = [
        catalog.row_group(r)
        for r in conn.execute(
            "SELECT * FROM groups WHERE dedup_key = ? AND id != ? AND status != 'removed'",
            (catalog.dedup_key(group), group.id),
        )
    ]
    twins = [t for t in twins if s._same_place(t, group)]
    if ics:
        from peerfind import export

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
    from collections import Counter

    from peerfind import render, vocab

    conn = open_catalog()
    counts: dict[str, Counter[str]] = {
        k: Counter() for k in ("population", "topic", "format", "accessibility")
    }
    for row in conn.execute(
        "SELECT populations, topics, format, accessibility FROM groups WHERE status = 'active'"
    ):
        counts["population"].update(vocab.decode_tags(row[0]))
        counts["topic"].update(vocab.decode_tags(row[1]))
        counts["format"][row[2]] += 1
        counts["accessibility"].update(vocab.decode_tags(row[3]))
    print(render.tag_counts({k: dict(v) for k, v in counts.items()}))
    print(_evidence_counts(conn))


def _evidence_counts(conn) -> str:  # type: ignore[no-untyped-def]
    """Return how many active listings were verified, or only listed, within a year."""
    from datetime import timedelta

    from peerfind import evidence, timeutil

    today = timeutil.now(timeutil.machine_timezone()).date()
    year_ago = (today - timedelta(days=evidence.FRESH_DAYS)).isoformat()
    total, verified, fresh = conn.execute(
        f"SELECT count(*), sum({evidence.SQL_VERIFIED_SINCE}), sum({evidence.SQL_DATE} >= ?) "
        "FROM groups WHERE status = 'active'",
        (year_ago, year_ago),
    ).fetchone()
    return (
        f"\nEvidence: {verified or 0} of {total} active listings verified by their source within "
        f"a year; {fresh or 0} verified or still listed within a year (see --max-age)."
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

    from peerfind import crisis

    print(crisis.render(shutil.get_terminal_size((80, 24)).columns))


def _register_extensions() -> None:
    """Add the commands defined in the other cli_* modules."""
    import importlib

    for name in ("cli_scrape", "cli_export", "cli_discover", "cli_doctor", "cli_report"):
        try:
            module = importlib.import_module(f"peerfind.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"peerfind.{name}":
                raise
            continue
        module.register(app)


register_programs(app)
if not state.lean:
    _register_extensions()


def main() -> None:
    """Run the peerfind command line."""
    app()


__all__ = ["app", "db_path", "main"]

if __name__ == "__main__":
    main()
