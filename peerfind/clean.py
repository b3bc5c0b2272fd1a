"""Make untrusted web text safe: strip control and escape sequences, cap sizes, vet links."""

from __future__ import annotations

import re
import unicodedata

MAX_FIELD = 2_000
MAX_DESCRIPTION = 8_000
MAX_URL = 2_048

# ANSI/VT escape sequences (CSI, OSC, string controls, two-byte escapes), 7- and 8-bit forms.
# A string control (OSC/DCS/SOS/PM/APC) runs to BEL or ST; an unterminated one stops at the end of
# the line, so a stray ESC ] cannot swallow the rest of a description.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n\r]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"  # other escapes (charset, keypad, reset...) or a lone ESC
)
# Control characters, lone surrogates (unencodable: they would break storing and printing),
# invisible format characters used for spoofing (zero width space, word joiner and the invisible
# operators U+2060-U+2064, byte order mark, the tag characters U+E0000-U+E007F that can carry
# hidden text), and every bidirectional control (LRM, RLM, ALM, embeddings, overrides,
# isolates). Zero width (non-)joiners are kept: Persian, Indic scripts and emoji need them.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff\U000e0000-\U000e007f]"
)
# Vertical tab, form feed, NEL, line and paragraph separators: line breaks like \n.
_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_SAFE_SCHEMES = ("http://", "https://", "tel:", "mailto:")


def clean_text(value: object, limit: int = MAX_FIELD, multiline: bool = False) -> str:
    """Return `value` as text without escape sequences or control characters, capped."""
    if value is None:
        return ""
    text = str(value)
    if len(text) > 8 * limit + 4096:  # bound the work on huge input; the cap applies below
        text = text[: 8 * limit + 4096]
    text = unicodedata.normalize("NFC", text)
    text = _ESCAPES.sub("", text)
    text = _BREAKS.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not multiline:
        text = text.replace("\n", " ")
    text = _CONTROL.sub("", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def clean_url(value: object) -> str:
    """Return a link if it is http(s), tel or mailto and reasonably sized; otherwise ''."""
    text = clean_text(value, limit=10 * MAX_URL).replace(" ", "%20")
    if not text or len(text) > MAX_URL:
        return ""
    if text.lower().startswith(_SAFE_SCHEMES):
        return text
    if text.lower().startswith("www."):
        return "https://" + text
    return ""


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object) -> str:
    """Return a CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection rule).

    A cell is neutralized with a leading apostrophe when it starts with = + - @ tab CR or LF, also
    after leading spaces (importers may trim them) and in full-width form (＝ ＋ － ＠). Escape
    sequences and control characters other than tab and newline are removed (a CSV on stdout
    reaches a terminal).
    """
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    start = text.lstrip(" \u00a0\u3000")
    if start.startswith(_FORMULA_START) and not _is_plain_number(text) and not _is_phone(text):
        return "'" + text
    return text


def _is_plain_number(text: str) -> bool:
    """Return True for a number such as -71.1 that spreadsheets read as a value, not a formula.

    A leading '+' is not exempt: '+1' cells are neutralized like any other formula start.
    """
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


_PHONE_CELL = re.compile(r"\+\d[\d .()-]*\d")


def _is_phone(text: str) -> bool:
    """Return True for a phone number in international form (+1 555 010 0100): a '+', then only
    digits, spaces, dots, dashes and brackets, 7 to 15 digits (E.164). Nothing in it can call a
    function or reach another cell, so it is written as it is."""
    return _PHONE_CELL.fullmatch(text) is not None and 7 <= sum(c.isdigit() for c in text) <= 15


def terminal_safe(value: object) -> str:
    """Return text with escape sequences and control characters removed (newlines kept)."""
    return clean_text(value, limit=10**6, multiline=True)


# The look-behind makes a match start only where a run of address characters starts: without it
# a long run with no '@' costs quadratic time (a 100 kB field took minutes).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")
# Whole words only: "dialectical", "spin", "recall" or "context" must not hide a line.
_SECRET_LINE = re.compile(
    r"(pass\s*code|password|\bpwd\b|meeting\s*id|zoom\s*id|\bdial(?:-?in|ing|ed)?\b|\bpin\b"
    r"|\bcall\s|\btext\s|\bcontact)",
    re.IGNORECASE,
)


def scrub_personal(text: str) -> str:
    """Return text without e-mails, phone numbers and lines with meeting IDs or passcodes.

    Huge input is cut first (the result is a description, capped at MAX_DESCRIPTION anyway).
    """
    text = text[: 8 * MAX_DESCRIPTION + 4096]
    kept = [line for line in text.splitlines() if not _SECRET_LINE.search(line)]
    text = "\n".join(kept)
    text = _EMAIL.sub("[e-mail removed]", text)
    return _PHONE.sub("[phone removed]", text).strip()


def is_placeholder_contact(value: str) -> bool:
    """Return True for demo contact data such as admin@test.com or a 555 number."""
    lower = value.lower()
    if re.search(r"[@/.](test|example|site)\.(com|org|net)/?$", lower):
        return True
    digits = re.sub(r"\D", "", lower)
    return len(digits) >= 10 and digits[-7:-4] == "555"
