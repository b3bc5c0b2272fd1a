"""Controlled vocabularies (populations, topics, formats, days, programs, languages), synonyms."""

from __future__ import annotations

import difflib
import functools
import re

from peerfind.errors import UsageError

POPULATIONS: dict[str, str] = {
    "veterans": "Veterans, service members and their families",
    "lgbtq": "LGBTQ+ people",
    "transgender": "Transgender and non-binary people",
    "youth": "Teens and children",
    "young_adults": "Young adults",
    "older_adults": "Older adults and seniors",
    "women": "Women",
    "men": "Men",
    "families": "Families, friends and caregivers",
    "bipoc": "Black, Indigenous and people of colour",
    "indigenous": "Indigenous and Native American people",
    "newcomers": "Newcomers and beginners",
    "deaf_hoh": "Deaf and hard of hearing people",
}

TOPICS: dict[str, str] = {
    "mental_health": "Mental health",
    "depression_bipolar": "Depression and bipolar disorder",
    "anxiety": "Anxiety",
    "grief_loss": "Grief and loss",
    "suicide_loss": "Loss to suicide",
    "substance_use": "Substance use and addiction recovery",
    "alcohol": "Alcohol",
    "eating_disorders": "Eating disorders",
    "psychosis": "Psychosis and schizophrenia",
    "trauma_ptsd": "Trauma and PTSD",
    "postpartum": "Pregnancy and postpartum",
    "gambling": "Gambling",
    "chronic_illness": "Chronic illness",
}

IN_PERSON, ONLINE, HYBRID, PHONE = "in_person", "online", "hybrid", "phone"
FORMATS: dict[str, str] = {
    IN_PERSON: "Meets in person",
    ONLINE: "Meets online (video)",
    HYBRID: "In person and online",
    PHONE: "By phone",
}

# Broader terms and the narrower ones they include: `-t substance_use` also finds alcohol and
# gambling recovery groups, `-t mental_health` depression, anxiety, psychosis and the rest.
NARROWER: dict[str, dict[str, tuple[str, ...]]] = {
    "topic": {
        "substance_use": ("alcohol", "gambling"),
        "mental_health": (
            "depression_bipolar",
            "anxiety",
            "psychosis",
            "trauma_ptsd",
            "eating_disorders",
            "postpartum",
        ),
        "grief_loss": ("suicide_loss",),
    },
    "population": {"lgbtq": ("transgender",)},
}

ACCESSIBILITY: dict[str, str] = {
    "wheelchair": "Wheelchair accessible",
    "asl": "American Sign Language",
}

ACTIVE, TEMPORARILY_CLOSED, REMOVED, INACTIVE = (
    "active",
    "temporarily_closed",
    "removed",
    "inactive",
)
STATUSES = (ACTIVE, TEMPORARILY_CLOSED, REMOVED, INACTIVE)

GEO_PRECISIONS = ("exact", "postal", "city", "none")

# Weekdays: 0 = Sunday ... 6 = Saturday (the Meeting Guide convention, used throughout).
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
DAY_ABBR = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")

SYNONYMS: dict[str, str] = {
    # populations
    "vets": "veterans",
    "veteran": "veterans",
    "military": "veterans",
    "service_members": "veterans",
    "lgbt": "lgbtq",
    "lgbtq+": "lgbtq",
    "lgbtqia": "lgbtq",
    "lgbtqia+": "lgbtq",
    "queer": "lgbtq",
    "gay": "lgbtq",
    "lesbian": "lgbtq",
    "bisexual": "lgbtq",
    "trans": "transgender",
    "nonbinary": "transgender",
    "non_binary": "transgender",
    "teens": "youth",
    "teen": "youth",
    "kids": "youth",
    "children": "youth",
    "young_people": "young_adults",
    "young_adult": "young_adults",
    "seniors": "older_adults",
    "senior": "older_adults",
    "elders": "older_adults",
    "woman": "women",
    "man": "men",
    "family": "families",
    "caregivers": "families",
    "caregiver": "families",
    "parents": "families",
    "friends_and_family": "families",
    "poc": "bipoc",
    "people_of_color": "bipoc",
    "black": "bipoc",
    "native": "indigenous",
    "native_american": "indigenous",
    "newcomer": "newcomers",
    "beginners": "newcomers",
    "beginner": "newcomers",
    "deaf": "deaf_hoh",
    "hard_of_hearing": "deaf_hoh",
    # topics
    "mental_illness": "mental_health",
    "depression": "depression_bipolar",
    "bipolar": "depression_bipolar",
    "grief": "grief_loss",
    "loss": "grief_loss",
    "bereavement": "grief_loss",
    "suicide": "suicide_loss",
    "addiction": "substance_use",
    "recovery": "substance_use",
    "drugs": "substance_use",
    "aa": "alcohol",
    "eating_disorder": "eating_disorders",
    "ptsd": "trauma_ptsd",
    "trauma": "trauma_ptsd",
    "schizophrenia": "psychosis",
    "perinatal": "postpartum",
    "maternal": "postpartum",
    # formats
    "in_person": IN_PERSON,
    "inperson": IN_PERSON,
    "in-person": IN_PERSON,
    "face_to_face": IN_PERSON,
    "virtual": ONLINE,
    "zoom": ONLINE,
    "video": ONLINE,
    "remote": ONLINE,
    "both": HYBRID,
    "telephone": PHONE,
    "call_in": PHONE,
}

_KINDS: dict[str, dict[str, str]] = {
    "population": POPULATIONS,
    "topic": TOPICS,
    "format": FORMATS,
    "accessibility": ACCESSIBILITY,
}


def _key(word: str) -> str:
    """Return the lookup key of a user's or source's word: lower case, runs of space/dash as '_'."""
    return re.sub(r"[\s\-]+", "_", word.strip().lower())


def normalize(kind: str, word: str) -> str:
    """Return the vocabulary term for `word` of kind population/topic/format/accessibility.

    Raises UsageError naming the closest term when the word is unknown.
    """
    terms = _KINDS[kind]
    key = _key(word)
    if key in terms:
        return key
    if key.rstrip("s") in terms:
        return key.rstrip("s")
    mapped = SYNONYMS.get(key) or SYNONYMS.get(word.strip().lower())
    if mapped in terms:
        return mapped
    pool = list(terms) + [k for k, v in SYNONYMS.items() if v in terms]
    close = difflib.get_close_matches(key, pool, n=1, cutoff=0.6)
    hint = f" Did you mean {SYNONYMS.get(close[0], close[0])!r}?" if close else ""
    raise UsageError(
        f"unknown {kind} {word!r}.{hint} Known: {', '.join(terms)} (see `peerfind tags`)."
    )


def with_narrower(kind: str, term: str) -> list[str]:
    """Return a vocabulary term followed by every narrower term it includes (see NARROWER)."""
    out = [term]
    for child in NARROWER.get(kind, {}).get(term, ()):
        out += [t for t in with_narrower(kind, child) if t not in out]
    return out


def parse_day(word: str) -> int:
    """Return 0 (Sunday) … 6 (Saturday) for a day name or abbreviation, or raise UsageError."""
    key = word.strip().lower()[:3]
    if key in DAY_ABBR and DAY_NAMES[DAY_ABBR.index(key)].lower().startswith(word.strip().lower()):
        return DAY_ABBR.index(key)
    close = difflib.get_close_matches(word.strip().lower(), [d.lower() for d in DAY_NAMES], n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise UsageError(f"unknown day {word!r}.{hint} Use mon, tue, … sun, today or tomorrow.")


def encode_tags(tags: list[str] | tuple[str, ...]) -> str:
    """Return tags as the catalog stores them: '|a|b|' (so a LIKE '%|a|%' test can use an index)."""
    return "|" + "|".join(sorted(set(tags))) + "|" if tags else ""


def decode_tags(text: str | None) -> list[str]:
    """Return the list of tags stored as '|a|b|'."""
    return [t for t in (text or "").split("|") if t]


# Fellowships and programs of listings (AA, Al-Anon, …): code -> (short label, full name)
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

_PROGRAM_ALIASES = {"alanon": "al-anon", "alateen": "al-anon", "rd": "recovery-dharma"}


def _program_key(word: str) -> str:
    """Return the lookup key of a program name: lower case, spaces and dashes as '-'."""
    return re.sub(r"[\s_\-]+", "-", word.strip().lower())


def normalize_program(word: str) -> str:
    """Return the program code for a code, label or full name; raise UsageError otherwise."""
    key = _program_key(word)
    if key in PROGRAMS:
        return key
    if key.replace("-", "") in _PROGRAM_ALIASES:
        return _PROGRAM_ALIASES[key.replace("-", "")]
    for code, (label, full) in PROGRAMS.items():
        if key in (_program_key(label), _program_key(full)):
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


@functools.cache
def _language_names() -> dict[str, str]:
    """Return language names -> ISO 639-1 codes, read once from data/languages.tsv."""
    from peerfind.paths import data_path

    names: dict[str, str] = {}
    with open(data_path("languages.tsv"), encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                name, _, code = line.rstrip("\n").partition("\t")
                names[name] = code
    return names


def language_named(name: str) -> str | None:
    """Return the ISO 639-1 code of a language named in English or in itself, or None.

    "Spanish", "español" and "espanol" all give "es" (case, spacing and accents are ignored).
    """
    import unicodedata

    text = " ".join(name.strip().lower().split())
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    names = _language_names()
    return names.get(text) or names.get(plain)
