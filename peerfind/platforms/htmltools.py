"""Small helpers shared by the HTML scrapers: soup, sitemaps, headers, addresses, cfemail."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from peerfind.models import Page
from peerfind.places.names import state_code

_LOC = re.compile(r"<loc>\s*(.*?)\s*</loc>", re.I | re.S)
_CITY_LINE = re.compile(
    r"^(?P<city>[^,\d][^,]*?),\s*(?P<region>[A-Za-z][A-Za-z .]*?)\.?"
    r"(?:\s+(?P<postal>\d{5}(?:-\d{4})?|[A-Z]\d[A-Z]\s?\d[A-Z]\d))?$"
)
_STATE_ZIP = re.compile(r"^([A-Za-z][A-Za-z .]*?)\.?\s+(\d{5}(?:-\d{4})?)$")
_COUNTRIES = {
    "us": "US",
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "canada": "CA",
}


def soup(page: Page | str) -> Any:
    """Return a BeautifulSoup document of a page (bs4 is imported here, not at module load)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(page.text if isinstance(page, Page) else page, "html.parser")


def sitemap_urls(text: str) -> tuple[list[str], bool]:
    """Return the <loc> URLs of a sitemap and whether it is a sitemap index (of sitemaps)."""
    urls = [html.unescape(u) for u in _LOC.findall(text)]
    return urls, "<sitemapindex" in text[:2000].lower()


def header(page: Page, name: str) -> str:
    """Return a response header of `page` by case-insensitive name ('' when absent)."""
    wanted = name.lower()
    for key, value in page.headers.items():
        if key.lower() == wanted:
            return str(value)
    return ""


def with_query(url: str, **params: object) -> str:
    """Return `url` with the given query parameters set (others kept, order preserved)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in params.items()})
    query_text = urlencode(query, safe=",:/")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query_text, parts.fragment))


def absolute(page: Page, href: str | None) -> str:
    """Return `href` resolved against the page URL ('' for an empty link)."""
    return urljoin(page.url, href.strip()) if href and href.strip() else ""


def lines(tag: Any) -> list[str]:
    """Return the non-empty text lines of an element, breaking at <br> and block boundaries."""
    if tag is None:
        return []
    text = tag.get_text("\n")
    return [re.sub(r"\s+", " ", line).strip() for line in text.split("\n") if line.strip()]


def decode_cfemail(encoded: str) -> str:
    """Return the e-mail address hidden by Cloudflare (hex bytes XORed with the first byte)."""
    try:
        data = bytes.fromhex(encoded.strip())
    except ValueError:
        return ""
    if len(data) < 2:
        return ""
    key = data[0]
    try:
        return bytes(b ^ key for b in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return ""


def find_email(tag: Any) -> str:
    """Return an e-mail address in an element: Cloudflare-protected, mailto: or plain text."""
    if tag is None:
        return ""
    protected = tag.select_one("[data-cfemail]")
    if protected is not None:
        return decode_cfemail(str(protected.get("data-cfemail", "")))
    for link in tag.select("a[href]"):
        href = str(link["href"])
        if "/cdn-cgi/l/email-protection#" in href:
            return decode_cfemail(href.rsplit("#", 1)[1])
        if href.lower().startswith("mailto:"):
            return href[7:].split("?")[0].strip()
    match = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", tag.get_text(" "))
    return match.group(0) if match else ""


def split_address(parts: list[str]) -> dict[str, str]:
    """Split address lines or comma parts into street, city, region, postal_code and country.

    Accepts ["12 Main St", "Springfield, IL 62701", "US"] as well as the comma parts of
    "12 Main St, Springfield, IL 62701, USA". Unrecognised text all goes to `address`.
    """
    items = [p.strip() for p in parts if p and p.strip()]
    out = {"address": "", "city": "", "region": "", "postal_code": "", "country": ""}
    if items and items[-1].lower().strip(".") in _COUNTRIES:
        out["country"] = _COUNTRIES[items.pop().lower().strip(".")]
    if not items:
        return out
    last = items[-1]
    match = _CITY_LINE.match(last)
    if match and state_code(match["region"]):
        out.update(
            city=match["city"].strip(),
            region=state_code(match["region"]) or "",
            postal_code=match["postal"] or "",
        )
        items.pop()
    elif len(items) >= 2 and (zip_match := _STATE_ZIP.match(last)) and state_code(zip_match[1]):
        out.update(city=items[-2], region=state_code(zip_match[1]) or "", postal_code=zip_match[2])
        items = items[:-2]
    elif len(items) >= 2 and state_code(last):
        out.update(city=items[-2], region=state_code(last) or "")
        items = items[:-2]
    out["address"] = ", ".join(items)
    if out["region"] and not out["country"]:
        out["country"] = "US"
    return out
