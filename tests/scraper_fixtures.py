"""Load scraper fixtures as Pages, and serve them on 127.0.0.1 for end-to-end tests.

Each tests/fixtures/<scraper>/pages.json maps a file name to the URL it stands for, its fetch time
and response headers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from peerfind.models import Follow, Group, Page
from peerfind.scraping import Scraper

FIXTURES = Path(__file__).parent / "fixtures"


def manifest(area: str) -> dict[str, dict]:
    """Return the pages.json manifest of a fixture folder."""
    return json.loads((FIXTURES / area / "pages.json").read_text(encoding="utf-8"))


def load_page(area: str, name: str) -> Page:
    """Return the fixture file `name` of `area` as the Page the fetcher would have produced."""
    entry = manifest(area)[name]
    data = (FIXTURES / area / name).read_bytes()
    return Page(
        url=entry["url"],
        text=data.decode("utf-8"),
        content=data,
        fetched_at=datetime.fromisoformat(entry["fetched_at"]),
        headers=dict(entry.get("headers", {})),
        status=entry.get("status", 200),
    )


def run_offline(scraper: Scraper, area: str) -> tuple[list[Group], list[Follow]]:
    """Parse every fixture of `area` the way a runner would, starting at the scraper's URLs.

    Follows are resolved against the fixture manifest (never the network); returns the groups
    and the follows that had no fixture.
    """
    by_url = {entry["url"]: name for name, entry in manifest(area).items()}
    queue = [Follow(url) for url in scraper.urls()]
    seen: set[str] = set()
    groups: list[Group] = []
    missing: list[Follow] = []
    while queue:
        follow = queue.pop(0)
        if follow.url in seen:
            continue
        seen.add(follow.url)
        if follow.url not in by_url:
            missing.append(follow)
            continue
        page = load_page(area, by_url[follow.url])
        for item in getattr(scraper, follow.callback)(page, **follow.meta):
            (groups if isinstance(item, Group) else queue).append(item)
    return groups, missing


@contextmanager
def serve_fixtures(area: str, origins: tuple[str, ...], only: str = "") -> Iterator[str]:
    """Serve the fixtures of `area` on 127.0.0.1 at the paths of their URLs; yield the base URL.

    Links to any of `origins` inside the served bodies are rewritten to the local server. With
    `only`, just the fixtures whose URL starts with it are served (one server per origin host).
    """
    entries = {k: v for k, v in manifest(area).items() if v["url"].startswith(only)}
    routes: dict[str, tuple[str, dict]] = {}
    for name, entry in entries.items():
        parts = urlsplit(entry["url"])
        routes[parts.path + ("?" + parts.query if parts.query else "")] = (name, entry)
    base_holder: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            route = routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.end_headers()
                return
            name, entry = route
            body = (FIXTURES / area / name).read_text(encoding="utf-8")
            for origin in origins:
                body = body.replace(origin, base_holder[0])
                body = body.replace(origin.replace("/", "\\/"), base_holder[0].replace("/", "\\/"))
            data = body.encode("utf-8")
            self.send_response(entry.get("status", 200))
            for key, value in entry.get("headers", {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base_holder.append(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_holder[0]
    finally:
        server.shutdown()
        server.server_close()
