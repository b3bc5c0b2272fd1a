"""Find which listing platform an organization's website publishes on, and propose a source entry.

Given one fetched page of a site (its homepage or its "support groups" page), `discover()` looks
for, strongest first:

1. a Meeting Guide feed (`<link rel=alternate … "Meetings Feed">`, the tsml-ui embed, the TSML
   `<meta>`; see platforms/mg_discover.py);
2. The Events Calendar: the `x-tec-api-root` response header, or the plugin path
   `wp-content/plugins/the-events-calendar` in the HTML (the REST root then comes from
   `<link rel="https://api.w.org/">`, else the site root);
3. iCalendar feeds: links to `.ics` files, `?ical=1` feeds and `webcal:` addresses;
4. schema.org Event JSON-LD blocks on the page itself.

Each finding is a `Proposal` that renders as a `[[source]]` entry for a sources file. Pure: no
network, no clock.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

from peerfind.clean import clean_text, clean_url
from peerfind.errors import UsageError
from peerfind.models import Page
from peerfind.platforms.htmltools import header, soup

TEC_PLUGIN = "wp-content/plugins/the-events-calendar"
TEC_EVENTS = "tribe/events/v1/events"


@dataclass(frozen=True)
class Proposal:
    """A source a site could be read from: platform, URL, and the evidence found on the page."""

    platform: str
    url: str
    evidence: str
    name: str = ""
    organization: str = ""
    timezone: str | None = None
    confirmed: bool = True  # False when the URL is inferred (the page shows the plugin only)

    def entry(self) -> dict[str, str]:
        """Return the sources-file fields of this proposal (empty values left out)."""
        row = {
            "name": self.name,
            "platform": self.platform,
            "url": self.url,
            "organization": self.organization,
            "timezone": self.timezone or "",
        }
        return {k: v for k, v in row.items() if v}

    def to_toml(self) -> str:
        """Return the proposal as a `[[source]]` TOML table, with the evidence as a comment."""
        out = [
            f"# found: {self.evidence}" + ("" if self.confirmed else " (URL inferred)"),
            "[[source]]",
        ]
        out += [
            f"{key} = {json.dumps(value, ensure_ascii=False)}"
            for key, value in self.entry().items()
        ]
        return "\n".join(out) + "\n"


def platform_name(*candidates: str) -> str:
    """Return the first candidate that is a registered platform (else the first candidate)."""
    from peerfind.platforms import platforms

    return next((c for c in candidates if c in platforms()), candidates[0])


def discover(page: Page) -> list[Proposal]:
    """Return the sources a site's page points to, best first, named after the site."""
    doc = soup(page)
    found = (
        _meeting_guide(page)
        + _events_calendar(page, doc)
        + _icalendar(page, doc)
        + _jsonld(page, doc)
    )
    unique: list[Proposal] = []
    for proposal in found:
        if all(p.url != proposal.url for p in unique):
            unique.append(proposal)
    base, org = site_name(page.url), clean_text(organization_name(doc), limit=200)
    named: list[Proposal] = []
    for proposal in unique:
        url = clean_url(proposal.url)  # the page's text is untrusted: printed and written
        if not url.startswith(("http://", "https://")) or any(p.url == url for p in named):
            continue
        name = base if not named else f"{base}-{proposal.platform}"
        taken = {p.name for p in named}
        name = next(
            f"{name}-{n}" if n > 1 else name
            for n in range(1, len(unique) + 2)
            if (f"{name}-{n}" if n > 1 else name) not in taken
        )
        zone = clean_text(proposal.timezone or "", limit=64) or None
        named.append(
            replace(
                proposal,
                name=name,
                organization=org,
                url=url,
                timezone=zone,
                evidence=clean_text(proposal.evidence, limit=200),
            )
        )
    return named


def _meeting_guide(page: Page) -> list[Proposal]:
    """Return the Meeting Guide feed of the page, if any (platforms/mg_discover.py)."""
    from peerfind.platforms.mg_discover import discover as find_feed

    guess = find_feed(page)
    if guess is None:
        return []
    what = {
        "link": "a Meetings Feed <link>",
        "tsml-ui": "a tsml-ui meeting finder embed",
        "meta": "the 12 Step Meeting List plugin <meta>",
    }.get(guess.evidence, guess.evidence)
    return [
        Proposal(
            platform_name("meeting-guide"),
            guess.feed_url,
            what,
            timezone=guess.timezone,
            confirmed=guess.confirmed,
        )
    ]


def _events_calendar(page: Page, doc: Any) -> list[Proposal]:
    """Return The Events Calendar REST endpoint when the header or the HTML shows the plugin."""
    platform = platform_name("tribe-events")
    root = header(page, "x-tec-api-root").strip()
    if root.startswith(("http://", "https://")):
        url = root.rstrip("/") + "/events"
        return [Proposal(platform, url, "the x-tec-api-root header")]
    if TEC_PLUGIN not in page.text:
        return []
    api = doc.find("link", rel="https://api.w.org/", href=True)
    if api is not None and str(api["href"]).startswith(("http://", "https://")):
        url = urljoin(str(api["href"]).rstrip("/") + "/", TEC_EVENTS)
        return [Proposal(platform, url, "The Events Calendar plugin and the WordPress REST link")]
    parts = urlsplit(page.url)
    url = urlunsplit((parts.scheme, parts.netloc, "/wp-json/" + TEC_EVENTS, "", ""))
    return [Proposal(platform, url, "The Events Calendar plugin files", confirmed=False)]


def _icalendar(page: Page, doc: Any) -> list[Proposal]:
    """Return calendar feeds linked from the page: .ics files, ?ical=1 feeds, webcal: links."""
    platform = platform_name("ical")
    out: list[Proposal] = []
    tags = doc.find_all("link", type="text/calendar", href=True) + doc.find_all(
        ["a", "link"], href=True
    )
    for tag in tags:
        href = str(tag["href"]).strip()
        if href.lower().startswith("webcal:"):
            url, what = "https:" + href[7:], "a webcal: link"
        else:
            url = urljoin(page.url, href)
            parts = urlsplit(url)
            query = parse_qs(parts.query)
            if parts.scheme not in ("http", "https"):
                continue
            if parts.path.lower().endswith(".ics"):
                what = "a link to an .ics calendar"
            elif query.get("ical") == ["1"] and "/event/" not in parts.path:
                what = "an ?ical=1 calendar feed"
            else:
                continue
        if all(p.url != url for p in out):
            out.append(Proposal(platform, url, what))
    return out[:3]


def _jsonld(page: Page, doc: Any) -> list[Proposal]:
    """Return the page itself when it carries schema.org Event JSON-LD."""
    count = 0
    for script in doc.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        count += sum(1 for item in _ld_items(data) if _is_event(item))
    if not count:
        return []
    what = f"{count} schema.org Event block{'s' if count > 1 else ''} (JSON-LD)"
    return [Proposal(platform_name("jsonld", "jsonld-event", "json-ld"), page.url, what)]


def _ld_items(data: Any) -> list[Any]:
    """Return the objects of a JSON-LD block (a list, an object or an @graph)."""
    if isinstance(data, list):
        return [x for item in data for x in _ld_items(item)]
    if isinstance(data, dict):
        return [data] + (_ld_items(data["@graph"]) if "@graph" in data else [])
    return []


def _is_event(item: Any) -> bool:
    """Return True for a JSON-LD object typed Event or one of its subtypes."""
    kinds = item.get("@type") if isinstance(item, dict) else None
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(str(k).rsplit("/", 1)[-1].endswith("Event") for k in kinds if k)


def site_name(url: str) -> str:
    """Return a source name for a site: its host without 'www.', dots as dashes."""
    host = (urlsplit(url).hostname or "site").lower().removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", host).strip("-") or "site"


def organization_name(doc: Any) -> str:
    """Return the site's name: og:site_name, else the last part of the page title."""
    meta = doc.find("meta", property="og:site_name", content=True)
    if meta is not None and str(meta["content"]).strip():
        return str(meta["content"]).strip()
    title = doc.title.get_text(" ", strip=True) if doc.title is not None else ""
    parts = [p.strip() for p in re.split(r"\s+[|–—-]\s+", title) if p.strip()]
    return parts[-1] if parts else ""


def append_source(path: Path, proposal: Proposal) -> None:
    """Append a proposal to a sources file; raise UsageError if its name or URL is already there."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        rows = tomllib.loads(text).get("source", [])
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"cannot read sources file {path}: {exc}") from None
    for row in rows if isinstance(rows, list) else []:
        if row.get("url") == proposal.url:
            raise UsageError(f"{path} already has source {row.get('name')!r} for {proposal.url}")
        if row.get("name") == proposal.name:
            raise UsageError(
                f"{path} already has a source named {proposal.name!r}; choose another with --name"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    gap = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(gap + proposal.to_toml())
