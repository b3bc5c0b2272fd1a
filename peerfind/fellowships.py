"""Fellowships and programs of listings (AA, Al-Anon, …): labels, full names, who they are for."""

from __future__ import annotations

import difflib
import re

from peerfind.errors import UsageError

# code -> (short label for the table, full name)
PROGRAMS: dict[str, tuple[str, str]] = {
    "aa": ("AA", "Alcoholics Anonymous"),
    "al-anon": ("Al-Anon", "Al-Anon Family Groups"),
    "na": ("NA", "Narcotics Anonymous"),
    "ca": ("CA", "Cocaine Anonymous"),
    "cma": ("CMA", "Crystal Meth Anonymous"),
    "eda": ("EDA", "Eating Disorders Anonymous"),
    "ea": ("EA", "Emotions Anonymous"),
    "ga": ("GA", "Gamblers Anonymous"),
    "aca": ("ACA", "Adult Children of Alcoholics"),
    "coda": ("CoDA", "Co-Dependents Anonymous"),
    "recovery-dharma": ("RD", "Recovery Dharma"),
    "refuge-recovery": ("Refuge", "Refuge Recovery"),
    "nami": ("NAMI", "National Alliance on Mental Illness"),
    "dbsa": ("DBSA", "Depression and Bipolar Support Alliance"),
}

# Who a program's meetings are for, where a public page says so (cited next to each):
FOR_WHOM: dict[str, str] = {
    # "Alcoholics Anonymous (AA) is for people with AUD who want to stop drinking. Al-Anon is for
    # those who care about someone with AUD" - https://www.addictiongroup.org/treatment/alateen/
    "aa": "people who want to stop drinking",
    # Al-Anon: "a program of recovery for the families and friends of alcoholics"
    # - https://recovered.org/treatment/support-groups/alateen (quoting Al-Anon)
    "al-anon": "families and friends of people who drink",
    # "a fellowship of young Al-Anon members, usually teenagers, whose lives have been affected
    # by someone else's drinking" - https://elunanetwork.org/resources/alateen
    "alateen": "teenagers affected by someone else's drinking",
}

_ALIASES = {"alanon": "al-anon", "alateen": "al-anon", "rd": "recovery-dharma"}


def _key(word: str) -> str:
    """Return the lookup key of a program name: lower case, spaces and dashes as '-'."""
    return re.sub(r"[\s_\-]+", "-", word.strip().lower())


def normalize(word: str) -> str:
    """Return the program code for a code, label or full name; raise UsageError otherwise."""
    key = _key(word)
    if key in PROGRAMS:
        return key
    if key.replace("-", "") in _ALIASES:
        return _ALIASES[key.replace("-", "")]
    for code, (label, full) in PROGRAMS.items():
        if key in (_key(label), _key(full)):
            return code
    close = difflib.get_close_matches(key, list(PROGRAMS), n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise UsageError(f"unknown program {word!r}.{hint} Known: {', '.join(PROGRAMS)}.")


def is_alateen(program: str, name: str, populations: tuple[str, ...] | list[str]) -> bool:
    """Return True for an Al-Anon listing that is an Alateen meeting (teens)."""
    return program == "al-anon" and ("alateen" in name.lower() or "youth" in populations)


def label(program: str, name: str = "", populations: tuple[str, ...] | list[str] = ()) -> str:
    """Return the short label shown in the table ("AA", "Al-Anon", "Alateen"), or ''."""
    if is_alateen(program, name, populations):
        return "Alateen"
    return PROGRAMS.get(program, (program.upper() if program else "", ""))[0]


def for_whom(program: str, name: str = "", populations: tuple[str, ...] | list[str] = ()) -> str:
    """Return who a program's meetings are for ("families and friends of people who drink")."""
    if is_alateen(program, name, populations):
        return FOR_WHOM["alateen"]
    return FOR_WHOM.get(program, "")


def full_name(program: str) -> str:
    """Return a program's full name, or its code when unknown."""
    return PROGRAMS.get(program, ("", program))[1]
