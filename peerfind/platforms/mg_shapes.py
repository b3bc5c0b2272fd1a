"""Field shapes Meeting Guide feeds really use, read the way the reference loaders read them.

code4recovery/tsml-ui (src/helpers/load-meeting-data.ts, data/translate-google-sheet.ts) and the
TSML plugin's importer (code4recovery/12-step-meeting-list includes/functions_import.php) accept
more than the spec: `day` as a list or an English day name, 12-hour times ("6:00 PM"), `updated`
as "10/31/2022" or "m/d/yyyy h:mm:ss AM", `types` as one string of codes or names ("Open, Women",
"[open]"), integer `slug` and `postal_code`, and a whole address in `address`. These pure helpers
turn each into what peerfind stores; meeting_guide.py and tsml_csv.py call them.
"""

from __future__ import annotations

import re

_CLOCK = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s*(?:([ap])\.?\s*m\.?)?\s*$", re.I)
_DAY_NAMES = {
    name: i
    for i, name in enumerate(
        ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
    )
}

# Type names as the TSML plugin shows them, for AA (its default program), mapped to codes:
# code4recovery/12-step-meeting-list includes/variables.php ('aa' => 'types', plus ONL and TC
# added for every program) and includes/functions.php tsml_languages() with the 'aa'
# substitutions, @ 58ae0c0c8b077ef09cbe7615b7d4a4508206eb53 (GPL-2.0).
TYPE_NAMES: dict[str, str] = {
    "11th Step Meditation": "11",
    "12 Steps & 12 Traditions": "12x12",
    "Secular": "A",
    "As Bill Sees It": "ABSI",
    "Concurrent with Alateen": "AL",
    "Concurrent with Al-Anon": "AL-AN",
    "American Sign Language": "ASL",
    "Big Book": "B",
    "Babysitting Available": "BA",
    "Newcomer": "BE",
    "Bisexual": "BI",
    "Breakfast": "BRK",
    "Closed": "C",
    "Candlelight": "CAN",
    "Child-Friendly": "CF",
    "Discussion": "D",
    "Digital Basket": "DB",
    "Dual Diagnosis": "DD",
    "Daily Reflections": "DR",
    "Fragrance Free": "FF",
    "Gay": "G",
    "Grapevine": "GR",
    "Birthday": "H",
    "Lesbian": "L",
    "LGBTQ": "LGBTQ",
    "Literature": "LIT",
    "Living Sober": "LS",
    "Men": "M",
    "Meditation": "MED",
    "Native American": "N",
    "Non-Binary": "NB",
    "Indigenous": "NDG",
    "Open": "O",
    "Outdoor": "OUT",
    "Professionals": "P",
    "Proof of Attendance": "POA",
    "People of Color": "POC",
    "Seniors": "SEN",
    "Smoking Permitted": "SM",
    "Speaker": "SP",
    "Step Study": "ST",
    "Transgender": "T",
    "Tradition Study": "TR",
    "Women": "W",
    "Wheelchair Access": "X",
    "Wheelchair-Accessible Bathroom": "XB",
    "Cross Talk Permitted": "XT",
    "Young People": "Y",
    "CMA": "abbr",
    "Crystal Meth Anonymous": "name",
    "Online Meeting": "ONL",
    "Location Temporarily Closed": "TC",
    "Temporary Closure": "TC",  # TC's name from aa249ab6 (2020-03-12) to 41e9b72c (2020-04-12)
    "Afrikaans": "AF",
    "Amharic": "AM",
    "Arabic": "AR",
    "Bulgarian": "BG",
    "Danish": "DA",
    "German": "DE",
    "Greek": "EL",
    "English": "EN",
    "Spanish": "S",
    "Persian": "FA",
    "Finnish": "FI",
    "French": "FR",
    "Hebrew": "HE",
    "Hindi": "HI",
    "Croatian": "HR",
    "Hungarian": "HU",
    "Icelandic": "IS",
    "Italian": "ITA",
    "Japanese": "JA",
    "Georgian": "KA",
    "Korean": "KOR",
    "Lithuanian": "LT",
    "Malayalam": "ML",
    "Maltese": "MT",
    "Nepali": "NE",
    "Dutch": "NL",
    "Norwegian": "NO",
    "Punjabi": "PUN",
    "Polish": "POL",
    "Portuguese": "POR",
    "Russian": "RUS",
    "Slovak": "SK",
    "Slovenian": "SL",
    "Swedish": "SV",
    "Thai": "TH",
    "Tagalog": "TL",
    "Turkish": "TUR",
    "Ukrainian": "UK",
}
_TYPE_BY_NAME = {name.lower(): code for name, code in TYPE_NAMES.items()}


def clock(value: object) -> str | None:
    """Return 'HH:MM' for a feed time: '7:30', '19:30:00', '6:00 PM' or '11:00am'; else None."""
    if value is None or isinstance(value, bool) or not str(value).strip():
        return None
    match = _CLOCK.match(str(value))
    if not match or (match[2] is None and not match[3]):
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3].lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def weekday(value: object) -> int | None:
    """Return 0 (Sunday) … 6 for a feed day: 3, '3' or 'Wednesday'; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lower() in _DAY_NAMES:
        return _DAY_NAMES[value.strip().lower()]
    try:
        day = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return day if 0 <= day <= 6 else None


def type_codes(value: object) -> list[str]:
    """Return type codes from a list, or one string of codes or TSML names ('Open, Women')."""
    if isinstance(value, str):
        value = value.strip().strip("[]").split(",")
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        if not isinstance(item, str | int) or isinstance(item, bool):
            continue
        text = str(item).strip()
        if text:
            out.append(_TYPE_BY_NAME.get(text.lower(), text.upper())[:16])
    return out[:50]


def postal(value: object, country: object = "") -> str:
    """Return a postal code as text; an integer US ZIP gets back the zeros it lost."""
    if value is None or isinstance(value, bool):
        return ""
    text = str(value).strip()
    if (
        isinstance(value, int)
        and str(country or "US").strip().upper() in ("US", "USA")
        and len(text) < 5
    ):
        text = text.zfill(5)
    return text


def slug(value: object) -> str:
    """Return a feed slug or id as text ('' when missing); integers such as 5202 become '5202'."""
    if value is None or isinstance(value, bool):
        return ""
    return str(value).strip()
