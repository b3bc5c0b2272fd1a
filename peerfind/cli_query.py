"""Options and helpers shared by `search` and `export`: building a Query, resolving --near."""

from __future__ import annotations

from typing import Annotated

import typer

from peerfind.cli_common import note

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
    list[str] | None,
    typer.Option(
        "--language",
        "-l",
        help="Language, by code or name, e.g. -l es, -l spanish or -l español (repeatable).",
    ),
]
Programs = Annotated[
    list[str] | None,
    typer.Option(
        "--program",
        help="Fellowship or program (repeatable), e.g. --program aa, --program al-anon, "
        "--program na, --program eda.",
    ),
]
Openness = Annotated[
    str | None,
    typer.Option(
        "--openness",
        help="open (anyone may attend) or closed (members only), as the source marks it, "
        "e.g. --openness open. Same as --open / --closed.",
    ),
]
OpenOnly = Annotated[
    bool, typer.Option("--open", help="Only open meetings, e.g. --near 02139 --open.")
]
ClosedOnly = Annotated[
    bool, typer.Option("--closed", help="Only closed meetings, e.g. --near 02139 --closed.")
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
        "--online",
        help="If the offline gazetteer does not know the --near place, send that place text "
        "(nothing else) to OpenStreetMap's Nominatim (nominatim.openstreetmap.org) to look it "
        "up. Answers are cached on this machine unless PEERFIND_GEOCODE_CACHE=off; `peerfind "
        "forget` deletes them. Example: --near \"1120 SW 5th Ave, Portland, OR\" --online",
    ),
]
MaxAge = Annotated[
    str | None,
    typer.Option(
        "--max-age",
        help="Only listings with recent evidence: verified by their source, or still listed by "
        "it, within this span, e.g. 6mo, 12mo or 2y (--max-age 12mo).",
    ),
]
Limit = Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many results.")]


FILTERS = (
    "near",
    "radius",
    "units",
    "population",
    "topic",
    "fmt",
    "day",
    "time",
    "now",
    "within",
    "tz",
    "language",
    "accessibility",
    "include_closed",
    "online",
    "limit",
    "text",
    "max_age",
    "program",
    "openness",
    "open_only",
    "closed_only",
)


def filters_of(options: dict[str, object]) -> dict[str, object]:
    """Return the search filters among a command's options (pass it the command's locals())."""
    return {k: v for k, v in options.items() if k in FILTERS}


def build_query(
    *,
    near: str | None,
    radius: str,
    units: str,
    population: list[str] | None,
    topic: list[str] | None,
    fmt: list[str] | None,
    day: list[str] | None,
    time: str | None,
    now: bool,
    within: str | None,
    tz: str | None,
    language: list[str] | None,
    accessibility: list[str] | None,
    include_closed: bool,
    online: bool,
    limit: int,
    text: str | None = "",
    max_age: str | None = None,
    anywhere: bool = False,
    program: list[str] | None = None,
    openness: str | None = None,
    open_only: bool = False,
    closed_only: bool = False,
):  # type: ignore[no-untyped-def]
    """Return (Query, place or None) built from the search options of a command
    (`anywhere`: no place needed, as for `export --all`)."""
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
        programs=[program_code(p) for p in program or []],
        openness=openness_of(openness, open_only, closed_only),
        formats=[vocab.normalize("format", f) for f in fmt or []],
        languages=[language_code(lang) for lang in language or []],
        accessibility=[vocab.normalize("accessibility", a) for a in accessibility or []],
        include_closed=include_closed,
        max_age_days=max_age_days(max_age),
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
        place = resolve_place(near, online)
        q.lat, q.lon = place.lat, place.lon
    elif not anywhere and not q.text and not (set(q.formats) & {vocab.ONLINE, vocab.PHONE}):
        raise UsageError(
            'say where with --near (a ZIP code, "City, ST" or "lat,lon"), '
            "or ask for --format online."
        )
    return q, place


def max_age_days(text: str | None) -> int | None:
    """Return --max-age in days (None when not given); raise UsageError when unreadable."""
    if text is None:
        return None
    from peerfind.errors import UsageError
    from peerfind.evidence import parse_max_age

    try:
        return parse_max_age(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def language_code(code: str) -> str:
    """Return a language code (ISO 639-1 such as es, or 639-3) for a code or a language's name
    in English or in the language itself ("spanish", "español"); raise UsageError otherwise."""
    import re
    import unicodedata

    from peerfind.errors import UsageError
    from peerfind.language_names import NAMES

    text = " ".join(code.strip().lower().split())
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    found = NAMES.get(text) or NAMES.get(plain)
    if found:
        return found
    if not re.fullmatch(r"[a-z]{2,3}", text):
        raise UsageError(
            f"--language {code!r}: use a language code or name such as es, spanish or español."
        )
    return text


def program_code(word: str) -> str:
    """Return the program code for --program ("AA", "Al-Anon", "alanon" -> aa, al-anon)."""
    from peerfind import fellowships

    return fellowships.normalize(word)


def openness_of(openness: str | None, open_only: bool, closed_only: bool) -> str:
    """Return "open", "closed" or "" from --openness / --open / --closed; raise on a conflict."""
    from peerfind.errors import UsageError

    wanted = {w for w, on in (("open", open_only), ("closed", closed_only)) if on}
    if openness:
        word = openness.strip().lower()
        if word not in ("open", "closed"):
            raise UsageError(f"--openness {openness!r}: use open or closed.")
        wanted.add(word)
    if len(wanted) > 1:
        raise UsageError("ask for --open or --closed, not both.")
    return wanted.pop() if wanted else ""


def resolve_place(near: str, online: bool):  # type: ignore[no-untyped-def]
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
        from peerfind.geocode import DEFAULT_DOMAIN, online_geocode

        note(f"Looking up the place text online at {DEFAULT_DOMAIN} (OpenStreetMap's Nominatim).")
        place = online_geocode(near)
    if place.note:
        note(f"note: {place.note}")
    return place


def print_table(  # type: ignore[no-untyped-def]
    outcome, q, place, units: str, extra: str | None = None, plain: bool = False, conn=None
) -> None:
    """Print the human result: header, table (or plain blocks), `extra` (the national
    programs) and footer."""
    import shutil

    from peerfind import render

    width = shutil.get_terminal_size((120, 24)).columns
    if place is not None:
        dist = render.distance_text(q.radius_mi, units).replace(".0 ", " ")
        print(
            f"Groups within {dist} of {place.label} ({place.lat:.2f}, {place.lon:.2f})"
            + (" and online" if set(q.formats) & {"online", "phone"} else "")
        )
    if outcome.results:
        if plain:
            print(render.plain(outcome.results, units=units, current=q.now) + "\n")
        else:
            print(render.table(outcome.results, units=units, current=q.now, width=width))
    if extra:
        print(extra)
    total, exact = None, True
    if conn is not None and len(outcome.results) >= q.limit:
        from peerfind.search_total import total as count_total

        total, exact = count_total(conn, q)
    print(
        render.footer(
            outcome.results, width=width, shown=len(outcome.results), total=total, exact=exact
        )
    )


def print_machine(results, output: str, conn, q) -> None:  # type: ignore[no-untyped-def]
    """Print results as JSON, NDJSON or CSV (read from the catalog `conn`) on stdout."""
    from peerfind import export

    if output == "csv":
        from peerfind.export_query import write_results_csv

        with export.open_output("-") as out:
            write_results_csv(conn, q, results, out)
        return
    export.export_rows((r.to_dict() for r in results), "-", fmt=output)


def absent_tags(conn, q) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the asked populations/topics that no listing in the catalog carries at all."""
    from peerfind import catalog

    asked = [("populations", t) for t in q.populations] + [("topics", t) for t in q.topics]
    return [term for column, term in asked if not catalog.has_tag(conn, column, term)]


def explain_empty(outcome, q, units: str, absent: list[str] | None = None) -> None:  # type: ignore[no-untyped-def]
    """Say on stderr why nothing matched and what to widen.

    `absent` are asked tags no listing carries: dropping another filter cannot help those.
    """
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
    absent = absent or []
    if [t for t in q.populations + q.topics if t not in absent]:
        hints.append("fewer -p/-t filters widen the search")
    if absent:
        hints.append(f"no listing in the catalog is tagged {', '.join(absent)}")
    if q.max_age_days is not None:
        hints.append("drop --max-age to see listings with older evidence")
    text = "; ".join(hints)
    note("No groups match." + (f" {text[:1].upper()}{text[1:]}." if hints else ""))
