"""Controlled vocabularies (populations, topics, formats, days) and their synonyms."""

from __future__ import annotations

import difflib
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
