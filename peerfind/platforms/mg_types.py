"""Meeting Guide type codes mapped onto peerfind's vocabularies (reference/formats.md 1.5)."""

from __future__ import annotations

# code -> (populations, topics, languages, accessibility)
Mapping = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]

_LANGS = {
    "AF": "af",
    "AM": "am",
    "AR": "ar",
    "BG": "bg",
    "DA": "da",
    "DE": "de",
    "EL": "el",
    "EN": "en",
    "FA": "fa",
    "FI": "fi",
    "FR": "fr",
    "HE": "he",
    "HI": "hi",
    "HR": "hr",
    "HU": "hu",
    "IS": "is",
    "ITA": "it",
    "JA": "ja",
    "KA": "ka",
    "KOR": "ko",
    "LT": "lt",
    "ML": "ml",
    "MT": "mt",
    "NE": "ne",
    "NL": "nl",
    "NO": "no",
    "POL": "pl",
    "POR": "pt",
    "PUN": "pa",
    "RUS": "ru",
    "S": "es",
    "SK": "sk",
    "SL": "sl",
    "SV": "sv",
    "TH": "th",
    "TL": "tl",
    "TUR": "tr",
    "UK": "uk",
}

_BASE: dict[str, Mapping] = {
    "AL": (("youth", "families"), (), (), ()),
    "AL-AN": (("families",), (), (), ()),
    "ASL": (("deaf_hoh",), (), (), ("asl",)),
    "BE": (("newcomers",), (), (), ()),
    "BI": (("lgbtq",), (), (), ()),
    "DD": ((), ("mental_health", "substance_use"), (), ()),
    "G": (("lgbtq",), (), (), ()),
    "L": (("lgbtq",), (), (), ()),
    "LGBTQ": (("lgbtq",), (), (), ()),
    "LGBTQIAA+": (("lgbtq",), (), (), ()),
    "M": (("men",), (), (), ()),
    "N": (("indigenous",), (), (), ()),
    "NB": (("lgbtq", "transgender"), (), (), ()),
    "NDG": (("indigenous",), (), (), ()),
    "POC": (("bipoc",), (), (), ()),
    "SEN": (("older_adults",), (), (), ()),
    "T": (("transgender", "lgbtq"), (), (), ()),
    "W": (("women",), (), (), ()),
    "X": ((), (), (), ("wheelchair",)),
    "XB": ((), (), (), ("wheelchair",)),
    "Y": (("young_adults",), (), (), ()),
    "D-HOH": (("deaf_hoh",), (), (), ()),
    "QSL": (("deaf_hoh",), (), (), ()),
    "RSL": (("deaf_hoh",), (), (), ()),
}
_BASE.update({code: ((), (), (lang,), ()) for code, lang in _LANGS.items()})

# Per-program overrides: the same letter means different things in different fellowships.
_PROGRAMS: dict[str, dict[str, Mapping]] = {
    "al-anon": {
        "Y": (("youth",), (), (), ()),  # Alateen
        "POA": (("families",), (), (), ()),  # Parents of Alcoholics
        "YA": (("young_adults",), (), (), ()),
        "LGBTQIA": (("lgbtq",), (), (), ()),
    },
    "aca": {
        "BEG": (("newcomers",), (), (), ()),
        "S": ((), (), (), ()),
        "SP": ((), (), ("es",), ()),
    },
    "coda": {"TEEN": (("youth",), (), (), ())},
}

# Topic and populations that a fellowship implies for all its meetings.
PROGRAM_TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "aa": ((), ("alcohol",)),
    "al-anon": (("families",), ("alcohol",)),
    "na": ((), ("substance_use",)),
    "cma": ((), ("substance_use",)),
    "ca": ((), ("substance_use",)),
    "recovery-dharma": ((), ("substance_use",)),
    "refuge-recovery": ((), ("substance_use",)),
    "eda": ((), ("eating_disorders",)),
    "ga": ((), ("gambling",)),
    "ea": ((), ("mental_health",)),
}


def map_types(codes: list[str], program: str = "") -> Mapping:
    """Return (populations, topics, languages, accessibility) implied by a meeting's type codes."""
    table = {**_BASE, **_PROGRAMS.get(program, {})}
    pops: set[str] = set()
    topics: set[str] = set()
    langs: set[str] = set()
    access: set[str] = set()
    for code in codes:
        p, t, lang, a = table.get(code, ((), (), (), ()))
        pops.update(p)
        topics.update(t)
        langs.update(lang)
        access.update(a)
    return tuple(sorted(pops)), tuple(sorted(topics)), tuple(sorted(langs)), tuple(sorted(access))


def openness(codes: list[str]) -> str:
    """Return "open" (O: anyone may attend), "closed" (C: members only) or "" (not said / both)."""
    found = {"open" if c == "O" else "closed" for c in codes if c in ("O", "C")}
    return found.pop() if len(found) == 1 else ""
