"""Human-readable output: result table, one group in full, tag counts (plain text)."""

from __future__ import annotations

import shutil
import unicodedata
from datetime import datetime

from peerfind import crisis, evidence, timeutil, vocab
from peerfind.clean import terminal_safe
from peerfind.models import Group, Schedule
from peerfind.search import KM_PER_MI, STALE_DAYS, Result

FORMAT_LABEL = {
    vocab.IN_PERSON: "in person",
    vocab.ONLINE: "online",
    vocab.HYBRID: "hybrid",
    vocab.PHONE: "phone",
}


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
    if result.group.format in (vocab.ONLINE, vocab.PHONE):
        return result.next_meeting.astimezone(current.tzinfo)
    return result.next_meeting


def ended_text(s: Schedule, current: datetime | None) -> str:
    """Return "possibly ended (…)" when the schedule's end date is before today, else ''."""
    if not s.until or current is None or s.until >= current.date().isoformat():
        return ""
    return f"possibly ended (its schedule ran until {s.until})"


def next_text(result: Result, current: datetime | None) -> str:
    """Return the next-meeting cell for a result."""
    s = result.group.schedule
    if result.next_meeting and current is not None:
        return timeutil.relative(shown_time(result, current), current, with_zone=True)
    if s.kind == "appointment":
        return "by appointment"
    if ended_text(s, current):
        return "possibly ended"
    return s.text or "see listing"


def table(
    results: list[Result],
    *,
    units: str = "mi",
    current: datetime | None = None,
    width: int | None = None,
) -> str:
    """Return the result table: id, distance, next meeting, format, name, strongest evidence."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    fixed = [("ID", 12), ("DIST", 8), ("NEXT", 27), ("FORMAT", 9)]
    name_w = max(20, width - sum(w + 2 for _, w in fixed) - 14)
    header = "  ".join(_fit(h, w) for h, w in fixed) + "  " + _fit("NAME", name_w) + "  EVIDENCE"
    lines = [header.rstrip()]
    for r in results:
        g = r.group
        label = g.name
        if g.organization and len(g.name) + len(g.organization) + 3 <= name_w:
            label += f" — {g.organization}"
        confirmed = evidence_cell(r, current)
        cells = [
            (g.id, 12),
            (distance_text(r.distance_mi, units), 8),
            (next_text(r, current), 27),
            (FORMAT_LABEL.get(g.format, g.format), 9),
        ]
        line = "  ".join(_fit(c, w) for c, w in cells) + "  " + _fit(label, name_w)
        lines.append(f"{line}  {confirmed}")
    return "\n".join(lines)


def evidence_cell(r: Result, current: datetime | None) -> str:
    """Return the evidence cell: 'verified 2025-03', 'listed 2025-07, edited 2021-03' (old)."""
    label = evidence.of(r.group, current).label() or "no date"
    return label + (" (old)" if r.stale else "")


def evidence_rows(g: Group, result: Result | None) -> list[tuple[str, str]]:
    """Return the detail rows for a listing's dates, each kept apart, the strongest first."""
    age_days = result.age_days if result else None
    old = " — OLD: check with the organization before you go" if result and result.stale else ""
    ev = evidence.of(g)
    summary = f"{ev.label(precise=True)} ({timeutil.age(age_days)}){old}" if ev.kind else ""
    return [
        ("Evidence", summary),
        ("Verified", f"{g.last_verified} (a person at the source checked it)"
         if g.last_verified else ""),
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


def footer(results: list[Result]) -> str:
    """Return the lines under a result table: the stale note, how to see more, the crisis line."""
    lines = []
    if any(r.stale for r in results):
        lines.append(
            f"(old) = not verified or listed by its source for over {STALE_DAYS} days: "
            "check with the organization before you go."
        )
    lines.append("Details, source link and how to join: peerfind show ID")
    lines.append(crisis.FOOTER)
    return "\n".join(lines)


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
    rows: list[tuple[str, str]] = [
        ("Name", g.name),
        ("Organization", g.organization),
        ("Format", FORMAT_LABEL.get(g.format, "")),
        ("Status", g.status.replace("_", " ")),
        ("When", s.text + (f" ({s.timezone})" if s.timezone and s.text else "")),
        ("Schedule note", s.note),
        ("Ended?", ended_text(s, current)),
    ]
    if result and result.next_meeting and current:
        moment = shown_time(result, current)
        rows.append(("Next meeting", timeutil.relative(moment, current, with_zone=True)))
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
        if not value:
            continue
        text = terminal_safe(value).replace("\n", "\n" + " " * 16)
        out.append(f"{key + ':':<15} {text}")
    out.append(terminal_safe(report_line(g)))
    out.append("")
    out.append(crisis.FOOTER)
    return "\n".join(out)


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
