"""Find a site's Meeting Guide feed from its HTML (reference/formats.md 1.1, sources.md 3.1).

Three markers, strongest first:

1. `<link rel="alternate" type="application/json" title="Meetings Feed" href="…">`: the publisher
   opened the feed (treat it as consent);
2. the tsml-ui embed `<div id="tsml-ui" data-src="…" data-timezone="…">`: the feed the site's own
   meeting finder reads (often a `tsml-cache-<random>.json` file or a Code for Recovery sheet);
3. `<meta name="12_step_meeting_list" content="VERSION">`: a 12 Step Meeting List (TSML) WordPress
   site; the feed is then proposed at `/wp-admin/admin-ajax.php?action=meetings`, which answers only
   when the site enables sharing (a 401/403 means "restricted": do not retry with guessed keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from peerfind.models import Page
from peerfind.platforms.htmltools import soup

ADMIN_AJAX = "/wp-admin/admin-ajax.php?action=meetings"


@dataclass(frozen=True)
class FeedGuess:
    """A Meeting Guide feed found on a page: where it is, its zone if the page says, and why."""

    feed_url: str
    timezone: str | None
    evidence: str  # "link", "tsml-ui" or "meta" (then `feed_url` is a proposal, not a sighting)

    @property
    def confirmed(self) -> bool:
        """Return True when the page names the feed itself (link or embed), not just the plugin."""
        return self.evidence in ("link", "tsml-ui")


def _site_root(url: str) -> str:
    """Return scheme://host of a URL (where WordPress answers admin-ajax)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme or "https", parts.netloc, "", "", ""))


def _http(url: str) -> str:
    """Return `url` when it is an http(s) address, else ''."""
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else ""


def discover(page: Page | str, url: str = "") -> FeedGuess | None:
    """Return the Meeting Guide feed a site's HTML points to, or None when it shows no marker.

    `page` is a fetched Page (its URL resolves relative links) or HTML text with `url` given.
    The zone comes from the tsml-ui embed's `data-timezone` whichever marker gives the URL.
    """
    base = page.url if isinstance(page, Page) else url
    doc = soup(page)
    embed = doc.find(id="tsml-ui")
    zone = (str(embed.get("data-timezone") or "").strip() or None) if embed else None
    for link in doc.find_all("link", href=True):
        rel = link.get("rel") or []
        rel = " ".join(rel if isinstance(rel, list) else [str(rel)]).lower()
        if (
            "alternate" in rel
            and str(link.get("type", "")).lower() == "application/json"
            and str(link.get("title", "")).strip().lower() == "meetings feed"
        ):
            href = _http(urljoin(base, str(link["href"]).strip()))
            if href:
                return FeedGuess(href, zone, "link")
    if embed is not None and str(embed.get("data-src") or "").strip():
        href = _http(urljoin(base, str(embed["data-src"]).strip()))
        if href:
            return FeedGuess(href, zone, "tsml-ui")
    if doc.find("meta", attrs={"name": "12_step_meeting_list"}) is not None and _http(base):
        return FeedGuess(_site_root(base) + ADMIN_AJAX, zone, "meta")
    return None
