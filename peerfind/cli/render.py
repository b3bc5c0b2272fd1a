"""Human-readable output: result table, one group in full, tag counts (plain text)."""

from __future__ import annotations

import shutil
import unicodedata
from dataclasses import replace
from datetime import datetime

from peerfind import evidence, vocab
from peerfind.clean import terminal_safe
from peerfind.cli import crisis
from peerfind.models import Group, Schedule
from peerfind.schedule import clock as timeutil
from peerfind.search.engine import KM_PER_MI, STALE_DAYS, Result, zone_unknown

FORMAT_LABEL = {
    vocab.IN_PERSON: "in person",
    vocab.ONLINE: "online",
    vocab.HYBRID: "hybrid",
    vocab.PHONE: "phone",
}

OPENNESS_LABEL = {"open": "open to anyone", "closed": "closed (for members)"}


def _width(text: str) -> int:
    """Return how many terminal columns text takes (wide East Asian characters count twice)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """Return text cut to `width` columns (with an ellipsis) and padded to it."""
    text = terminal_safe(text).replace("\n", " ")
    if _width(text) > width:
        while text and _width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - _width(text))


def distance_text(miles: float | None, units: str) -> str:
    """Return '3.2 mi' / '5.1 km', or '—' without a distance."""
    if miles is None:
        return "—"
    value = miles * KM_PER_MI if units == "km" else miles
    return f"{value:.1f} {units}"


def shown_time(result: Result, current: datetime) -> datetime:
    """Return the next meeting in the zone a person needs: theirs for online groups, else local."""
    assert result.next_meeting is not None
    if result.group.format in (vocab.ONLINE, vocab.PHONE) and not result.zone_unknown:
        return result.next_meeting.astimezone(current.tzinfo)
    return result.next_meeting


def ended_text(s: Schedule, current: datetime | None) -> str:
    """Return "possibly ended (…)" when the schedule's end date is before today, else ''."""
    if not s.until or current is None or s.until >= current.date().isoformat():
        return ""
    return f"possibly ended (its schedule ran until {s.until})"


def next_text(result: Result, current: datetime | None) -> str:
    """Return the next-meeting cell for a result."""
    g = result.group
    s = g.schedule
    if g.status == vocab.TEMPORARILY_CLOSED:
        return "venue closed for now"
    if result.next_meeting and current is not None:
        if result.zone_unknown:  # the published wall clock, in a zone nobody stated
            when = result.next_meeting
            return f"{when.strftime('%a')} {timeutil.clock(when)}, zone unknown"
        return timeutil.relative(shown_time(result, current), current, with_zone=True)
    if s.kind == "appointment":
        return "by appointment"
    if ended_text(s, current):
        return "possibly ended"
    return s.text or "see listing"


def name_label(g: Group) -> str:
    """Return a name with its program and open/closed: "Izzy Does It AFG [Al-Anon, open]"."""
    tags = [vocab.label(g.program, g.name, g.populations)]
    if g.openness:
        tags.append(g.openness)
    tags = [t for t in tags if t]
    return g.name + (f" [{', '.join(tags)}]" if tags else "")


FIXED = (("ID", 12), ("DIST", 7), ("NEXT", 26), ("FORMAT", 9), ("EVIDENCE", 15))
WIDE = 100  # narrower terminals get the brief evidence cell
NEXT_MIN = 18  # "Wed 7:00 PM, in 4…": the day and time still show
TWO_LINE_BELOW = 28  # narrower name room than this: the name goes on a line of its own


def table(
    results: list[Result],
    *,
    units: str = "mi",
    current: datetime | None = None,
    width: int | None = None,
) -> str:
    """Return the result table: id, distance, next meeting, format, confirmation age, name.

    The name (with program and open/closed) gets the room left on the line; on a terminal too
    narrow for that (80 columns), it goes on its own indented line under the other cells.
    """
    width = width or shutil.get_terminal_size((120, 24)).columns
    # On a narrow terminal the old edit date is left to `show`: the next meeting needs the room.
    brief = width < WIDE
    evidence_cells = [evidence_cell(r, current, brief) for r in results]
    # The evidence column is as wide as its longest cell, within the FIXED width and 40.
    fixed = [*FIXED[:-1], (FIXED[-1][0], min(40, max([FIXED[-1][1], *map(len, evidence_cells)])))]
    far = any(r.distance_mi is not None for r in results)
    if not far:  # online only: no distance to show, and its room goes to the next meeting
        del fixed[1]
    at_next = 2 if far else 1
    over = sum(w + 2 for _, w in fixed) - 2 - width
    if over > 0:  # a narrow terminal: the next-meeting cell gives up room (down to NEXT_MIN)
        fixed[at_next] = ("NEXT", max(NEXT_MIN, fixed[at_next][1] - over))
    fixed_w = sum(w + 2 for _, w in fixed)
    name_w = width - fixed_w
    one_line = name_w >= TWO_LINE_BELOW
    heads = [h for h, _ in fixed] + (["NAME"] if one_line else [])
    widths = [w for _, w in fixed] + ([name_w] if one_line else [])
    lines = ["  ".join(_fit(h, w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    for r, confirmed in zip(results, evidence_cells, strict=True):
        g = r.group
        cells = [
            g.id,
            *([_short_distance(distance_text(r.distance_mi, units))] if far else []),
            next_text(r, current),
            FORMAT_LABEL.get(g.format, g.format),
            confirmed,
        ]
        label = name_label(g)
        row = [*cells, label] if one_line else cells
        lines.append("  ".join(_fit(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
        if not one_line:
            lines.append("  " + _fit(label, max(20, width - 3)).rstrip())
    return "\n".join(lines)


def _short_distance(text: str) -> str:
    """Return a distance cell within 7 columns ('123.4 mi' -> '123 mi')."""
    number, _, unit = text.partition(" ")
    return f"{float(number):.0f} {unit}" if len(text) > 7 and unit else text


def evidence_cell(r: Result, current: datetime | None, brief: bool = False) -> str:
    """Return the evidence cell: 'verified 2025-03', 'listed 2025-07, edited 2021-03' (old);
    `brief` leaves out the edit date."""
    found = evidence.of(r.group, current)
    if brief:
        found = replace(found, edited="")
    label = found.label() or "no date"
    return label + (" (old)" if r.stale else "")


def evidence_rows(g: Group, result: Result | None) -> list[tuple[str, str]]:
    """Return the detail rows for a listing's dates, each kept apart, the strongest first."""
    age_days = result.age_days if result else None
    old = " — OLD: check with the organization before you go" if result and result.stale else ""
    ev = evidence.of(g)
    summary = f"{ev.label(precise=True)} ({timeutil.age(age_days)}){old}" if ev.kind else ""
    return [
        ("Evidence", summary),
        (
            "Verified",
            f"{g.last_verified} (a person at the source checked it)" if g.last_verified else "",
        ),
        ("Listed", f"{g.last_seen} (a feed of the source listed it then)" if g.last_seen else ""),
        ("Last edited", f"{g.source_updated} (by the source)" if g.source_updated else ""),
    ]


def report_line(g: Group) -> str:
    """Return the 'Wrong or closed? Tell the organization: …' line, or say there is no channel."""
    from peerfind import feedback

    line = feedback.channel(g).line()
    if not line:
        return "Wrong or closed? The source gives no way to report it; check the source page."
    return line + f"  (peerfind report {g.id})"


def plain(results: list[Result], *, units: str = "mi", current: datetime | None = None) -> str:
    """Return results for screen readers and simple terminals: one block of labelled lines each,
    nothing drawn, nothing cut short."""
    blocks = []
    for n, r in enumerate(results, 1):
        g = r.group
        rows = [
            ("Next meeting", next_text(r, current)),
            ("Distance", distance_text(r.distance_mi, units) if r.distance_mi is not None else ""),
            ("Format", FORMAT_LABEL.get(g.format, g.format)),
            ("Program", _program_text(g)),
            ("Meeting", OPENNESS_LABEL.get(g.openness, "")),
            ("Evidence", evidence_cell(r, current)),
            ("ID", g.id),
        ]
        block = [f"{n}. {terminal_safe(g.name)}"]
        block += [f"   {k}: {terminal_safe(v)}" for k, v in rows if v]
        blocks.append("\n".join(block))
    return "\n\n".join(blocks)


def _program_text(g: Group) -> str:
    """Return "Al-Anon, for families and friends of people who drink" (or just the label)."""
    label = vocab.label(g.program, g.name, g.populations)
    who = vocab.for_whom(g.program, g.name, g.populations)
    return f"{label}, for {who}" if label and who else label


def legend(results: list[Result]) -> list[str]:
    """Return one line per program in the results that says who its meetings are for."""
    seen: dict[str, str] = {}
    for r in results:
        g = r.group
        label = vocab.label(g.program, g.name, g.populations)
        who = vocab.for_whom(g.program, g.name, g.populations)
        if label and who:
            seen.setdefault(label, who)
    return [f"{label} meetings are for {who}." for label, who in seen.items()]


def footer(
    results: list[Result],
    *,
    width: int | None = None,
    shown: int | None = None,
    total: int | None = None,
    exact: bool = True,
) -> str:
    """Return the lines under a result table: who programs are for, how many more match, the
    stale note, how to see more, the crisis line (wrapped to the terminal)."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    lines = legend(results)
    if total is not None and shown is not None and (total > shown or not exact):
        # not exact: more than `total` match (0: only that more match is known)
        more = f" of more than {total:,}" if total > shown else ""
        of = f" of {total:,}" if exact else more
        lines.append(f"Showing {shown}{of} — use --limit or narrow the search.")
    if any(r.stale for r in results):
        lines.append(
            f"(old) = not verified or listed by its source for over {STALE_DAYS} days: "
            "check with the organization before you go."
        )
    if results:  # with nothing listed there is no ID to show
        lines.append("Details, source link and how to join: peerfind show ID")
    out = [wrapped for line in lines for wrapped in _wrap(line, width)]
    out += crisis.footer_lines(width)
    return "\n".join(out)


def _wrap(line: str, width: int) -> list[str]:
    """Return a line wrapped at spaces to `width` columns (never inside a word)."""
    import textwrap

    return textwrap.wrap(
        line, width=max(20, width), break_long_words=False, break_on_hyphens=False
    ) or [""]


# How near the door a listing's map point is, when the source gave no exact point.
APPROXIMATE = {
    "postal": "approximate (the centre of its ZIP code): distances are rough",
    "city": "approximate (the centre of its town): distances are rough",
}


def group_detail(
    g: Group,
    *,
    result: Result | None = None,
    current: datetime | None = None,
    also: list[Group] | None = None,
) -> str:
    """Return everything about one group as text, with its source, age and crisis line."""
    s = g.schedule
    zone = f" ({s.timezone})" if s.timezone else ""
    if zone_unknown(g):
        zone = " (time zone not stated by the listing)"
    closed = g.status == vocab.TEMPORARILY_CLOSED
    rows: list[tuple[str, str]] = [
        ("Name", g.name),
        ("Organization", g.organization),
        ("Program", _program_text(g)),
        ("Meeting", OPENNESS_LABEL.get(g.openness, "")),
        ("Format", FORMAT_LABEL.get(g.format, "")),
        ("Status", "venue temporarily closed" if closed else g.status.replace("_", " ")),
        ("When", s.text + zone if s.text else ""),
        ("Schedule note", s.note),
        ("Ended?", ended_text(s, current)),
    ]
    if result and result.next_meeting and current and not closed:
        rows.append(("Next meeting", _next_detail(result, current)))
    online_only = g.format in (vocab.ONLINE, vocab.PHONE)
    if online_only:  # a street address here would send a person where nobody meets
        where = "online only, no meeting place" if g.format == vocab.ONLINE else "by phone only"
        if g.venue:
            where += f" (the listing names {g.venue})"
    else:
        where = ", ".join(p for p in (g.venue, g.address, g.city, g.region, g.postal_code) if p)
    rows += [
        ("Where", where),
        ("Map point", APPROXIMATE.get(g.geo_precision, "") if where else ""),
        ("Join online", g.join_url),
        ("Join by phone", g.join_phone),
        ("Join notes", g.join_notes),
    ]
    remote = g.format in (vocab.ONLINE, vocab.HYBRID, vocab.PHONE)
    if remote and not (g.join_url or g.join_phone):
        rows.append(("How to join", "the source page below has the current link or number"))
    rows += [
        ("For", ", ".join(vocab.POPULATIONS.get(p, p) for p in g.populations)),
        ("About", ", ".join(vocab.TOPICS.get(t, t) for t in g.topics)),
        ("Languages", ", ".join(g.languages)),
        ("Accessibility", ", ".join(vocab.ACCESSIBILITY.get(a, a) for a in g.accessibility)),
        ("Cost", g.cost),
        ("Phone", g.phone),
        ("E-mail", g.email),
        ("Website", g.website),
        ("Description", g.description),
    ]
    rows += [("Source", f"{g.source}: {g.source_url}"), *evidence_rows(g, result), ("ID", g.id)]
    for other in also or []:
        rows.append(("Also listed by", f"{other.source}: {other.source_url} (id {other.id})"))
    out = []
    for key, value in rows:
        if not key or not value:
            continue
        text = terminal_safe(value).replace("\n", "\n" + " " * 16)
        out.append(f"{key + ':':<15} {text}")
    out.append(terminal_safe(report_line(g)))
    out.append("")
    out += crisis.footer_lines(shutil.get_terminal_size((120, 24)).columns)
    return "\n".join(out)


def _next_detail(result: Result, current: datetime) -> str:
    """Return the next meeting for `show`, saying which zone the time is in."""
    if result.zone_unknown:
        when = result.next_meeting
        assert when is not None
        return f"{when.strftime('%a')} {timeutil.clock(when)} (time zone unknown)"
    moment = shown_time(result, current)
    text = timeutil.relative(moment, current)
    name = getattr(moment.tzinfo, "key", None) or moment.tzname() or ""
    if moment.utcoffset() == current.utcoffset() and result.group.format in (
        vocab.ONLINE,
        vocab.PHONE,
    ):
        return f"{text} (your time, {name})"
    return f"{text} ({name})"


def tag_counts(counts: dict[str, dict[str, int]]) -> str:
    """Return the vocabularies with how many active listings carry each term."""
    sections = (
        ("population", "Populations (-p)", vocab.POPULATIONS),
        ("topic", "Topics (-t)", vocab.TOPICS),
        ("format", "Formats (--format)", vocab.FORMATS),
        ("accessibility", "Accessibility (--accessibility)", vocab.ACCESSIBILITY),
    )
    out = []
    for kind, title, terms in sections:
        out.append(title)
        for term, label in terms.items():
            shown = term.replace("_", "-") if kind == "format" else term
            out.append(f"  {shown:<20} {counts.get(kind, {}).get(term, 0):>7}  {label}")
        out.append("")
    syn = ", ".join(f"{k}→{v}" for k, v in list(vocab.SYNONYMS.items())[:12])
    out.append(f"Synonyms work too, e.g. {syn}, …")
    return "\n".join(out)
