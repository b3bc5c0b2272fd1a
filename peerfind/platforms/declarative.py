"""Support groups listed on a simple web page, read with CSS selectors given in a sources file.

A maintainer adds a community center's "support groups" page without writing Python:

    [[source]]
    name = "example-center-groups"
    platform = "css"
    url = "https://example.org/support-groups/"
    organization = "Example Community Center"
    region = "OR"
    [source.options]
    block = "div.group"          # one element per group (required)
    name = "h3"                  # inside the block (required)
    schedule = ".when"           # read with schedule_text.read_schedule

Selectors are searched inside each block; the optional ones are listed in FIELDS. A schedule the
reader cannot understand is kept as published (kind "unparsed"), never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from peerfind import vocab
from peerfind.clean import scrub_personal
from peerfind.errors import UsageError
from peerfind.models import Follow, Group, Page
from peerfind.platforms.classify import tags
from peerfind.platforms.htmltools import absolute, lines, soup, split_address
from peerfind.platforms.meeting_guide import strip_secrets
from peerfind.schedule import recurrence as schedule
from peerfind.schedule.phrases import read_schedule
from peerfind.scraping import Scraper

# option -> what its selector picks inside a block
FIELDS = {
    "name": "the group's name (required)",
    "schedule": "when it meets, as published ('2nd & 4th Tuesdays, 6-7:30 PM')",
    "venue": "the building or room",
    "address": "street address; may hold the whole address ('12 Main St, Salem, OR 97301')",
    "city": "city",
    "region": "state or region",
    "postal_code": "ZIP or postal code",
    "description": "what the group is about",
    "link": "a link to the group's own page (the element, or the first link inside it)",
    "join": "an online join link",
    "format": "text hinting the format ('Zoom', 'in person', 'hybrid')",
}
OPTIONS = {
    "block": "one element per group (required)",
    **FIELDS,
    "next": "a link to the next page of the listing",
    "default_format": "format when nothing says otherwise (in_person, online, …)",
}


class CssPage(Scraper):
    """Groups on one HTML page, located by CSS selectors from the source's `options`."""

    name = "css"
    platform = "css"

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield a Group per block the `block` selector finds, and a Follow for `next`."""
        opts = self.selectors()
        doc = soup(page)
        seen: set[str] = set()
        for block in doc.select(opts["block"]):
            group = self._parse_block(page, block, opts)
            if group is None:
                continue
            if group.source_key in seen:
                self.report.skip("duplicate group")
                continue
            seen.add(group.source_key)
            yield group
        if "next" in opts and (nxt := doc.select_one(opts["next"])) is not None:
            href = nxt.get("href") or (nxt.select_one("a[href]") or {}).get("href")
            if href:
                yield Follow(absolute(page, str(href)), callback="parse")

    def selectors(self) -> dict[str, str]:
        """Return the configured selectors; raise UsageError for missing or unknown ones."""
        opts = {k: v for k, v in self.config.options.items() if v not in (None, "")}
        unknown = sorted(set(opts) - set(OPTIONS))
        if unknown:
            raise UsageError(
                f"source {self.source!r}: unknown css option(s) {', '.join(unknown)};"
                f" known: {', '.join(OPTIONS)}"
            )
        missing = [k for k in ("block", "name") if k not in opts]
        if missing:
            raise UsageError(
                f"source {self.source!r}: the css platform needs options "
                f"{' and '.join(missing)} (CSS selectors)"
            )
        if any(not isinstance(v, str) for v in opts.values()):
            raise UsageError(f"source {self.source!r}: css options must be strings")
        return opts

    def _parse_block(self, page: Page, block: Any, opts: dict[str, str]) -> Group | None:
        """Return the Group of one block, or None (counted) when it has no name."""
        text = {
            f: _text(block, opts[f], "\n" if f == "description" else " ")
            for f in FIELDS
            if f in opts and f not in ("link", "join")
        }
        name = text.get("name", "")
        if not name:
            self.report.skip("block without a name")
            return None
        place = self._parse_place(block, opts, text)
        when = text.get("schedule", "")
        sched = read_schedule(when, self._zone(place.get("region", ""))) if when else None
        link = _href(page, block, opts.get("link"))
        join = _href(page, block, opts.get("join"))
        description = scrub_personal(text.get("description", ""))
        pops, topics = tags(name, description)
        return self.group(
            page,
            source_key=_key(name, when),
            name=name,
            source_url=link or page.url,
            description=description,
            populations=pops,
            topics=topics,
            format=self._parse_format(text, block, join, place),
            venue=text.get("venue", ""),
            **place,
            join_url=strip_secrets(join) if join else "",
            **({"schedule": sched} if sched is not None else {}),
        )

    def _parse_place(
        self, block: Any, opts: dict[str, str], text: dict[str, str]
    ) -> dict[str, str]:
        """Return address, city, region and postal code (an address selector may hold them all)."""
        parts = {k: text[k] for k in ("city", "region", "postal_code") if text.get(k)}
        if "address" in opts:
            found = block.select_one(opts["address"])
            address_lines = lines(found)
            if parts.get("city"):
                parts["address"] = ", ".join(address_lines)
            else:
                split = split_address([p for line in address_lines for p in line.split(",")])
                parts = {**{k: v for k, v in split.items() if v}, **parts}
        return parts

    def _parse_format(
        self, text: dict[str, str], block: Any, join: str, place: dict[str, str]
    ) -> str:
        """Return the format: from the format hint, else the block's words, else the default."""
        hint = text.get("format", "")
        if hint:
            return self.detect_format(hint)
        words = self.detect_format(block.get_text(" ", strip=True))
        if words != vocab.IN_PERSON:
            return words
        if join:
            return vocab.HYBRID if place.get("address") else vocab.ONLINE
        default = self.config.options.get("default_format")
        return vocab.normalize("format", str(default)) if default else vocab.IN_PERSON

    def _zone(self, region: str) -> str | None:
        """Return the time zone for schedules: the source's, else its region's."""
        return self.config.timezone or schedule.timezone_for_region(
            region or self.config.region or None, self.config.country or None
        )


def _text(block: Any, selector: str, sep: str = " ") -> str:
    """Return the text of the first element matching `selector` in a block (lines joined)."""
    found = block.select_one(selector)
    return sep.join(lines(found)) if found is not None else ""


def _href(page: Page, block: Any, selector: str | None) -> str:
    """Return the absolute URL of a selector's element (or of the first link inside it)."""
    if not selector:
        return ""
    found = block.select_one(selector)
    if found is None:
        return ""
    link = found if found.get("href") else found.select_one("a[href]")
    return absolute(page, str(link["href"])) if link is not None else ""


def _key(name: str, when: str) -> str:
    """Return a readable source key from the group's name and schedule text."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{name} {when}".lower()).strip("-")
    return slug[:120] or "group"
