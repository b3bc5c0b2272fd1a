"""Tidy what feeds publish: group IDs in names, HTML entities, who a name says a meeting is for."""

from __future__ import annotations

import html
import re

_LEADING_ID = re.compile(r"^\s*(\d{4,})\s+(?=\S)")
# Words in a meeting's own name that say who it is for -> population term.
_NAME_POPULATIONS = (
    (re.compile(r"\bwomen'?s?\b|\bwomyn\b|\bmujeres\b", re.I), "women"),
    (re.compile(r"(?<!wo)\bmen'?s\b|\bmen only\b|\bhombres\b", re.I), "men"),
    (re.compile(r"\blgbt[a-z+]*|\bqueer\b|\bgay\b|\blesbian\b", re.I), "lgbtq"),
    (re.compile(r"\btrans(gender)?\b|\bnon-?binary\b", re.I), "transgender"),
    (re.compile(r"\byoung people'?s?\b|\byoung adults?\b", re.I), "young_adults"),
    (re.compile(r"\balateen\b|\bteens?\b", re.I), "youth"),
    (re.compile(r"\bveterans?\b", re.I), "veterans"),
)


def strip_group_id(name: str, key: str = "") -> str:
    """Return a meeting name without the feed's leading numeric group ID ("35119 Izzy Does It AFG"
    -> "Izzy Does It AFG"). The number goes when the listing's key starts with it (the feed's
    own slug), or when it has five or more digits; "12 Steps to Recovery" keeps its 12."""
    match = _LEADING_ID.match(name)
    if not match:
        return name
    number = match[1]
    if len(number) >= 5 or key.startswith(number + "-") or key == number:
        return name[match.end() :]
    return name


def unescape(text: str) -> str:
    """Return text with HTML entities (&amp;, &#39; …) decoded, as a reader expects."""
    return html.unescape(text) if "&" in text else text


def name_populations(name: str) -> tuple[str, ...]:
    """Return the populations a meeting's own name states ("Women's Step AFG" -> women)."""
    return tuple(sorted({term for pattern, term in _NAME_POPULATIONS if pattern.search(name)}))
