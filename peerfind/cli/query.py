"""Options and helpers shared by `search` and `export`: building a Query, resolving --near."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_type_hints

import typer

from peerfind.cli.common import note

if TYPE_CHECKING:
    import sqlite3

    from peerfind.places.place import Place
    from peerfind.search.engine import Outcome, Query, Result

Near = Annotated[
    str | None,
    typer.Option("--near", "-n", help='Where: a ZIP code, "City, ST", a city, or "lat,lon".'),
]
Radius = Annotated[
    str, typer.Option("--radius", "-r", help="How far, e.g. 25, 10mi or 40km (max 500 mi).")
]
Units = Annotated[str, typer.Option("--units", help="Distance units: mi or km, e.g. --units km.")]
Pops = Annotated[
    list[str] | None,
    typer.Option(
        "--population",
        "-p",
        help="Who it is for (repeatable): veterans, lgbtq, youth, families, … (see peerfind "
        "tags), e.g. -p veterans -p families.",
    ),
]
Topics = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        "-t",
        help="What it is about (repeatable): grief_loss, depression_bipolar, … (see peerfind "
        "tags), e.g. -t grief_loss.",
    ),
]
Formats = Annotated[
    list[str] | None,
    typer.Option(
        "--format",
        "-f",
        help="in-person, online, hybrid or phone (repeatable). Online ones are "
        "listed regardless of distance, e.g. -f online.",
    ),
]
Days = Annotated[
    list[str] | None,
    typer.Option("--day", "-d", help="today, tomorrow, or mon … sun (repeatable)."),
]
Time = Annotated[
    str | None,
    typer.Option(
        "--time",
        help="morning, afternoon, evening, night or HH:MM-HH:MM, e.g. --time evening or "
        "--time 18:00-21:00.",
    ),
]
Now = Annotated[
    bool,
    typer.Option(
        "--now", help="In progress or starting within the hour, e.g. --format online --now."
    ),
]
Within = Annotated[str | None, typer.Option("--within", help="Meeting within a span, e.g. 3h.")]
Tz = Annotated[
    str | None,
    typer.Option(
        "--tz", help="Your time zone (default: this machine's), e.g. --tz America/Chicago."
    ),
]
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
    list[str] | None,
    typer.Option(
        "--accessibility", help="wheelchair or asl (repeatable), e.g. --accessibility wheelchair."
    ),
]
Closed = Annotated[
    bool,
    typer.Option(
        "--include-closed",
        help="Also list groups whose venue is temporarily closed, e.g. --near 02139 "
        "--include-closed.",
    ),
]
Online = Annotated[
    bool,
    typer.Option(
        "--online",
        help="If the offline gazetteer does not know the --near place, send that place text "
        "(nothing else) to OpenStreetMap's Nominatim (nominatim.openstreetmap.org) to look it "
        "up. Answers are cached on this machine unless PEERFIND_GEOCODE_CACHE=off; `peerfind "
        'forget` deletes them. Example: --near "1120 SW 5th Ave, Portland, OR" --online',
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
Limit = Annotated[
    int,
    typer.Option("--limit", min=1, max=1000, help="At most this many results, e.g. --limit 50."),
]


@dataclass(frozen=True)
class Filters:
    """The filters `search` and `export` share, as typed on the command line.

    Each field's annotation is its Typer option; `with_filters` gives a command all of them.
    """

    near: Near = None
    radius: Radius = "25"
    units: Units = "mi"
    population: Pops = None
    topic: Topics = None
    program: Programs = None
    open_only: OpenOnly = False
    closed_only: ClosedOnly = False
    openness: Openness = None
    fmt: Formats = None
    day: Days = None
    time: Time = None
    now: Now = False
    within: Within = None
    tz: Tz = None
    language: Langs = None
    accessibility: Access = None
    include_closed: Closed = False
    online: Online = False
    max_age: MaxAge = None


R = TypeVar("R")


def with_filters(command: Callable[..., R]) -> Callable[..., R]:
    """Give a command the filter options in place of its `filters: Filters` parameter.

    Typer sees the options of Filters (in field order, where `filters` stood); the command
    receives them as one Filters object.
    """
    import functools
    import inspect

    own = inspect.signature(command, eval_str=True)
    hints = get_type_hints(Filters, include_extras=True)
    options = [
        inspect.Parameter(
            f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=hints[f.name]
        )
        for f in fields(Filters)
    ]
    params: list[inspect.Parameter] = []
    for param in own.parameters.values():
        if param.name == "filters":
            params += options
        else:
            params.append(param.replace(kind=inspect.Parameter.KEYWORD_ONLY))
    names = [f.name for f in fields(Filters)]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> R:
        chosen = Filters(**{name: kwargs.pop(name) for name in names})
        return command(filters=chosen, **kwargs)

    wrapper.__signature__ = own.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper


def build_query(
    filters: Filters, *, text: str | None = "", limit: int, anywhere: bool = False
) -> tuple[Query, Place | None]:
    """Return (Query, place or None) built from a command's filters, free text and limit
    (`anywhere`: no place needed, as for `export --all`)."""
    from peerfind import vocab
    from peerfind.errors import UsageError
    from peerfind.schedule import clock as timeutil
    from peerfind.search import engine as s

    f = filters
    if f.units not in ("mi", "km"):
        raise UsageError(f"--units {f.units!r}: use mi or km.")
    user_tz = timeutil.check_timezone(f.tz) if f.tz else timeutil.machine_timezone()
    current = timeutil.now(user_tz)
    q = s.Query(
        radius_mi=s.parse_radius(f.radius, f.units),
        text=(text or "").strip(),
        populations=[vocab.normalize("population", p) for p in f.population or []],
        topics=[vocab.normalize("topic", t) for t in f.topic or []],
        programs=[program_code(p) for p in f.program or []],
        openness=openness_of(f.openness, f.open_only, f.closed_only),
        formats=[vocab.normalize("format", x) for x in f.fmt or []],
        languages=[language_code(lang) for lang in f.language or []],
        accessibility=[vocab.normalize("accessibility", a) for a in f.accessibility or []],
        include_closed=f.include_closed,
        max_age_days=max_age_days(f.max_age),
        limit=limit,
        now=current,
        user_tz=user_tz,
    )
    for word in f.day or []:
        lowered = word.strip().lower()
        if lowered in ("today", "tomorrow"):
            from datetime import timedelta

            date = current.date() + timedelta(days=1 if lowered == "tomorrow" else 0)
            q.dates.append(date.isoformat())
            q.days.append((date.weekday() + 1) % 7)
        else:
            q.days.append(vocab.parse_day(word))
    if f.time:
        from peerfind.schedule.recurrence import parse_time_window

        q.window = parse_time_window(f.time)
    if f.now or f.within:
        from datetime import timedelta

        q.within = timeutil.parse_span(f.within) if f.within else timedelta(hours=1)
    place = None
    if f.near:
        place = resolve_place(f.near, f.online)
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


def resolve_place(near: str, online: bool) -> Place:
    """Return the Place for --near, trying the online geocoder only when asked."""
    from peerfind.errors import UnknownPlace
    from peerfind.places import gazetteer

    if not gazetteer.is_ready():
        gazetteer.prepare(note)
    try:
        place = gazetteer.resolve(near)
    except UnknownPlace:
        if not online:
            raise
        from peerfind.places.geocode import DEFAULT_DOMAIN, online_geocode

        note(f"Looking up the place text online at {DEFAULT_DOMAIN} (OpenStreetMap's Nominatim).")
        place = online_geocode(near)
    if place.note:
        note(f"note: {place.note}")
    return place


def print_table(
    outcome: Outcome,
    q: Query,
    place: Place | None,
    units: str,
    extra: str | None = None,
    plain: bool = False,
    conn: sqlite3.Connection | None = None,
) -> None:
    """Print the human result: header, table (or plain blocks), `extra` (the national
    programs) and footer."""
    import shutil

    from peerfind.cli import render

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
        from peerfind.search.total import total as count_total

        total, exact = count_total(conn, q)
    print(
        render.footer(
            outcome.results, width=width, shown=len(outcome.results), total=total, exact=exact
        )
    )


def print_machine(results: list[Result], output: str, conn: sqlite3.Connection, q: Query) -> None:
    """Print results as JSON, NDJSON or CSV (read from the catalog `conn`) on stdout."""
    from peerfind.export import common as export

    if output == "csv":
        from peerfind.export.query import write_results_csv

        with export.open_output("-") as out:
            write_results_csv(conn, q, results, out)
        return
    export.export_rows((r.to_dict() for r in results), "-", fmt=output)


def absent_tags(conn: sqlite3.Connection, q: Query) -> list[str]:
    """Return the asked populations/topics that no listing in the catalog carries at all."""
    from peerfind.catalog import db as catalog

    asked = [("populations", t) for t in q.populations] + [("topics", t) for t in q.topics]
    return [term for column, term in asked if not catalog.has_tag(conn, column, term)]


def explain_empty(
    outcome: Outcome,
    q: Query,
    units: str,
    absent: list[str] | None = None,
    served: list[str] | None = None,
) -> None:
    """Say on stderr why nothing matched and what to widen.

    `absent` are asked tags no listing carries: dropping another filter cannot help those.
    `served` are asked tags whose national programs the search already showed: dropping such a
    filter would only show groups for someone else, so it is not suggested for them.
    """
    from peerfind.cli import render

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
    kept = set(absent) | set(served or [])
    if [t for t in q.populations + q.topics if t not in kept]:
        hints.append("fewer -p/-t filters widen the search")
    if absent:
        hints.append(f"no listing in the catalog is tagged {', '.join(absent)}")
    if q.max_age_days is not None:
        hints.append("drop --max-age to see listings with older evidence")
    text = "; ".join(hints)
    note("No groups match." + (f" {text[:1].upper()}{text[1:]}." if hints else ""))
