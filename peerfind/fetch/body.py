"""Response bodies: bounded decompression (against decompression bombs) and charset decoding."""

from __future__ import annotations

import codecs
import re
import zlib

from peerfind.errors import FetchError


class TooLarge(FetchError):
    """The response is larger than the size cap (counted after decompression)."""


class BoundedDecoder:
    """Decode a gzip/deflate/identity body chunk by chunk, refusing more than `limit` bytes."""

    def __init__(self, encoding: str, limit: int, url: str = "") -> None:
        """Prepare for a Content-Encoding header value; raise FetchError for unknown codings."""
        self.limit = limit
        self.total = 0
        self.url = url
        coding = encoding.strip().lower()
        self._raw_deflate_tried = coding != "deflate"
        if coding in ("gzip", "x-gzip"):
            self._z: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._z = zlib.decompressobj()
        elif coding in ("", "identity"):
            self._z = None
        else:
            raise FetchError(f"{url}: unsupported Content-Encoding {encoding!r}")

    def _count(self, data: bytes) -> bytes:
        """Add `data` to the running total; raise TooLarge past the limit."""
        self.total += len(data)
        if self.total > self.limit:
            raise TooLarge(f"{self.url}: response larger than {human_size(self.limit)}: cut off")
        return data

    def feed(self, data: bytes) -> bytes:
        """Return the decoded bytes of one raw chunk (never more than limit + 1 in all)."""
        if self._z is None:
            return self._count(data)
        room = self.limit - self.total + 1
        try:
            out = self._z.decompress(data, room)
        except zlib.error as exc:
            if self._raw_deflate_tried or self.total:
                raise FetchError(f"{self.url}: corrupt compressed body ({exc})") from None
            self._raw_deflate_tried = True  # 'deflate' sent as a raw stream, as some servers do
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.feed(data)
        self._raw_deflate_tried = True
        return self._count(out)

    def flush(self) -> bytes:
        """Return whatever the decompressor still holds."""
        if self._z is None:
            return b""
        try:
            return self._count(self._z.flush(self.limit - self.total + 1))
        except zlib.error as exc:
            raise FetchError(f"{self.url}: corrupt compressed body ({exc})") from None


def human_size(n: int) -> str:
    """Return a byte count in MB or kB for messages."""
    return f"{n / 1_000_000:.3g} MB" if n >= 1_000_000 else f"{n / 1000:.3g} kB"


_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:\-]+)""", re.I)
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:\-]+)""", re.I)
_XML = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:\-]+)""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels browsers treat as windows-1252 (WHATWG Encoding), which is what such pages really are.
_AS_1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819"}


# Text codecs that are not character sets of web pages: they fail on ordinary bytes (idna,
# punycode, undefined) or turn backslash sequences into characters (unicode_escape).
_NOT_CHARSETS = {
    "idna",
    "punycode",
    "undefined",
    "unicode-escape",
    "raw-unicode-escape",
    "unicode_escape",
    "raw_unicode_escape",
    "utf-7",
    "mbcs",
    "oem",
}


def _known(label: str) -> str | None:
    """Return a Python codec name for a charset label, or None when unknown or not a charset.

    A server names the charset, so it may name any codec Python has: base64, rot13, zlib and
    the other byte or text transforms are refused like unknown labels.
    """
    label = label.strip().lower()
    if label in _AS_1252:
        return "cp1252"
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def declared_charset(content_type: str, body: bytes) -> str | None:
    """Return the charset a response declares: BOM, then header, then <meta> or <?xml?>."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    if (match := _CHARSET.search(content_type or "")) and (charset := _known(match[1])):
        return charset
    head = body[:2048]
    found = _XML.match(head) or _META.search(head)
    if found:
        return _known(found[1].decode("ascii", "replace"))
    return None


def decode_text(body: bytes, content_type: str = "") -> str:
    """Return the body as text in its declared charset, else UTF-8, else the detected one."""
    charset = declared_charset(content_type, body)
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except (UnicodeError, LookupError, TypeError, ValueError):  # a codec that cannot replace
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:200_000]).best()
        if best is not None and best.encoding:
            return body.decode(best.encoding, errors="replace")
    except ImportError:  # pragma: no cover - charset_normalizer comes with requests/httpx setups
        pass
    return body.decode("cp1252", errors="replace")
