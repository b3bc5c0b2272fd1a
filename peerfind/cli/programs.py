"""`peerfind programs`, and the note under a search that found few or no local groups."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from peerfind.cli.common import fail, handled
from peerfind.cli.query import Online, Pops, Topics

if TYPE_CHECKING:
    from peerfind.places.place import Place
    from peerfind.search.engine import Outcome, Query

FEW = 3  # fewer local groups than this, and a search also shows the national programs


def programs_command(
    population: Pops = None,
    topic: Topics = None,
    near: Annotated[
        str | None,
        typer.Option(
            "--near",
            "-n",
            help="Show only the peer-run warmlines of the state this place is in, "
            'e.g. "Billings, MT".',
        ),
    ] = None,
    online: Online = False,
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="table or json; -o json adds the source page of every fact."
        ),
    ] = "table",
) -> None:
    """List national programs that run peer support groups, and state peer-run warmlines.

    Each program shows how to find its local groups, whether it meets online, and its
    helpline; -o json adds the public page every fact was taken from.

    Examples:

      peerfind programs

      peerfind programs -t depression

      peerfind programs -p veterans --near "Billings, MT"

      peerfind programs -t grief -o json
    """
    from peerfind import vocab
    from peerfind.cli.query import resolve_place
    from peerfind.search import programs

    if output not in ("table", "json"):
        raise fail(f"--output {output!r}: use table or json.", 2)
    pops = [vocab.normalize("population", p) for p in population or []]
    tops = [vocab.normalize("topic", t) for t in topic or []]
    state = resolve_place(near, online).state if near else None
    directory = programs.load()
    chosen = (
        programs.choose(directory.programs, pops, tops)
        if pops or tops
        else list(directory.programs)
    )
    lines = (
        programs.warmlines_for(directory.warmlines, state) if near else list(directory.warmlines)
    )
    if output == "json":
        data = {
            "programs": [p.to_dict() for p in chosen],
            "warmlines": [w.to_dict() for w in lines],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from peerfind.cli import crisis, render_programs

    print(render_programs.listing(chosen, lines, state))
    print()
    print(crisis.FOOTER)


def _where(q: Query, place: Place | None, units: str) -> str:
    """Return where a search looked, in words: 'within 25 mi of Denver, CO'."""
    from peerfind import vocab
    from peerfind.cli import render

    remote = bool(set(q.formats) & {vocab.ONLINE, vocab.PHONE})
    if place is not None:
        dist = render.distance_text(q.radius_mi, units).replace(".0 ", " ")
        where = f"within {dist} of {place.label}" + (" or online" if remote else "")
    elif remote:
        where = "online"
    else:
        where = "for this search"
    others = q.days or q.window or q.within or q.text or q.languages or q.accessibility
    return where + (" that match all your filters" if others else "")


def dead_end_note(outcome: Outcome, q: Query, place: Place | None, units: str) -> str | None:
    """Return the note for a search with fewer than a handful of groups, or None.

    It says plainly what peerfind has, lists the national programs for the asked populations
    and topics (a short general list without them) and the state's peer-run warmline.
    """
    count = len(outcome.results)
    if count >= min(FEW, q.limit):
        return None  # the usual case: the programs directory and its renderer stay unloaded
    from peerfind.cli import render_programs
    from peerfind.search import programs

    directory = programs.load()
    chosen = programs.choose(directory.programs, q.populations, q.topics)
    state = place.state if place is not None else None
    lines = programs.warmlines_for(directory.warmlines, state)
    more = "peerfind programs" + "".join(f" -p {p}" for p in q.populations)
    more += "".join(f" -t {t}" for t in q.topics)
    if place is not None and lines:
        more += f' --near "{place.label}"'
    text = render_programs.headline(count, q.populations, q.topics, _where(q, place, units))
    return render_programs.dead_end_note(text, chosen, lines, more)


def tags_with_programs(q: Query) -> list[str]:
    """Return the asked populations/topics that a program in dead_end_note's list serves by name.

    The note already points the person to those programs: dropping such a filter would only show
    them groups for someone else.
    """
    from peerfind.cli.render_programs import SHOWN_IN_SEARCH
    from peerfind.search import programs

    chosen = programs.choose(programs.load().programs, q.populations, q.topics)[:SHOWN_IN_SEARCH]
    served = {t for p in chosen for t in (*p.populations, *p.topics)}
    return [t for t in (*q.populations, *q.topics) if t in served]


def register(app: typer.Typer) -> None:
    """Add the programs command to the app."""
    app.command(name="programs")(handled(programs_command))
