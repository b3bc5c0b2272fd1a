"""The polite HTTP client: robots.txt, per-host pacing, retries, conditional requests, size caps.

One `Fetcher` is shared by every source of a run. Requests to one host (scheme://host:port) are
serialized by a per-host lock and spaced by the configured delay (or the host's Crawl-delay, if
longer); different hosts proceed concurrently. The clock, the sleep and the transport are injectable
so tests can run without waiting real seconds.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import httpx
from protego import Protego

from peerfind import USER_AGENT
from peerfind.errors import FetchError
from peerfind.fetch.body import BoundedDecoder, TooLarge, decode_text, human_size
from peerfind.fetch.cache import CacheEntry, HttpCache
from peerfind.models import Page

__all__ = [
    "Fetcher",
    "FetchError",
    "PrivateFeed",
    "NotFound",
    "Disallowed",
    "TooLarge",
    "host_key",
    "utc_now",
]

DEFAULT_DELAY = 1.0
MAX_BYTES = 20_000_000  # 20 MB, counted after decompression
RETRIES = 2
BACKOFF = 1.0
RETRY_AFTER_CAP = 60.0
TIMEOUT = 30.0
MAX_TIME = 300.0  # a whole response, however slowly it drips
MAX_REDIRECTS = 5
ROBOTS_MAX = 512 * 1024
REDIRECTS = (301, 302, 303, 307, 308)


class PrivateFeed(FetchError):
    """The server answered 401/403: the feed is private (restricted); it is not retried."""


class NotFound(FetchError):
    """The server answered 404/410: nothing at that URL."""


class Disallowed(FetchError):
    """robots.txt does not allow peerfind to fetch the URL (or robots.txt was unreachable)."""


def utc_now() -> datetime:
    """Return the current UTC time, or PEERFIND_NOW when set (tests pin the clock of fetched_at)."""
    from peerfind.schedule.clock import now

    return now("UTC").astimezone(UTC)


def host_key(url: str) -> str:
    """Return the politeness key of a URL: scheme://host:port, lower-cased."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


@dataclass
class _Host:
    """Per-host state: the lock that keeps one request in flight, pacing, robots rules."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last: float | None = None  # clock() when the previous request ended
    rules: Protego | None = None
    robots_error: str | None = None  # set when robots.txt was unreachable: fetch nothing
    robots_done: bool = False
    crawl_delay: float = 0.0


@dataclass
class _Reply:
    """One HTTP exchange, body read only for 2xx answers."""

    status: int
    headers: dict[str, str]
    body: bytes = b""


class Fetcher:
    """Fetch pages politely; use `async with Fetcher(...) as f: page = await f.fetch(url)`."""

    def __init__(
        self,
        *,
        delay: float = DEFAULT_DELAY,
        cache_dir: Path | str | None = None,
        max_bytes: int = MAX_BYTES,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        retry_after_cap: float = RETRY_AFTER_CAP,
        timeout: float = TIMEOUT,
        max_time: float = MAX_TIME,
        max_redirects: int = MAX_REDIRECTS,
        user_agent: str = USER_AGENT,
        obey_robots: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        now: Callable[[], datetime] | None = None,
        on_request: Callable[[str, str], None] | None = None,
    ) -> None:
        """Configure politeness and limits; nothing is opened until the first request."""
        self.delay = delay
        self.cache = HttpCache(cache_dir) if cache_dir is not None else None
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.retry_after_cap = retry_after_cap
        self.max_time = max_time
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        self.obey_robots = obey_robots
        self.clock, self.sleep, self.now = clock, sleep, now or utc_now
        self.on_request = on_request  # called with (method-ish label, url) before each request
        self._hosts: dict[str, _Host] = {}
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={
                "User-Agent": user_agent,
                "Accept-Encoding": "gzip, deflate",
                "Accept": "application/json, text/html;q=0.9, */*;q=0.8",
            },
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )

    async def __aenter__(self) -> Fetcher:
        """Return self; the client closes on exit."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the connection pool."""
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    def _host(self, url: str) -> _Host:
        """Return the state of the host serving `url`."""
        return self._hosts.setdefault(host_key(url), _Host())

    async def fetch(self, url: str) -> Page:
        """Return the Page at `url` (final URL after redirects); raise FetchError on failure."""
        if url.startswith("file:"):
            return self._read_file(url)
        seen = {url.split("#")[0]}
        current = url
        for _hop in range(self.max_redirects + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                raise FetchError(f"{url}: cannot fetch {current!r} (only http and https)")
            await self._check_robots(current)
            cached = self.cache.get(current) if self.cache else None
            headers = cached.conditional_headers() if cached else {}
            reply = await self._request(current, headers)
            if reply.status in REDIRECTS and reply.headers.get("location"):
                nxt = _redirect_target(url, current, reply.headers["location"])
                if nxt in seen:
                    raise FetchError(f"{url}: redirect loop ({current} -> {nxt})")
                seen.add(nxt)
                current = nxt
                continue
            return self._page(url, current, reply, cached)
        raise FetchError(f"{url}: more than {self.max_redirects} redirects")

    def _page(self, url: str, final: str, reply: _Reply, cached: CacheEntry | None) -> Page:
        """Turn a final reply into a Page (a 304 reuses the cached body); raise on errors."""
        status, headers, body = reply.status, reply.headers, reply.body
        if status == 304 and cached is not None and (old := cached.body()) is not None:
            headers = {**cached.headers, **headers}
            body = old
        elif status in (401, 403):
            raise PrivateFeed(f"{url}: private feed (HTTP {status}); skipped")
        elif status == 404 or status == 410:
            raise NotFound(f"{url}: not found (HTTP {status})")
        elif not 200 <= status < 300:
            raise FetchError(f"{url}: unexpected HTTP {status}")
        elif self.cache is not None and status == 200:
            self.cache.put(final, headers, body)
        text = decode_text(body, headers.get("content-type", ""))
        return Page(
            url=final,
            text=text,
            fetched_at=self.now(),
            status=status,
            headers=headers,
            content=body,
        )

    def _read_file(self, url: str) -> Page:
        """Return a local file:// URL as a Page (handy for ad hoc runs on a saved feed)."""
        path = Path(url2pathname(urlsplit(url).path))
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise TooLarge(f"{url}: file larger than the {human_size(self.max_bytes)} cap")
            body = path.read_bytes()
        except OSError as exc:
            raise FetchError(f"{url}: cannot read ({exc.strerror or exc})") from None
        return Page(url=url, text=decode_text(body), fetched_at=self.now(), content=body)

    async def _check_robots(self, url: str) -> None:
        """Raise Disallowed unless the host's robots.txt lets this user agent fetch `url`."""
        if not self.obey_robots:
            return
        host = self._host(url)
        async with host.robots_lock:
            if not host.robots_done:
                await self._load_robots(url, host)
                host.robots_done = True
        if host.robots_error:
            raise Disallowed(f"{url}: {host.robots_error}")
        if host.rules is not None and not host.rules.can_fetch(url, self.user_agent):
            raise Disallowed(f"{url}: disallowed by robots.txt")

    async def _load_robots(self, url: str, host: _Host) -> None:
        """Fetch and parse the host's robots.txt once (RFC 9309: 4xx = allow, 5xx = disallow)."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        reply = None
        for _hop in range(self.max_redirects + 1):  # robots.txt may redirect (e.g. http -> https)
            try:
                reply = await self._request(robots_url, {}, limit=ROBOTS_MAX, robots=True)
            except TooLarge:  # RFC 9309 2.5: a parser may stop at 500 KiB; obey the worst case
                host.robots_error = (
                    f"robots.txt is larger than {ROBOTS_MAX // 1024} KB: "
                    "treated as disallowing everything (RFC 9309)"
                )
                return
            if reply.status in REDIRECTS and reply.headers.get("location"):
                robots_url = urljoin(robots_url, reply.headers["location"])
                continue
            break
        if reply is None or reply.status in REDIRECTS:
            return
        if 500 <= reply.status < 600 or reply.status == 429:
            host.robots_error = f"robots.txt unreachable (HTTP {reply.status}): not fetching"
            return
        if not 200 <= reply.status < 300:
            return  # 4xx: no robots.txt, everything allowed
        # protego implements RFC 9309: '*' and '$' wildcards, the longest matching rule wins.
        rules = Protego.parse(decode_text(reply.body, reply.headers.get("content-type", "")))
        host.rules = rules
        delay = rules.crawl_delay(self.user_agent)
        if delay is not None:
            host.crawl_delay = min(float(delay), self.retry_after_cap)

    async def _pace(self, host: _Host) -> None:
        """Wait until the host's delay since its previous request has passed."""
        if host.last is None:
            return
        wait = max(self.delay, host.crawl_delay) - (self.clock() - host.last)
        if wait > 0:
            await self.sleep(wait)

    async def _request(
        self, url: str, headers: dict[str, str], *, limit: int | None = None, robots: bool = False
    ) -> _Reply:
        """Send one paced GET, retrying timeouts, 429 and 5xx with backoff; return the reply."""
        host = self._host(url)
        async with host.lock:
            error: FetchError | None = None
            wait = 0.0
            for attempt in range(self.retries + 1):
                if attempt:
                    await self.sleep(wait)
                await self._pace(host)
                if self.on_request:
                    self.on_request("robots" if robots else "GET", url)
                try:
                    reply = await self._send(url, headers, limit or self.max_bytes)
                except httpx.TimeoutException as exc:
                    error = FetchError(f"{url}: timed out ({_timeout_kind(exc)})")
                    wait = self.backoff * 2**attempt
                    continue
                except httpx.ConnectError as exc:
                    raise FetchError(f"{url}: cannot connect ({_reason(exc)})") from None
                except httpx.HTTPError as exc:
                    raise FetchError(f"{url}: {type(exc).__name__}: {_reason(exc)}") from None
                except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
                    raise FetchError(f"{url}: not a usable URL ({_reason(exc)})") from None
                except TimeoutError:
                    raise FetchError(f"{url}: took longer than {self.max_time:g} s") from None
                finally:
                    host.last = self.clock()
                if reply.status != 429 and not 500 <= reply.status < 600:
                    return reply
                if robots and reply.status != 429 and attempt == self.retries:
                    return reply  # lets _load_robots record 'unreachable'
                error = FetchError(f"{url}: HTTP {reply.status} after {attempt + 1} tries")
                wait = self.backoff * 2**attempt
                after = retry_after(reply.headers.get("retry-after", ""), self.now())
                if after is not None:
                    if after > self.retry_after_cap:
                        raise FetchError(
                            f"{url}: HTTP {reply.status}, server asks to wait "
                            f"{after:.0f} s (more than {self.retry_after_cap:g} s)"
                        )
                    wait = max(wait, after)
            assert error is not None
            raise error

    async def _send(self, url: str, headers: dict[str, str], limit: int) -> _Reply:
        """Send a GET and read the body of a 2xx answer, streamed, within the size cap."""
        async with asyncio.timeout(self.max_time):
            request = self._client.build_request("GET", url, headers=headers)
            response = await self._client.send(request, stream=True)
            try:
                found = {k.lower(): v for k, v in response.headers.items()}
                if not 200 <= response.status_code < 300:
                    return _Reply(response.status_code, found)
                consumed = response.is_stream_consumed  # e.g. built by an in-memory transport
                coding = "" if consumed else found.get("content-encoding", "")
                decoder = BoundedDecoder(coding, limit, url)
                declared = found.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise TooLarge(
                        f"{url}: response of {human_size(int(declared))} is over "
                        f"the {human_size(limit)} cap: not read"
                    )
                chunks, raw_total = [], 0
                async for raw in _raw_chunks(response, consumed):
                    raw_total += len(raw)
                    if raw_total > limit:
                        raise TooLarge(f"{url}: response larger than {human_size(limit)}: cut off")
                    chunks.append(decoder.feed(raw))
                chunks.append(decoder.flush())
                return _Reply(response.status_code, found, b"".join(chunks))
            finally:
                await response.aclose()


async def _raw_chunks(response: httpx.Response, consumed: bool) -> AsyncIterator[bytes]:
    """Yield a response's body as sent (or, when already read into memory, as held)."""
    if consumed:
        yield response.content
        return
    async for chunk in response.aiter_raw():
        yield chunk


def _redirect_target(url: str, current: str, location: str) -> str:
    """Return where a redirect leads; raise FetchError for a Location that is no usable URL
    (an out-of-range port, a broken host)."""
    try:
        nxt = urljoin(current, location).split("#")[0]
        parts = urlsplit(nxt)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
        httpx.URL(nxt)
    except (ValueError, httpx.InvalidURL):
        from peerfind.clean import clean_text

        raise FetchError(
            f"{url}: redirect to an invalid URL {clean_text(location, limit=200)!r}"
        ) from None
    if not parts.hostname:
        raise FetchError(f"{url}: redirect to a URL without a host")
    return nxt


def retry_after(value: str, now: datetime) -> float | None:
    """Return the seconds a Retry-After header asks for (delta or HTTP date), or None."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _timeout_kind(exc: httpx.TimeoutException) -> str:
    """Return 'connect', 'read', 'write' or 'pool' for a timeout."""
    name = type(exc).__name__.replace("Timeout", "").lower()
    return name or "timeout"


def _reason(exc: BaseException) -> str:
    """Return a short reason for a transport error (e.g. 'connection refused')."""
    seen: BaseException | None = exc
    while seen is not None:
        text = str(seen).lower()
        if isinstance(seen, ConnectionRefusedError) or "refused" in text or "errno 111" in text:
            return "connection refused"
        seen = seen.__cause__ or seen.__context__
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
