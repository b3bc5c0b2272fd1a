"""Meeting Guide feed discovery from a site's HTML (peerfind/platforms/mg_discover.py).

The tsml-ui embed page is real (code4recovery/tsml-ui, see ATTRIBUTION.md). It also carries a map
access token and a feedback e-mail in its inline config; these tests never print or reuse them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import FIXTURES, load_page

from peerfind.models import Page
from peerfind.platforms.mg_discover import ADMIN_AJAX, FeedGuess, discover

SITE = "https://aasanjose.org/meetings"
FETCHED = datetime(2024, 1, 1, tzinfo=UTC)


def page(html: str, url: str = "https://intergroup.example.org/meetings/") -> Page:
    """Return an HTML page."""
    return Page(url=url, text=html, fetched_at=FETCHED)


def test_tsml_ui_embed_gives_feed_and_zone() -> None:
    guess = discover(
        load_page("discover/tsml-ui-embed-aasanjose.html", url=SITE, fetched_at=FETCHED)
    )
    assert guess == FeedGuess(
        "https://sheets.code4recovery.org/storage/12Ga8uwMG4WJ8pZ_SEU7vNETp_aQZ-2yNVsYDFqIwHyE.json",
        "America/Los_Angeles",
        "tsml-ui",
    )
    assert guess.confirmed
    text = repr(guess)
    assert "access_token" not in text and "@" not in text


def test_html_text_with_url() -> None:
    html = (FIXTURES / "discover/tsml-ui-embed-aasanjose.html").read_text(encoding="utf-8")
    guess = discover(html, SITE)
    assert guess is not None and guess.evidence == "tsml-ui"


def test_link_tag_wins_and_is_resolved() -> None:
    html = """<html><head>
<meta name="12_step_meeting_list" content="3.14.2">
<link rel="alternate" type="application/json" title="Meetings Feed"
      href="/wp-admin/admin-ajax.php?action=meetings">
</head><body><div id="tsml-ui" data-src="/wp-content/tsml-cache-ab12cd34ef.json"
data-timezone="America/Chicago"></div></body></html>"""
    guess = discover(page(html))
    assert guess == FeedGuess(
        "https://intergroup.example.org/wp-admin/admin-ajax.php?action=meetings",
        "America/Chicago",
        "link",
    )


def test_relative_tsml_cache_file() -> None:
    html = '<div id="tsml-ui" data-src="../wp-content/tsml-cache-ab12cd34ef.json"></div>'
    guess = discover(page(html))
    assert guess == FeedGuess(
        "https://intergroup.example.org/wp-content/tsml-cache-ab12cd34ef.json", None, "tsml-ui"
    )


def test_meta_marker_proposes_admin_ajax() -> None:
    html = '<html><head><meta name="12_step_meeting_list" content="3.14.2"></head></html>'
    guess = discover(page(html, "https://aa.example.org/find-a-meeting/?x=1"))
    assert guess == FeedGuess("https://aa.example.org" + ADMIN_AJAX, None, "meta")
    assert not guess.confirmed


def test_no_marker_and_unsafe_links() -> None:
    assert discover(page("<html><body><h1>Meetings</h1></body></html>")) is None
    assert discover(page("")) is None
    bad = (
        '<link rel="alternate" type="application/json" title="Meetings Feed" '
        'href="javascript:alert(1)">'
    )
    assert discover(page(bad)) is None
    other = '<link rel="alternate" type="application/json" title="Posts" href="/wp-json/">'
    assert discover(page(other)) is None
