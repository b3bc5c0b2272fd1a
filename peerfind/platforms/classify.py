"""Tell peer-support groups from other calendar events, and read populations and topics from text.

Event calendars (The Events Calendar, iCalendar feeds, schema.org Event pages, HSDS directories)
mix support groups with trainings, fundraisers, board meetings, classes and concerts. `classify()`
looks at an event's title and categories (and, for strong phrases only, its description) and says
whether it is a support group; `tags()` reads peerfind vocabulary terms (vocab.POPULATIONS /
vocab.TOPICS) from text. Every term in the tables below is a canonical vocabulary key, so
vocab.normalize(kind, term) == term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

NOT_SUPPORT = "not a support group"

# Words that make an event something other than a support group, even when it mentions one
# ("Support Group Facilitator Training", "NAMIWalks", "Board Meeting").
SKIP_PATTERNS: tuple[str, ...] = (
    r"\bgala\b",
    r"\bwalks?\b",
    r"namiwalks",
    r"\b5k\b",
    r"\bfun ?run\b",
    r"fundrais",
    r"\bauction\b",
    r"\bgolf\b",
    r"\bluncheon\b",
    r"\bbenefit\b",
    r"\btrainings?\b",
    r"\bcertification\b",
    r"\bboard (meeting|of directors)\b",
    r"\bcommittee\b",
    r"\bvolunteer orientation\b",
    r"\bconference\b",
    r"\bsummit\b",
    r"\bwebinar\b",
    r"\bconcert\b",
    r"\bexhibition\b",
    r"\btour\b",
    r"\bfilm\b",
    r"\bscreening\b",
    r"\bmental health first aid\b",
    r"\bcit\b",
    r"\bfamily[- ]to[- ]family\b",
    r"\bpeer[- ]to[- ]peer\b",
    r"\bclass(es)?\b",
    r"\bcourse\b",
    r"\bfair\b",
    r"\bfestival\b",
    r"\bparty\b",
    r"\bvenue rental\b",
)

# Words in a title or category that mark a support group or a mutual-aid meeting.
SUPPORT_PATTERNS: tuple[str, ...] = (
    r"support (group|meeting|circle)s?",
    r"\bpeer[- ](support|led|group|recovery)",
    r"\bconnection\b",
    r"\bfamily support\b",
    r"\bcaregivers?\b",
    r"\bsharing circle\b",
    r"\bgrief\b",
    r"\bbereavement\b",
    r"\bsurvivors? of suicide\b",
    r"\bloss survivors?\b",
    r"\brecovery (group|meeting|circle)s?\b",
    r"\banonymous\b",
    r"\b12[- ]step\b",
    r"\btwelve[- ]step\b",
    r"\bal-?anon\b",
    r"\balateen\b",
    r"\bnar-?anon\b",
    r"\bsmart recovery\b",
    r"\blifering\b",
    r"\bdbsa\b",
    r"\bmutual[- ]aid\b",
    r"\bself[- ]help group",
)

# Category names (lower case, dashes as spaces) that by themselves mark support groups.
SUPPORT_CATEGORIES = frozenset(
    {
        "support",
        "support group",
        "support groups",
        "peer support",
        "recovery",
        "recovery meetings",
        "family support",
        "mutual aid",
    }
)

# Phrases strong enough to decide from a description alone.
STRONG_PATTERNS: tuple[str, ...] = (
    r"support group",
    r"peer[- ]led",
    r"peer support group",
    r"mutual[- ]aid group",
)

# (pattern, kind, vocabulary term): what a title/category/description says about who and what.
KEYWORD_TAGS: tuple[tuple[str, str, str], ...] = (
    (r"\bveterans?\b|\bmilitary\b|\bservice members?\b", "population", "veterans"),
    (r"lgbt|\bqueer\b|\bgay\b|\blesbian\b|\bbisexual\b|\bpride\b", "population", "lgbtq"),
    (r"\btrans(gender)?\b|non-?binary|gender[- ](diverse|expansive)", "population", "transgender"),
    (
        r"\bteens?\b|\byouth\b|\badolescents?\b|\balateen\b|\bkids\b|\bchildren\b",
        "population",
        "youth",
    ),
    (r"young adults?", "population", "young_adults"),
    (r"\bseniors?\b|older adults?", "population", "older_adults"),
    (r"\bwomen'?s?\b|\bmothers\b|\bmoms\b", "population", "women"),
    (r"\bmen'?s?\b|\bfathers\b|\bdads\b", "population", "men"),
    (
        r"\bfamil(y|ies)\b|\bcaregivers?\b|\bparents?\b|\bloved ones?\b|\bal-?anon\b",
        "population",
        "families",
    ),
    (r"\bbipoc\b|people of colou?r|\bblack\b|\blatin[ax]\b|\blatine\b", "population", "bipoc"),
    (r"\bindigenous\b|native american", "population", "indigenous"),
    (r"\bnewcomers?\b|\bbeginners?\b", "population", "newcomers"),
    (r"\bdeaf\b|hard of hearing|\basl\b|sign language", "population", "deaf_hoh"),
    (
        r"mental (health|illness)|\bnami\b|\bconnection\b|\bemotions anonymous\b",
        "topic",
        "mental_health",
    ),
    (r"depress|bipolar|\bdbsa\b|mood disorder", "topic", "depression_bipolar"),
    (r"\banxiety\b|\bpanic\b|\bocd\b", "topic", "anxiety"),
    (r"\bgrief\b|\bbereave|\bloss\b|\bwidow", "topic", "grief_loss"),
    (
        r"suicide loss|survivors? of suicide|loss to suicide|suicide bereavement",
        "topic",
        "suicide_loss",
    ),
    (
        r"addiction|substance|narcotics|\bdrugs?\b|\bsober|smart recovery|lifering|recovery (group|"
        r"meeting)",
        "topic",
        "substance_use",
    ),
    (r"alcohol|al-?anon|alateen|\baa\b", "topic", "alcohol"),
    (r"eating disorder|anorexi|bulimi|binge eating", "topic", "eating_disorders"),
    (r"psychosis|schizo|hearing voices", "topic", "psychosis"),
    (r"trauma|\bptsd\b", "topic", "trauma_ptsd"),
    (r"postpartum|perinatal|maternal|pregnan", "topic", "postpartum"),
    (r"gambl", "topic", "gambling"),
    (
        r"chronic (illness|pain)|\bcancer\b|parkinson|dementia|alzheimer|\bstroke\b",
        "topic",
        "chronic_illness",
    ),
)

_CANCELLED = re.compile(r"^\s*\**\s*(cancel+ed|postponed)\s*\**\s*[:\-–|]?\s*", re.I)


@dataclass(frozen=True)
class Verdict:
    """The outcome of classify(): whether to keep an event, why, and what it is about."""

    keep: bool
    reason: str
    populations: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


def _any(patterns: Iterable[str], text: str) -> bool:
    """Return True when any regular expression in `patterns` matches `text` (case-insensitively)."""
    return any(re.search(p, text, re.I) for p in patterns)


def tags(*texts: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (populations, topics) named in the given texts, as sorted vocabulary terms."""
    text = " \n ".join(t for t in texts if t)
    found = {(kind, term) for pat, kind, term in KEYWORD_TAGS if re.search(pat, text, re.I)}
    pops = sorted(term for kind, term in found if kind == "population")
    topics = sorted(term for kind, term in found if kind == "topic")
    return tuple(pops), tuple(topics)


def classify(
    title: str,
    categories: Iterable[str] = (),
    description: str = "",
    extra_keywords: Iterable[str] = (),
    extra_skips: Iterable[str] = (),
    keep_all: bool = False,
) -> Verdict:
    """Return whether an event is a support group, judged by title, categories and description.

    A skip word in the title or a category (training, gala, walk, board meeting, tour, …) rejects
    the event; otherwise a support word in the title or categories, or a strong phrase such as
    "support group" in the description, accepts it. `extra_keywords`/`extra_skips` are plain
    case-insensitive words from a source's configuration; `keep_all` accepts every event (tags are
    still read).
    """
    categories = tuple(categories)
    cats = " | ".join(c for c in categories if c)
    head = f"{title} | {cats}"
    pops, topics = tags(title, cats, description)
    skips = list(SKIP_PATTERNS) + [re.escape(w) for w in extra_skips if w]
    supports = list(SUPPORT_PATTERNS) + [re.escape(w) for w in extra_keywords if w]
    if keep_all:
        return Verdict(True, "kept (all events)", pops, topics)
    if _any(skips, head):
        return Verdict(False, NOT_SUPPORT, pops, topics)
    cat_keys = {re.sub(r"[\s_-]+", " ", c.strip().lower()) for c in categories if c}
    if _any(supports, head) or cat_keys & SUPPORT_CATEGORIES or _any(STRONG_PATTERNS, description):
        return Verdict(True, "support group", pops, topics)
    return Verdict(False, NOT_SUPPORT, pops, topics)


def strip_cancelled(title: str) -> tuple[str, bool]:
    """Return (title without a '*CANCELED*'-style prefix, whether the prefix was there)."""
    match = _CANCELLED.match(title)
    if not match:
        return title, False
    return title[match.end() :].strip(), True
