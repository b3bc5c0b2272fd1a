"""Mental Health America affiliates: the affiliates sitemap, then one page per affiliate.

Each affiliate page has the name in `<h1>` and, in `<div class="the-content">`, address lines
followed by `<strong>Phone:</strong>` and `<strong>Website:</strong>` lines. Affiliates are
organizations; their own websites list the groups they run (see `peerfind discover`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from peerfind import vocab
from peerfind.models import Follow, Group, Page
from peerfind.platforms.htmltools import find_email, lines, sitemap_urls, soup, split_address
from peerfind.scraping import Scraper

DESCRIPTION = "Mental Health America affiliate. Contact it, or see its website, for its programs."
_LABEL = re.compile(r"^(phone|website|web|email|e-mail|fax|hours)\s*:", re.I)
_STREET = re.compile(r"(\d|p\.?\s?o\.?\s*box|suite|ste\b|floor|building|one |two )", re.I)
_CITY_LINE = re.compile(r",\s*[A-Za-z. ]+\s+\d{5}(-\d{4})?$|,\s*[A-Z]{2}$")


class MhaAffiliates(Scraper):
    """Mental Health America affiliates (organization-level listings)."""

    name = "mha_affiliates"
    organization = "Mental Health America"
    start_urls = ("https://mhanational.org/affiliates-sitemap.xml",)

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield a Follow per affiliate page listed in the sitemap (child sitemaps are followed)."""
        urls, is_index = sitemap_urls(page.text)
        for url in urls:
            if is_index:
                yield Follow(url, callback="parse")
            elif urlsplit(url).path.strip("/"):
                yield Follow(url, callback="parse_affiliate")

    def parse_affiliate(self, page: Page) -> Iterator[Group | Follow]:
        """Yield the organization-level listing of one affiliate page."""
        doc = soup(page)
        heading = doc.select_one("h1")
        content = doc.select_one("div.the-content")
        name = heading.get_text(" ", strip=True) if heading is not None else ""
        if not name or content is None:
            self.report.skip("no name or content")
            return
        yield self.group(
            page,
            source_key=urlsplit(page.url).path.strip("/").rsplit("/", 1)[-1],
            name=name,
            organization=name,
            description=DESCRIPTION,
            topics=("mental_health",),
            format=vocab.IN_PERSON,
            **self._parse_address(content),
            phone=self._labelled(content, "phone"),
            email=find_email(content),
            website=self._parse_website(content),
        )

    @staticmethod
    def _parse_address(content: Any) -> dict[str, str]:
        """Return the address from the lines before the first 'Label:' line."""
        found: list[str] = []
        for line in lines(content):
            if _LABEL.match(line):
                break
            found.append(line)
        ends = [i for i, line in enumerate(found) if _CITY_LINE.search(line)]
        if not ends:
            return split_address([])
        last = first = ends[-1]
        while first > 0 and last - first < 2 and _STREET.match(found[first - 1]):
            first -= 1
        return split_address(found[first : last + 1])

    @staticmethod
    def _labelled(content: Any, label: str) -> str:
        """Return the text after a '<strong>Label:</strong>' in the content block."""
        for strong in content.select("strong, b"):
            if strong.get_text(strip=True).rstrip(":").strip().lower() != label:
                continue
            parts = []
            for sibling in strong.next_siblings:
                if getattr(sibling, "name", None) in ("br", "strong", "b", "p", "div"):
                    break
                text = (
                    sibling.get_text(" ", strip=True)
                    if hasattr(sibling, "get_text")
                    else str(sibling).strip()
                )
                parts.append(text)
            return " ".join(p for p in parts if p).strip()
        return ""

    def _parse_website(self, content: Any) -> str:
        """Return the affiliate's website: the link after 'Website:' (or its text)."""
        for strong in content.select("strong, b"):
            if strong.get_text(strip=True).rstrip(":").strip().lower() == "website":
                link = strong.find_next("a", href=True)
                if link is not None:
                    return str(link["href"])
        text = self._labelled(content, "website")
        return text if "." in text else ""
