"""Place-name normalisation and the US state table shared by the gazetteer and its build script.

Only the standard library is imported here: this module sits on the search path.
"""

from __future__ import annotations

import re
import unicodedata

# Whole-word abbreviations expanded in place names (never in the state part of a query).
ABBREVIATIONS: dict[str, str] = {
    "st": "saint",
    "ste": "sainte",
    "mt": "mount",
    "mtn": "mountain",
    "ft": "fort",
    "pt": "point",
    "hts": "heights",
    "spgs": "springs",
    "spg": "spring",
    "jct": "junction",
    "ctr": "center",
    "hbr": "harbor",
    "bch": "beach",
    "lk": "lake",
    "vlg": "village",
    "vly": "valley",
    "twp": "township",
}
# A leading compass letter is expanded only when more words follow ("N Las Vegas").
DIRECTIONS: dict[str, str] = {"n": "north", "s": "south", "e": "east", "w": "west"}

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# (abbreviation, name, AP and other written forms). 50 states, DC and the inhabited territories.
STATES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("AL", "Alabama", ("Ala.",)),
    ("AK", "Alaska", ()),
    ("AZ", "Arizona", ("Ariz.",)),
    ("AR", "Arkansas", ("Ark.",)),
    ("CA", "California", ("Calif.", "Cal.")),
    ("CO", "Colorado", ("Colo.",)),
    ("CT", "Connecticut", ("Conn.",)),
    ("DE", "Delaware", ("Del.",)),
    ("DC", "District of Columbia", ("D.C.",)),
    ("FL", "Florida", ("Fla.",)),
    ("GA", "Georgia", ("Ga.",)),
    ("HI", "Hawaii", ()),
    ("ID", "Idaho", ()),
    ("IL", "Illinois", ("Ill.",)),
    ("IN", "Indiana", ("Ind.",)),
    ("IA", "Iowa", ()),
    ("KS", "Kansas", ("Kan.", "Kans.")),
    ("KY", "Kentucky", ("Ky.",)),
    ("LA", "Louisiana", ("La.",)),
    ("ME", "Maine", ()),
    ("MD", "Maryland", ("Md.",)),
    ("MA", "Massachusetts", ("Mass.",)),
    ("MI", "Michigan", ("Mich.",)),
    ("MN", "Minnesota", ("Minn.",)),
    ("MS", "Mississippi", ("Miss.",)),
    ("MO", "Missouri", ("Mo.",)),
    ("MT", "Montana", ("Mont.",)),
    ("NE", "Nebraska", ("Neb.", "Nebr.")),
    ("NV", "Nevada", ("Nev.",)),
    ("NH", "New Hampshire", ("N.H.", "N. Hampshire")),
    ("NJ", "New Jersey", ("N.J.", "N. Jersey")),
    ("NM", "New Mexico", ("N.M.", "N. Mexico")),
    ("NY", "New York", ("N.Y.",)),
    ("NC", "North Carolina", ("N.C.", "N. Carolina")),
    ("ND", "North Dakota", ("N.D.", "N. Dakota")),
    ("OH", "Ohio", ()),
    ("OK", "Oklahoma", ("Okla.",)),
    ("OR", "Oregon", ("Ore.", "Oreg.")),
    ("PA", "Pennsylvania", ("Pa.", "Penn.", "Penna.")),
    ("RI", "Rhode Island", ("R.I.",)),
    ("SC", "South Carolina", ("S.C.", "S. Carolina")),
    ("SD", "South Dakota", ("S.D.", "S. Dakota")),
    ("TN", "Tennessee", ("Tenn.",)),
    ("TX", "Texas", ("Tex.",)),
    ("UT", "Utah", ()),
    ("VT", "Vermont", ("Vt.",)),
    ("VA", "Virginia", ("Va.",)),
    ("WA", "Washington", ("Wash.",)),
    ("WV", "West Virginia", ("W.Va.", "W. Virginia")),
    ("WI", "Wisconsin", ("Wis.", "Wisc.")),
    ("WY", "Wyoming", ("Wyo.",)),
    ("PR", "Puerto Rico", ("P.R.",)),
    ("GU", "Guam", ()),
    ("VI", "U.S. Virgin Islands", ("Virgin Islands", "V.I.", "USVI")),
    ("AS", "American Samoa", ()),
    ("MP", "Northern Mariana Islands", ("N. Mariana Islands", "CNMI")),
    ("FM", "Federated States of Micronesia", ("Micronesia",)),
    ("MH", "Marshall Islands", ()),
    ("PW", "Palau", ()),
)

STATE_NAMES: dict[str, str] = {code: name for code, name, _ in STATES}


def _state_forms() -> dict[str, str]:
    """Map the compact form of every way of writing a state to its abbreviation."""
    forms: dict[str, str] = {}
    for code, name, others in STATES:
        for text in (code, name, *others):
            forms[_compact(_fold(text))] = code
    return forms


def _fold(text: str) -> str:
    """Return text without accents, lower-cased, with each run of non-alphanumerics as one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()


def _compact(text: str) -> str:
    """Return text with every space removed."""
    return text.replace(" ", "")


def normalize(name: str) -> str:
    """Normalise a place name: no accents, lower case, single spaces, abbreviations expanded.

    "St. Louis" -> "saint louis", "Coeur d'Alene" -> "coeur d alene", "N Las Vegas" ->
    "north las vegas". Apply it to place names only, never to a state part ("MT" is Montana).
    """
    words = _fold(name).split()
    out = [ABBREVIATIONS.get(word, word) for word in words]
    if len(out) > 1 and out[0] in DIRECTIONS:
        out[0] = DIRECTIONS[out[0]]
    return " ".join(out)


def name_key(name: str) -> str:
    """Return the compact lookup key of a place name: normalize() with all spaces removed."""
    return _compact(normalize(name))


_STATE_FORMS = _state_forms()


def state_code(text: str) -> str | None:
    """Return the two-letter code for a written state ("Ore.", "oregon", "OR"), else None."""
    return _STATE_FORMS.get(_compact(_fold(text)))


def state_name(code: str) -> str:
    """Return the full name of a state code ("OR" -> "Oregon"); unknown codes come back as given."""
    return STATE_NAMES.get(code, code)
