"""Make untrusted web text safe: strip control and escape sequences, cap sizes, vet links."""

from __future__ import annotations

import re
import unicodedata

MAX_FIELD = 2_000
MAX_DESCRIPTION = 8_000
MAX_URL = 2_048

# ANSI/VT escape sequences (CSI, OSC, two-byte escapes); then any other control character.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS/SOS/PM/APC strings
    r"|\x1b[@-Z\\-_]?"  # other two-byte escapes (or a lone ESC)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_SAFE_SCHEMES = ("http://", "https://", "tel:", "mailto:")


def clean_text(value: object, limit: int = MAX_FIELD, multiline: bool = False) -> str:
    """Return `value` as text without escape sequences or control characters, capped."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
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
    text = clean_text(value, limit=MAX_URL + 1).replace(" ", "%20")
    if not text or len(text) > MAX_URL:
        return ""
    if text.lower().startswith(_SAFE_SCHEMES):
        return text
    if text.lower().startswith("www."):
        return "https://" + text
    return ""


def csv_cell(value: object) -> str:
    """Return a CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection rule)."""
    text = "" if value is None else str(value)
    if text and text[0] in ("=", "+", "-", "@", "\t", "\r", "\n") and not _is_plain_number(text):
        return "'" + text
    return text


def _is_plain_number(text: str) -> bool:
    """Return True for a number such as -71.1 that spreadsheets read as a value, not a formula.

    A leading '+' is not exempt: '+1' cells are neutralized like any other formula start.
    """
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


def terminal_safe(value: object) -> str:
    """Return text with escape sequences and control characters removed (newlines kept)."""
    return clean_text(value, limit=10**6, multiline=True)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")
_SECRET_LINE = re.compile(
    r"(pass\s*code|password|pwd|meeting\s*id|zoom\s*id|dial|pin\b|call\s|text\s|contact)",
    re.IGNORECASE,
)


def scrub_personal(text: str) -> str:
    """Return text without e-mails, phone numbers and lines with meeting IDs or passcodes."""
    kept = [line for line in text.splitlines() if not _SECRET_LINE.search(line)]
    text = "\n".join(kept)
    text = _EMAIL.sub("[e-mail removed]", text)
    return _PHONE.sub("[phone removed]", text).strip()


def is_placeholder_contact(value: str) -> bool:
    """Return True for demo contact data such as admin@test.com or a 555 number."""
    lower = value.lower()
    if re.search(r"@(test|example)\.(com|org|net)$", lower):
        return True
    digits = re.sub(r"\D", "", lower)
    return len(digits) >= 10 and digits[-7:-4] == "555"
