"""The peerfind command line: a thin Typer layer over the library (search, show, tags, …)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from peerfind import __version__
from peerfind.cli_common import app, db_path, fail, handled, note, open_catalog, state

Near = Annotated[
    str | None,
    typer.Option("--near", "-n", help='Where: a ZIP code, "City, ST", a city, or "lat,lon".'),
]
Radius = Annotated[
    str, typer.Option("--radius", "-r", help="How far, e.g. 25, 10mi or 40km (max 500 mi).")
]
Units = Annotated[str, typer.Option("--units", help="Distance units: mi or km.")]
Pops = Annotated[
    list[str] | None,
    typer.Option(
        "--population", "-p", help="Who it is for (repeatable): veterans, lgbtq, youth, families, …"
    ),
]
Topics = Annotated[
    list[str] | None,
    typer.Option(
        "--topic", "-t", help="What it is about (repeatable): grief_loss, depression_bipolar, …"
    ),
]
Formats = Annotated[
    list[str] | None,
    typer.Option(
        "--format",
        "-f",
        help="in-person, online, hybrid or phone (repeatable). Online ones are "
        "listed regardless of distance.",
    ),
]
Days = Annotated[
    list[str] | None,
    typer.Option("--day", "-d", help="today, tomorrow, or mon … sun (repeatable)."),
]
Time = Annotated[
    str | None, typer.Option("--time", help="morning, afternoon, evening, night or HH:MM-HH:MM.")
]
Now = Annotated[bool, typer.Option("--now", help="In progress or starting within the hour.")]
Within = Annotated[str | None, typer.Option("--within", help="Meeting within a span, e.g. 3h.")]
Tz = Annotated[str | None, typer.Option("--tz", help="Your time zone (default: this machine's).")]
Langs = Annotated[
    list[str] | None, typer.Option("--language", "-l", help="Language code, e.g. es (repeatable).")
]
Access = Annotated[
    list[str] | None, typer.Option("--accessibility", help="wheelchair or asl (repeatable).")
]
Closed = Annotated[
    bool,
    typer.Option("--include-closed", help="Also list groups whose venue is temporarily closed."),
]
Online = Annotated[
    bool,
    typer.Option(
        "--online", help="Resolve --near with OpenStreetMap if the offline gazetteer has no match."
    ),
]
Limit = Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many results.")]


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


def _query(
    near,
    radius,
    units,
    population,
    topic,
    fmt,
    day,
    time,
    now,
    within,
    tz,
    language,
    accessibility,
    include_closed,
    online,
    limit,
    text="",
):  # type: ignore[no-untyped-def]
    """Return (Query, place or None, user time zone) built from command options."""
    from peerfind import search as s
    from peerfind import timeutil, vocab
    from peerfind.errors import UsageError

    if units not in ("mi", "km"):
        raise UsageError(f"--units {units!r}: use mi or km.")
    user_tz = timeutil.check_timezone(tz) if tz else timeutil.machine_timezone()
    current = timeutil.now(user_tz)
    q = s.Query(
        radius_mi=s.parse_radius(radius, units),
        text=(text or "").strip(),
        populations=[vocab.normalize("population", p) for p in population or []],
        topics=[vocab.normalize("topic", t) for t in topic or []],
        formats=[vocab.normalize("format", f) for f in fmt or []],
        languages=[_language(lang) for lang in language or []],
        accessibility=[vocab.normalize("accessibility", a) for a in accessibility or []],
        include_closed=include_closed,
        limit=limit,
        now=current,
        user_tz=user_tz,
    )
    for word in day or []:
        lowered = word.strip().lower()
        if lowered in ("today", "tomorrow"):
            from datetime import timedelta

            date = current.date() + timedelta(days=1 if lowered == "tomorrow" else 0)
            q.dates.append(date.isoformat())
            q.days.append((date.weekday() + 1) % 7)
        else:
            q.days.append(vocab.parse_day(word))
    if time:
        from peerfind.schedule import parse_time_window

        q.window = parse_time_window(time)
    if now or within:
        from datetime import timedelta

        q.within = timeutil.parse_span(within) if within else timedelta(hours=1)
    place = None
    if near:
        place = _resolve(near, online)
        q.lat, q.lon = place.lat, place.lon
    elif not q.text and not (set(q.formats) & {vocab.ONLINE, vocab.PHONE}):
        raise UsageError(
            'say where with --near (a ZIP code, "City, ST" or "lat,lon"), '
            "or ask for --format online."
        )
    return q, place


def _language(code: str) -> str:
    """Return a language code (ISO 639-1 such as es, or 639-3); raise UsageError otherwise."""
    import re

    from peerfind.errors import UsageError

    text = code.strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}", text):
        raise UsageError(f"--language {code!r}: use a language code such as en, es or fr.")
    return text


def _resolve(near: str, online: bool):  # type: ignore[no-untyped-def]
    """Return the Place for --near, trying the online geocoder only when asked."""
    from peerfind import gazetteer
    from peerfind.errors import UnknownPlace

    if not gazetteer.is_ready():
        gazetteer.prepare(note)
    try:
        place = gazetteer.resolve(near)
    except UnknownPlace:
        if not online:
            raise
        from peerfind.geocode import online_geocode

        place = online_geocode(near)
    if place.note:
        note(f"note: {place.note}")
    return place


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
    limit: Limit = 20,
    output: Annotated[
        str, typer.Option("--output", "-o", help="table, json, csv or ndjson.")
    ] = "table",
) -> None:
    """Find groups near a place, by who they are for, format and time.

    Examples:

      peerfind search --near "Boston, MA"

      peerfind search --near 02139 --radius 10 -p families --format in-person

      peerfind search grief --near "Atlanta, GA" --day tomorrow --time evening

      peerfind search --format online -t eating_disorders --now -o json
    """
    from peerfind import search as s

    if output not in ("table", "json", "csv", "ndjson"):
        raise fail(f"--output {output!r}: use table, json, csv or ndjson.", 2)
    q, place = _query(
        near,
        radius,
        units,
        population,
        topic,
        fmt,
        day,
        time,
        now,
        within,
        tz,
        language,
        accessibility,
        include_closed,
        online,
        limit,
        text or "",
    )
    conn = open_catalog()
    outcome = s.search(conn, q)
    if output == "table":
        _print_table(outcome, q, place, units)
    else:
        _print_machine(outcome.results, output)
    if not outcome.results:
        _explain_empty(outcome, q, units)


def _print_table(outcome, q, place, units: str) -> None:  # type: ignore[no-untyped-def]
    """Print the human result: header, table and footer."""
    from peerfind import render

    if place is not None:
        dist = render.distance_text(q.radius_mi, units).replace(".0 ", " ")
        print(
            f"Groups within {dist} of {place.label} ({place.lat:.2f}, {place.lon:.2f})"
            + (" and online" if set(q.formats) & {"online", "phone"} else "")
        )
    if outcome.results:
        print(render.table(outcome.results, units=units, current=q.now))
    print(render.footer(outcome.results))


def _print_machine(results, output: str) -> None:  # type: ignore[no-untyped-def]
    """Print results as JSON, NDJSON or CSV on stdout."""
    from peerfind import export

    export.export_rows((r.to_dict() for r in results), "-", fmt=output)


def _explain_empty(outcome, q, units: str) -> None:  # type: ignore[no-untyped-def]
    """Say on stderr why nothing matched and what to widen."""
    from peerfind import render

    hints = []
    if outcome.nearest_mi is not None:
        hints.append(
            f"the nearest matching group is {render.distance_text(outcome.nearest_mi, units)}"
            " away (raise --radius)"
        )
    if outcome.online_matches:
        hints.append(f"{outcome.online_matches} online groups match (add --format online)")
    if q.days or q.window or q.within:
        hints.append("drop --day/--time/--now to see other times")
    if q.populations or q.topics:
        hints.append("fewer -p/-t filters widen the search")
    note("No groups match." + (" " + "; ".join(hints) + "." if hints else ""))


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
    text: Annotated[str | None, typer.Option("--text", help="Free-text filter.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many rows.")] = 100_000,
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
    """
    from peerfind import export as ex
    from peerfind import search as s

    q, _ = _query(
        near,
        radius,
        units,
        population,
        topic,
        fmt,
        day,
        time,
        now,
        within,
        tz,
        language,
        accessibility,
        include_closed,
        online,
        limit,
        text or "",
    )
    outcome = s.search(open_catalog(), q)
    stats = ex.ExportStats()
    ex.export_rows(
        (r.to_dict() for r in outcome.results), path, force=force, hsds=hsds, stats=stats
    )
    note(f"Export to {path}: {stats.summary()}.")


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


@app.command()
@handled
def geocode(
    place: Annotated[str, typer.Argument(help='A ZIP code, "City, ST", a city or "lat,lon".')],
    online: Online = False,
) -> None:
    """Show how a place resolves (what --near will measure from).

    Examples: peerfind geocode 02139 · peerfind geocode "Springfield"
    """
    found = _resolve(place, online)
    print(
        f"{found.label}  ({found.lat:.4f}, {found.lon:.4f})  [{found.kind}]"
        + (f"  time zone {found.timezone}" if found.timezone else "")
    )


@app.command(name="crisis")
def crisis_lines() -> None:
    """Show crisis and help lines (988 call/text; veterans press 1; Trevor Project; …)."""
    from peerfind import crisis

    print(crisis.render())


def _register_extensions() -> None:
    """Add the commands defined in the other cli_* modules."""
    import importlib

    for name in ("cli_scrape", "cli_export", "cli_discover", "cli_doctor"):
        try:
            module = importlib.import_module(f"peerfind.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"peerfind.{name}":
                raise
            continue
        module.register(app)


_register_extensions()


def main() -> None:
    """Run the peerfind command line."""
    app()


__all__ = ["app", "db_path", "main"]

if __name__ == "__main__":
    main()
