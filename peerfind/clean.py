"""Make untrusted web text safe: strip control and escape sequences, cap sizes, vet links."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

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
    if text.lower().startswith(("http://", "https://")):
        return _without_userinfo(text)
    if text.lower().startswith(_SAFE_SCHEMES):
        return text
    if text.lower().startswith("www."):
        return "https://" + text
    return ""


def _without_userinfo(url: str) -> str:
    """Return an http(s) link without the `user:pass@` part of its host."""
    match = re.match(r"([A-Za-z]+://)([^/?#]*)(.*)", url, re.S)
    if match is None or "@" not in match[2]:
        return url
    return match[1] + match[2].rpartition("@")[2] + match[3]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


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
    if start.startswith(FORMULA_START) and not _is_plain_number(text) and not _is_phone(text):
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
# The scrubber's patterns are compiled on first use (`_scrubbers`): search never scrubs, and
# compiling them cost ~3 ms of every start.
_EMAIL = r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_PHONE = (
    r"(?<![\w+])(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)"
    r"|(?<![\w+])\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}(?!\w)"
)
# Dial strings that carry a meeting ID and passcode: "+16465588656,,86091860616#",
# "81234567890#,,0#,123456#", "*261341#".
_DIAL = r"[+*]?\d[\d\s().-]{2,}\d#?(?:\s*,+\s*[*]?\d*#?)+|[*]?\d{3,}#"
# Conference meeting IDs written as digit groups without a label: "863 2192 0270", "61035 61035".
_MEETING_ID = r"(?<![\w.-])\d{3,5}(?:[ -]\d{3,5}){1,3}(?![\w.-])"
# In a one-line field the word that introduces a number goes with it: "(call 570-…)".
_NUMBER_LABEL = r"(?:\b(?:call|text|tel|phone|cell|ph)\b\.?:?\s*)?"
# Labels of secrets (English, Spanish, French) and of personal contact lines. Whole words only:
# "dialectical", "spin", "recall" or "context" must not hide a line.
_SECRET_LABEL = (
    r"pass\s*code|pass\s*word|passwd|\bpwd\b|\bpw\s*[:=]|\bpin\b|access\s*code"
    r"|\b(?:meeting|zoom|conf(?:erence)?|participant|webinar)[\s#-]*(?:id|code|number)\b"
    r"|\bid\s*(?:[:#]\s*|\s)\d|\bid#"
    r"|contrase[nñ]a|c[oó]digo|\bclave\b|id\s+de\s+(?:la\s+)?(?:reuni[oó]n|r[ée]union)"
    r"|mot\s+de\s+passe|identifiant|\bcode\s*(?:d.acc[eè]s|de\s+r[ée]union)"
    # "<b>Meeting:</b> 709980611" (the aamod theme's notes): a bare ID after "Meeting:".
    r"|\bmeeting\s*:\s*(?:<[^>]*>\s*)*\d[\d\s-]{6,}\d"
)
# Join links that carry the meeting ID in their path ("https://zoom.us/j/709980611",
# Google Meet and Teams rooms); a registration page (zoom.us/meeting/register/…) is not one.
_JOIN_LINK = (
    r"zoom\.us/(?:j|w|s|wc/join)/\d|meet\.google\.com/[a-z]{3}-"
    r"|teams\.microsoft\.com/l/meetup-join"
)
_SECRET_LINE = (
    rf"(?:{_SECRET_LABEL}|{_JOIN_LINK}|\bdial(?:-?in|ing|ed)?\b|\bcall\s|\btext\s|\bcontact)"
)
# In a one-line field (a name, a venue, an address) a label takes the rest of the field with it.
_SECRET_TAIL = rf"[\s,;(/-]*(?:{_SECRET_LABEL}).*$"


class _Scrubbers(NamedTuple):
    """The secret scrubber's compiled patterns."""

    email: re.Pattern[str]
    phone: re.Pattern[str]
    dial: re.Pattern[str]
    meeting_id: re.Pattern[str]
    secret_line: re.Pattern[str]
    secret_tail: re.Pattern[str]
    labelled: tuple[re.Pattern[str], ...]  # e-mail, dial string, phone, each with its label


@functools.cache
def _scrubbers() -> _Scrubbers:
    """Return the scrubber's patterns, compiled on the first call."""
    return _Scrubbers(
        email=re.compile(_EMAIL),
        phone=re.compile(_PHONE),
        dial=re.compile(_DIAL),
        meeting_id=re.compile(_MEETING_ID),
        secret_line=re.compile(_SECRET_LINE, re.IGNORECASE),
        secret_tail=re.compile(_SECRET_TAIL, re.IGNORECASE),
        labelled=tuple(
            re.compile(_NUMBER_LABEL + pattern, re.IGNORECASE)
            for pattern in (_EMAIL, _DIAL, _PHONE)
        ),
    )


def scrub_secrets(text: str, multiline: bool = True) -> str:
    """Return text without meeting IDs, passcodes, dial strings, personal e-mails and phones.

    The one secret scrubber. In multi-line text (notes, descriptions) a line that names a
    passcode, meeting ID, dial-in or a personal contact, or holds a join link that carries a
    meeting ID, is dropped whole; in a one-line field
    (`multiline=False`: a name, venue or address) such a label is cut off with what follows it.
    Then e-mail addresses, phone numbers, dial strings and unlabelled meeting-ID digit groups are
    removed wherever they remain. Huge input is cut first (descriptions are capped anyway).
    """
    text = text[: 8 * MAX_DESCRIPTION + 4096]
    res = _scrubbers()
    if multiline:
        secret_line = res.secret_line
        text = "\n".join(line for line in text.splitlines() if not secret_line.search(line))
        text = res.email.sub("[e-mail removed]", text)
        text = res.dial.sub("[phone removed]", text)
        text = res.phone.sub("[phone removed]", text)
        return res.meeting_id.sub(_meeting_id, text).strip()
    scrubbed = res.secret_tail.sub("", text)
    for pattern in res.labelled:
        scrubbed = pattern.sub("", scrubbed)
    scrubbed = res.meeting_id.sub(lambda m: "" if _meeting_id(m) != m[0] else m[0], scrubbed)
    if scrubbed == text:
        return text
    return re.sub(r"\s*[(\[]\s*[)\]]|\s{2,}", " ", scrubbed).strip(" ,;:-/")


def _meeting_id(match: re.Match[str]) -> str:
    """Return the replacement for a digit-group run: removed when it is 9 to 12 digits long."""
    digits = sum(c.isdigit() for c in match[0])
    return "[number removed]" if 9 <= digits <= 12 else match[0]


def scrub_personal(text: str) -> str:
    """Return text without e-mails, phone numbers and lines with meeting IDs or passcodes."""
    return scrub_secrets(text)


def secret_free_link(url: str) -> str:
    """Return a join link without its query, fragment (where `pwd=` passcodes travel) or
    `user:pass@` credentials."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return urlunsplit((parts.scheme, strip_credentials(parts.netloc), parts.path, "", ""))


def strip_credentials(netloc: str) -> str:
    """Return a URL's host part without `user:pass@`."""
    return netloc.rpartition("@")[2]


def is_placeholder_contact(value: str) -> bool:
    """Return True for demo contact data such as admin@test.com or a 555 number."""
    lower = value.lower()
    if re.search(r"[@/.](test|example|site)\.(com|org|net)/?$", lower):
        return True
    digits = re.sub(r"\D", "", lower)
    return len(digits) >= 10 and digits[-7:-4] == "555"
