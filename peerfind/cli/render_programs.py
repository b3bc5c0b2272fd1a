"""Text for national programs and warmlines: `peerfind programs` and the no-dead-end note."""

from __future__ import annotations

import re
import textwrap

from peerfind import vocab
from peerfind.clean import terminal_safe
from peerfind.search.programs import Program, Warmline

WIDTH = 80
SHOWN_IN_SEARCH = 3  # programs under a search result; `peerfind programs` lists them all

# Short words for a need, as in "no grief support groups for veterans".
TOPIC_WORDS = {
    "mental_health": "mental health",
    "depression_bipolar": "depression or bipolar",
    "anxiety": "anxiety",
    "grief_loss": "grief",
    "suicide_loss": "suicide loss",
    "substance_use": "addiction recovery",
    "alcohol": "alcohol",
    "eating_disorders": "eating disorder",
    "psychosis": "psychosis",
    "trauma_ptsd": "trauma and PTSD",
    "postpartum": "pregnancy and postpartum",
    "gambling": "gambling",
    "chronic_illness": "chronic illness",
}
POPULATION_WORDS = {
    "veterans": "veterans",
    "lgbtq": "LGBTQ+ people",
    "transgender": "transgender people",
    "youth": "teens",
    "young_adults": "young adults",
    "older_adults": "older adults",
    "women": "women",
    "men": "men",
    "families": "families and caregivers",
    "bipoc": "BIPOC people",
    "indigenous": "Indigenous people",
    "newcomers": "newcomers",
    "deaf_hoh": "Deaf and hard of hearing people",
}


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """Return text wrapped to WIDTH columns (links are never broken)."""
    return textwrap.wrap(
        terminal_safe(text).replace("\n", " "),
        width=WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _or(words: list[str]) -> str:
    """Return 'a', 'a or b', 'a, b or c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def need(populations: list[str], topics: list[str], count: int = 2) -> str:
    """Return the groups asked for in words: 'grief support groups for veterans'."""
    what = _or([TOPIC_WORDS.get(t, t) for t in topics]) + " " if topics else ""
    text = f"{what}support group{'' if count == 1 else 's'}"
    if populations:
        text += " for " + _or([POPULATION_WORDS.get(p, p) for p in populations])
    return text


def headline(count: int, populations: list[str], topics: list[str], where: str) -> str:
    """Return the plain sentence for a search with few or no groups."""
    asked = need(populations, topics, count)
    if count == 0:
        return f"peerfind has no {asked} {where}."
    number = "one" if count == 1 else str(count)
    return f"peerfind has only {number} {asked} {where}."


def title(program: Program) -> str:
    """Return the program's name, with its organization unless the name already says it."""
    org = program.organization
    head = re.split(r"[(:,]", org)[0].strip().removeprefix("The ")
    short = re.findall(r"\(([A-Z]{2,})\)", org)
    if head in program.name or any(s in program.name for s in short):
        return program.name
    return f"{program.name}, {org}"


def program_brief(program: Program) -> list[str]:
    """Return the few lines a search shows for one program: name, link, online, helpline."""
    lines = _wrap(title(program), "  ", "* ")
    extras = []
    if program.online:
        extras.append("online groups too")
    if program.helpline:
        hours = f", {program.helpline_hours}" if program.helpline_hours else ""
        extras.append(program.helpline + hours)
    for extra in extras:
        lines += _wrap(extra, "  ")
    if program.link:
        lines.append("  " + program.link)
    return lines


def warmline_line(line: Warmline) -> list[str]:
    """Return one warmline as wrapped lines: name, number, hours."""
    return _wrap(
        f"Peer-run warmline ({line.state}, not a crisis line): {line.name}, call {line.phone}, "
        f"{line.hours}.",
        "  ",
        "",
    )


def dead_end_note(
    headline_text: str,
    programs: list[Program],
    warmlines: list[Warmline],
    more_command: str,
) -> str:
    """Return the note under a search with few results: what exists nationally, and by phone."""
    lines = [*_wrap(headline_text)]
    if programs:
        lines.append("National programs that run such groups (find one near you, or online):")
        for program in programs[:SHOWN_IN_SEARCH]:
            lines += program_brief(program)
    for line in warmlines:
        lines += warmline_line(line)
    more = f"More, with sources: {more_command}"
    lines += [more] if len(more) <= WIDTH else ["More, with sources:", "  " + more_command]
    return "\n".join(lines)


def program_full(program: Program) -> list[str]:
    """Return everything about one program as indented lines."""
    lines = _wrap(program.name)
    lines += _wrap(program.organization, "  ")
    lines += _wrap(program.about, "  ")
    tags = []
    if program.populations:
        tags.append("For: " + ", ".join(POPULATION_WORDS.get(p, p) for p in program.populations))
    if program.topics:
        tags.append("About: " + ", ".join(vocab.TOPICS.get(t, t) for t in program.topics))
    if tags:
        lines += _wrap(" · ".join(tags), "  ")
    if program.online is not None:
        lines.append("  Online groups: " + ("yes" if program.online else "no"))
    if program.online_schedule:
        lines += _wrap("Online schedule: " + program.online_schedule, "  ")
    if program.finder:
        lines.append("  Find a group: " + program.finder)
    if program.website:
        lines.append("  Website: " + program.website)
    if program.helpline:
        hours = f" ({program.helpline_hours})" if program.helpline_hours else ""
        lines += _wrap(program.helpline + hours, "  ")
    if program.languages:
        lines.append("  Languages: " + ", ".join(program.languages))
    lines.append(f"  Facts read {program.read} from public pages: -o json lists them.")
    return lines


def warmline_full(line: Warmline) -> list[str]:
    """Return everything about one warmline as indented lines."""
    lines = _wrap(f"{line.name} ({line.state})")
    if line.operator:
        lines += _wrap("Run by " + line.operator, "  ")
    lines.append(f"  Call {line.phone} · {terminal_safe(line.hours)}")
    lines += _wrap("Who: " + line.who, "  ")
    if line.languages:
        lines.append("  Languages: " + ", ".join(line.languages))
    return lines


def listing(programs: list[Program], warmlines: list[Warmline], state: str | None) -> str:
    """Return the `peerfind programs` text: programs, then warmlines."""
    out: list[str] = []
    if programs:
        out.append("National programs that run peer support groups")
        out.append("")
        for program in programs:
            out += program_full(program)
            out.append("")
    if warmlines:
        where = f" in {state}" if state else ""
        out.append(f"Peer-run warmlines{where}: non-crisis lines staffed by people with lived")
        out.append("experience")
        out.append("")
        for line in warmlines:
            out += warmline_full(line)
            out.append("")
    elif state:
        out.append(f"No peer-run warmline in {state} is listed yet.")
        out.append("")
    return "\n".join(out).rstrip("\n")
