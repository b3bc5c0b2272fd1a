"""NAMI affiliates from the nami.org directory: one organization-level listing per affiliate.

The directory is a WordPress post type on the open REST API (100 per page, the page count in the
`X-WP-TotalPages` header); each affiliate's profile page carries a `<dl>` contact block whose e-mail
is hidden by Cloudflare. NAMI publishes no group schedules nationally: those are on each affiliate's
own website, which is kept in `website` so that `peerfind discover` can look there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from peerfind import vocab
from peerfind.errors import ParseError
from peerfind.models import Follow, Group, Page
from peerfind.places.names import state_code
from peerfind.platforms.htmltools import find_email, header, lines, soup, split_address, with_query
from peerfind.scraping import Scraper

LIST_URL = (
    "https://www.nami.org/wp-json/wp/v2/affiliate?per_page=100&page=1&_fields=id,slug,link,title"
)
DESCRIPTION = (
    "Local NAMI affiliate. Contact it, or see its website, for its support groups and their times."
)


class NamiAffiliates(Scraper):
    """The NAMI affiliate directory: the WordPress REST list, then each profile's contact block."""

    name = "nami_affiliates"
    organization = "NAMI (National Alliance on Mental Illness)"
    start_urls = (LIST_URL,)
    max_pages = 1200  # about 800 profiles plus 9 list pages

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield a Follow per affiliate profile on a REST list page, then one for the next page."""
        for row in self._load_rows(page):
            link = str(row.get("link") or "").strip() if isinstance(row, dict) else ""
            if not link:
                self.report.skip("no profile link")
                continue
            yield Follow(link, callback="parse_profile", meta={"title": _title(row)})
        current = _page_number(page.url)
        total = header(page, "X-WP-TotalPages")
        if total.strip().isdigit() and current < int(total):
            yield Follow(with_query(page.url, page=current + 1), callback="parse")

    def parse_profile(self, page: Page, title: str = "") -> Iterator[Group | Follow]:
        """Yield the organization-level listing of one affiliate profile page.

        `title` is the affiliate's name from the REST list, used when the page has no heading.
        """
        doc = soup(page)
        block = doc.select_one("dl.affiliate-contact-information__content")
        name = self._parse_name(doc) or html.unescape(title).strip()
        if block is None or not name:
            self.report.skip("no contact block" if name else "no name")
            return
        info = self._parse_contact(block)
        place = split_address(info.get("address", []))
        if not place["region"]:
            place["region"] = _state_from_url(page.url)
        description = DESCRIPTION
        if area := ", ".join(info.get("service area", [])):
            description += f"\nService area: {area}."
        yield self.group(
            page,
            source_key=_slug(page.url),
            name=name,
            organization=name,
            description=description,
            topics=("mental_health",),
            format=vocab.IN_PERSON,
            **place,
            phone=" ".join(info.get("phone", [])[:1]),
            email=info.get("email", [""])[0],
            website=info.get("website", [""])[0],
        )

    def _load_rows(self, page: Page) -> list[Any]:
        """Return the affiliates of a REST list page; raise ParseError unless it is a JSON list."""
        rows = page.json("the affiliate JSON list")
        if not isinstance(rows, list):
            raise ParseError(f"{page.url}: expected a JSON list of affiliates")
        return rows

    @staticmethod
    def _parse_name(doc: Any) -> str:
        """Return the affiliate's name from the page heading."""
        heading = doc.select_one("h1")
        return heading.get_text(" ", strip=True) if heading is not None else ""

    @staticmethod
    def _parse_contact(block: Any) -> dict[str, list[str]]:
        """Return the contact block as label -> values (address lines, phone, email, website)."""
        info: dict[str, list[str]] = {}
        for term in block.select("dt"):
            label = term.get_text(" ", strip=True).rstrip(":").lower()
            value = term.find_next_sibling("dd")
            if value is None:
                continue
            if label == "email":
                info["email"] = [find_email(value)]
            elif label == "website":
                link = value.select_one("a[href]")
                info["website"] = [str(link["href"]) if link else value.get_text(strip=True)]
            elif label in ("address", "phone", "service area"):
                info[label] = lines(value)
        return info


def _title(row: dict[str, Any]) -> str:
    """Return the rendered title of a REST row (WordPress nests it as {'rendered': ...})."""
    title = row.get("title")
    return str(title.get("rendered", "")) if isinstance(title, dict) else str(title or "")


def _page_number(url: str) -> int:
    """Return the `page` query parameter of a REST list URL (1 when absent or odd)."""
    value = parse_qs(urlsplit(url).query).get("page", ["1"])[0]
    return int(value) if value.isdigit() else 1


def _slug(url: str) -> str:
    """Return the last path segment of a profile URL: the affiliate's slug."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def _state_from_url(url: str) -> str:
    """Return the state code named in a /find-your-local-nami/<state-name>/<slug>/ URL, or ''."""
    match = re.search(r"/find-your-local-nami/([a-z-]+)/", urlsplit(url).path)
    return (state_code(match[1].replace("-", " ")) or "") if match else ""
