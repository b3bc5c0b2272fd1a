"""Human-readable output: result table, one group in full, tag counts (plain text)."""

from __future__ import annotations

import shutil
import unicodedata
from datetime import datetime

from peerfind import crisis, fellowships, timeutil, vocab
from peerfind.clean import terminal_safe
from peerfind.models import Group, Schedule
from peerfind.search import KM_PER_MI, STALE_DAYS, Result, zone_unknown

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
    tags = [fellowships.label(g.program, g.name, g.populations)]
    if g.openness:
        tags.append(g.openness)
    tags = [t for t in tags if t]
    return g.name + (f" [{', '.join(tags)}]" if tags else "")


FIXED = (("ID", 12), ("DIST", 8), ("NEXT", 26), ("FORMAT", 9), ("CONFIRMED", 15))
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
    fixed_w = sum(w + 2 for _, w in FIXED)
    name_w = width - fixed_w
    one_line = name_w >= TWO_LINE_BELOW
    heads = [h for h, _ in FIXED] + (["NAME"] if one_line else [])
    widths = [w for _, w in FIXED] + ([name_w] if one_line else [])
    lines = ["  ".join(_fit(h, w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    for r in results:
        g = r.group
        confirmed = timeutil.age(r.age_days) + (" (old)" if r.stale else "")
        cells = [
            g.id,
            distance_text(r.distance_mi, units),
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
            ("Confirmed", timeutil.age(r.age_days) + (" (old)" if r.stale else "")),
            ("ID", g.id),
        ]
        block = [f"{n}. {terminal_safe(g.name)}"]
        block += [f"   {k}: {terminal_safe(v)}" for k, v in rows if v]
        blocks.append("\n".join(block))
    return "\n\n".join(blocks)


def _program_text(g: Group) -> str:
    """Return "Al-Anon, for families and friends of people who drink" (or just the label)."""
    label = fellowships.label(g.program, g.name, g.populations)
    who = fellowships.for_whom(g.program, g.name, g.populations)
    return f"{label}, for {who}" if label and who else label


def legend(results: list[Result]) -> list[str]:
    """Return one line per program in the results that says who its meetings are for."""
    seen: dict[str, str] = {}
    for r in results:
        g = r.group
        label = fellowships.label(g.program, g.name, g.populations)
        who = fellowships.for_whom(g.program, g.name, g.populations)
        if label and who:
            seen.setdefault(label, who)
    return [f"{label} meetings are for {who}." for label, who in seen.items()]


def footer(
    results: list[Result], *, width: int | None = None, shown: int | None = None,
    total: int | None = None, exact: bool = True
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
            f"(old) = not confirmed by its source for over {STALE_DAYS} days: "
            "check with the organization before you go."
        )
    lines.append("Details, source link and how to join: peerfind show ID")
    out = [wrapped for line in lines for wrapped in _wrap(line, width)]
    out += crisis.footer_lines(width)
    return "\n".join(out)


def _wrap(line: str, width: int) -> list[str]:
    """Return a line wrapped at spaces to `width` columns (never inside a word)."""
    import textwrap

    return textwrap.wrap(line, width=max(20, width), break_long_words=False,
                         break_on_hyphens=False) or [""]


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
    age_days = result.age_days if result else None
    old = " — OLD: check with the organization before you go" if result and result.stale else ""
    rows += [
        ("Source", f"{g.source}: {g.source_url}"),
        ("Last confirmed", f"{g.last_seen} ({timeutil.age(age_days)}){old}"),
        ("Source updated", g.source_updated),
        ("ID", g.id),
    ]
    for other in also or []:
        rows.append(("Also listed by", f"{other.source}: {other.source_url} (id {other.id})"))
    out = []
    for key, value in rows:
        if not key or not value:
            continue
        text = terminal_safe(value).replace("\n", "\n" + " " * 16)
        out.append(f"{key + ':':<15} {text}")
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
