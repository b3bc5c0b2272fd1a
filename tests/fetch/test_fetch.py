"""The polite fetcher against real HTTP servers on 127.0.0.1: faults, limits, caching, pacing."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from local_hosts import Host, Reply, closed_port

from peerfind import PROJECT_URL
from peerfind.errors import FetchError
from peerfind.fetch.client import Disallowed, Fetcher, PrivateFeed, TooLarge, host_key, retry_after
from peerfind.models import Page

FIXTURES = Path(__file__).parents[1] / "fixtures"
ATLANTA = (FIXTURES / "meeting_guide" / "tsml-ui-atlanta-aa.json").read_bytes()
JSON = {"Content-Type": "application/json"}


class Recorder:
    """A fake sleep (and clock) that records waits instead of taking them."""

    def __init__(self, fake_clock: bool = False) -> None:
        self.sleeps: list[float] = []
        self.now = 1000.0
        self.fake_clock = fake_clock

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds
        await asyncio.sleep(0)

    def clock(self) -> float:
        return self.now if self.fake_clock else time.monotonic()


def fetch(url: str, **options: Any) -> Page:
    """Fetch one URL with a fresh Fetcher (small delays) and return the Page."""
    return fetch_all([url], **options)[0]


def fetch_all(urls: list[str], **options: Any) -> list[Page]:
    """Fetch URLs one after another with one Fetcher."""
    options.setdefault("delay", 0.01)
    options.setdefault("backoff", 0.01)

    async def go() -> list[Page]:
        async with Fetcher(**options) as fetcher:
            return [await fetcher.fetch(u) for u in urls]

    return asyncio.run(go())


def fetch_error(url: str, **options: Any) -> FetchError:
    """Return the FetchError fetching `url` raises."""
    with pytest.raises(FetchError) as info:
        fetch(url, **options)
    return info.value


def test_page_fields_and_identifying_user_agent() -> None:
    with Host({"/feed.json": Reply(body=ATLANTA, headers=JSON)}) as host:
        page = fetch(host.url("/feed.json"))
    assert page.url == host.url("/feed.json")
    assert page.status == 200
    assert page.content == ATLANTA
    assert json.loads(page.text)[0]["slug"] == "early-sunday-morning"
    assert page.headers["content-type"] == "application/json"
    assert page.fetched_at.tzinfo == UTC
    agent = host.requests[-1].headers["user-agent"]
    assert agent.startswith("peerfind/") and PROJECT_URL in agent
    assert host.paths() == ["/robots.txt", "/feed.json"]


def test_server_down_is_a_clear_error() -> None:
    error = fetch_error(f"http://127.0.0.1:{closed_port()}/feed.json")
    assert "connection refused" in str(error)


def test_timeouts_are_retried_twice_then_fail() -> None:
    rec = Recorder()
    with Host({"/slow.json": Reply(body=b"[]", stall=1.5)}) as host:
        error = fetch_error(host.url("/slow.json"), timeout=0.2, sleep=rec.sleep, backoff=1.0)
        assert host.paths().count("/slow.json") == 3
    assert "timed out (read)" in str(error)
    assert [s for s in rec.sleeps if s >= 1] == [1.0, 2.0]  # exponential backoff


def test_server_errors_then_success() -> None:
    rec = Recorder()
    replies = [Reply(500), Reply(503), Reply(body=ATLANTA, headers=JSON)]
    with Host({"/feed.json": replies}) as host:
        page = fetch(host.url("/feed.json"), sleep=rec.sleep, backoff=1.0)
        assert host.paths().count("/feed.json") == 3
    assert page.content == ATLANTA
    assert [s for s in rec.sleeps if s >= 1] == [1.0, 2.0]


def test_server_errors_give_up_after_two_retries() -> None:
    rec = Recorder()
    with Host({"/feed.json": Reply(502)}) as host:
        error = fetch_error(host.url("/feed.json"), sleep=rec.sleep)
        assert host.paths().count("/feed.json") == 3
    assert "HTTP 502 after 3 tries" in str(error)


def test_429_honours_retry_after() -> None:
    rec = Recorder()
    replies = [Reply(429, headers={"Retry-After": "7"}), Reply(body=b"[]", headers=JSON)]
    with Host({"/feed.json": replies}) as host:
        page = fetch(host.url("/feed.json"), sleep=rec.sleep)
        assert host.paths().count("/feed.json") == 2
    assert page.text == "[]"
    assert 7.0 in rec.sleeps


def test_retry_after_beyond_the_cap_gives_up_at_once() -> None:
    rec = Recorder()
    with Host({"/feed.json": Reply(429, headers={"Retry-After": "3600"})}) as host:
        error = fetch_error(host.url("/feed.json"), sleep=rec.sleep)
        assert host.paths().count("/feed.json") == 1
    assert "3600 s" in str(error)
    assert max(rec.sleeps, default=0) < 60


def test_retry_after_http_date() -> None:
    from datetime import datetime

    now = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("Sun, 01 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after("120", now) == 120.0
    assert retry_after("soon", now) is None


def test_robots_txt_disallowing_the_feed() -> None:
    robots = Reply(
        body=b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}
    )
    routes = {
        "/robots.txt": robots,
        "/private/feed.json": Reply(body=b"[]"),
        "/public.json": Reply(body=b"[1]"),
    }
    with Host(routes) as host:
        with pytest.raises(Disallowed, match="disallowed by robots.txt"):
            fetch(host.url("/private/feed.json"))
        assert "/private/feed.json" not in host.paths()
        assert fetch(host.url("/public.json")).text == "[1]"


def test_robots_txt_group_for_peerfind_and_crawl_delay() -> None:
    rec = Recorder(fake_clock=True)
    robots = Reply(
        body=b"User-agent: peerfind\nCrawl-delay: 4\nDisallow: /admin\n\n"
        b"User-agent: *\nDisallow: /\n"
    )
    with Host({"/robots.txt": robots, "/a": Reply(body=b"a"), "/b": Reply(body=b"b")}) as host:
        pages = fetch_all(
            [host.url("/a"), host.url("/b")], sleep=rec.sleep, clock=rec.clock, delay=1.0
        )
        with pytest.raises(Disallowed):
            fetch(host.url("/admin"))
    assert [p.text for p in pages] == ["a", "b"]
    assert rec.sleeps == [4.0, 4.0]  # the Crawl-delay (longer than --delay), once known


def test_robots_txt_server_error_means_fetch_nothing() -> None:
    rec = Recorder()
    with Host({"/robots.txt": Reply(500), "/feed.json": Reply(body=b"[]")}) as host:
        with pytest.raises(Disallowed, match="robots.txt unreachable"):
            fetch(host.url("/feed.json"), sleep=rec.sleep)
        assert "/feed.json" not in host.paths()


def test_per_host_pacing_uses_the_delay() -> None:
    rec = Recorder(fake_clock=True)
    with Host({"/1": Reply(body=b"1"), "/2": Reply(body=b"2"), "/3": Reply(body=b"3")}) as host:
        fetch_all(
            [host.url("/1"), host.url("/2"), host.url("/3")],
            delay=5.0,
            sleep=rec.sleep,
            clock=rec.clock,
        )
    assert rec.sleeps == [5.0, 5.0, 5.0]  # robots.txt, /1, /2, /3: three gaps


def test_one_request_in_flight_per_host_and_hosts_in_parallel() -> None:
    lock = threading.Lock()
    in_flight: dict[str, int] = {"a": 0, "b": 0, "all": 0}
    peak: dict[str, int] = {"a": 0, "b": 0, "all": 0}

    def slow(name: str) -> Any:
        def route(path: str, headers: dict[str, str]) -> Reply:
            with lock:
                for key in (name, "all"):
                    in_flight[key] += 1
                    peak[key] = max(peak[key], in_flight[key])
            time.sleep(0.15)
            with lock:
                for key in (name, "all"):
                    in_flight[key] -= 1
            return Reply(body=path.encode())

        return route

    paths = ["/1", "/2", "/3"]
    with Host({p: slow("a") for p in paths}) as a, Host({p: slow("b") for p in paths}) as b:
        assert host_key(a.url()) != host_key(b.url())

        async def go() -> list[Page]:
            async with Fetcher(delay=0.0) as fetcher:
                urls = [h.url(p) for p in paths for h in (a, b)]
                return list(await asyncio.gather(*(fetcher.fetch(u) for u in urls)))

        pages = asyncio.run(go())
    assert sorted(p.text for p in pages) == sorted(paths * 2)
    assert peak["a"] == 1 and peak["b"] == 1
    assert peak["all"] == 2


def test_redirect_is_followed_and_page_url_is_final() -> None:
    routes = {
        "/old": Reply(301, headers={"Location": "/new.json"}),
        "/new.json": Reply(body=b"[]", headers=JSON),
    }
    with Host(routes) as host:
        page = fetch(host.url("/old"))
    assert page.url == host.url("/new.json")


def test_redirect_loop_is_detected() -> None:
    routes = {
        "/a": Reply(302, headers={"Location": "/b"}),
        "/b": Reply(302, headers={"Location": "/a"}),
    }
    with Host(routes) as host:
        error = fetch_error(host.url("/a"))
        assert host.paths().count("/a") == 1
    assert "redirect loop" in str(error)


def test_too_many_redirects() -> None:
    routes: dict[str, Any] = {
        f"/{i}": Reply(302, headers={"Location": f"/{i + 1}"}) for i in range(10)
    }
    with Host(routes) as host:
        error = fetch_error(host.url("/0"))
        assert "/6" not in host.paths()
    assert "more than 5 redirects" in str(error)


def test_50_mb_stream_is_cut_off_at_the_cap() -> None:
    sent: list[int] = []

    def fifty_mb() -> Any:
        block = b"[" + b" " * (1 << 20)
        for _ in range(50):
            sent.append(len(block))
            yield block

    with (
        Host({"/huge.json": Reply(headers=JSON, chunks=fifty_mb)}) as host,
        pytest.raises(TooLarge, match="cut off"),
    ):
        fetch(host.url("/huge.json"))
    assert sum(sent) < 50 * (1 << 20)  # the server was stopped before sending it all


def test_declared_length_over_the_cap_is_refused_unread() -> None:
    with Host({"/big": Reply(body=b"x" * 5000)}) as host, pytest.raises(TooLarge):
        fetch(host.url("/big"), max_bytes=4000)


def test_decompression_bomb_counts_decoded_bytes() -> None:
    bomb = gzip.compress(b"\0" * (30 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    headers = {"Content-Encoding": "gzip", **JSON}
    with Host({"/bomb.json": Reply(body=bomb, headers=headers)}) as host, pytest.raises(TooLarge):
        fetch(host.url("/bomb.json"))


def test_gzip_body_is_decoded() -> None:
    headers = {"Content-Encoding": "gzip", **JSON}
    with Host({"/feed.json": Reply(body=gzip.compress(ATLANTA), headers=headers)}) as host:
        page = fetch(host.url("/feed.json"))
    assert page.content == ATLANTA


def test_windows_1252_declared_in_the_header() -> None:
    feed = json.loads((FIXTURES / "meeting_guide" / "tsml-ui-eda.json").read_text("utf-8"))
    notes = next(
        r["group_notes"] for r in feed if r["slug"] == "chatroom-mondays-12-pm-eastern-discord"
    )
    body = notes.encode("cp1252")
    assert b"\x96" in body  # the en dash, as windows-1252 encodes it
    headers = {"Content-Type": "text/plain; charset=windows-1252"}
    with Host({"/notes.txt": Reply(body=body, headers=headers)}) as host:
        page = fetch(host.url("/notes.txt"))
    assert page.text == notes
    assert "Sunday – 8 pm Eastern" in page.text


def test_charset_from_html_meta_when_the_header_has_none() -> None:
    body = '<html><head><meta charset="windows-1252"></head><p>Sunday – 8 pm</p>'.encode("cp1252")
    with Host({"/p.html": Reply(body=body, headers={"Content-Type": "text/html"})}) as host:
        page = fetch(host.url("/p.html"))
    assert "Sunday – 8 pm" in page.text


def test_private_feed_is_not_retried() -> None:
    with Host({"/feed.json": Reply(403)}) as host:
        with pytest.raises(PrivateFeed, match="private feed"):
            fetch(host.url("/feed.json"))
        assert host.paths().count("/feed.json") == 1


def test_304_with_etag_reuses_the_cached_body(tmp_path: Path) -> None:
    def feed(path: str, headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(body=ATLANTA, headers={"ETag": '"v1"', **JSON})

    with Host({"/feed.json": feed}) as host:
        first = fetch(host.url("/feed.json"), cache_dir=tmp_path)
        second = fetch(host.url("/feed.json"), cache_dir=tmp_path)  # a later run, new Fetcher
        sent = [r.headers for r in host.requests if r.path == "/feed.json"]
    assert first.status == 200 and "if-none-match" not in sent[0]
    assert sent[1]["if-none-match"] == '"v1"'
    assert second.status == 304
    assert second.content == ATLANTA
    assert json.loads(second.text)[5]["slug"] == "covington-11"


def test_last_modified_is_sent_back(tmp_path: Path) -> None:
    stamp = "Tue, 01 Oct 2024 10:00:00 GMT"

    def feed(path: str, headers: dict[str, str]) -> Reply:
        if headers.get("if-modified-since") == stamp:
            return Reply(304)
        return Reply(body=b"[]", headers={"Last-Modified": stamp, **JSON})

    with Host({"/feed.json": feed}) as host:
        fetch(host.url("/feed.json"), cache_dir=tmp_path)
        page = fetch(host.url("/feed.json"), cache_dir=tmp_path)
    assert page.status == 304 and page.text == "[]"


def test_transport_is_injectable() -> None:
    import httpx

    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, content=ATLANTA, headers=JSON)

    page = fetch("https://feeds.invalid/feed.json", transport=httpx.MockTransport(handle))
    assert seen == ["/robots.txt", "/feed.json"]
    assert json.loads(page.text)[4]["slug"] == "covington-4"
