"""Run sources: fetch their pages, parse, follow links, fill places and zones, write the catalog.

A source's run starts from scraper.urls(); each page goes to the scraper's parse (or the method a
Follow names, called as callback(page, **follow.meta)); Follow URLs are resolved against the
page's final URL, de-duplicated and capped at the scraper's max_pages. A source stops after
MAX_ERRORS errors. Outcome per source:

- failed: a start URL could not be fetched or parsed, the error cap was hit, pages failed and
  no listings came back, or a feed parser whose every row should be a listing
  (`fail_when_all_skipped`, e.g. Meeting Guide) skipped them all: nothing written;
- partial: some followed pages failed: the listings found are upserted, none marked removed;
- ok / suspicious: catalog.refresh_source replaced the source's listings (or, when far fewer came
  back than before, kept the previous ones and said 'suspicious').

A scraper with `fallback_urls()` (The Events Calendar: its iCalendar feed) gets one second chance:
when a start URL is refused or missing (HTTP 401/403/404/410) or answers an HTML page its parser
rejects, the fallback URLs become the start URLs, parsed by the same scraper; SourceRun.fallback
says why.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from peerfind.catalog import db as catalog
from peerfind.errors import PeerfindError
from peerfind.models import Follow, Group
from peerfind.scraping import ParseReport, Scraper, SourceConfig
from peerfind.sources.enrich import enrich
from peerfind.sources.registry import Source
from peerfind.sources.screen import screen

MAX_ERRORS = 5
CONCURRENCY = 32  # sources run at once (each host still sees one request at a time)


@dataclass
class SourceRun:
    """What fetching and parsing one source produced."""

    config: SourceConfig
    groups: list[Group] = field(default_factory=list)
    report: ParseReport = field(default_factory=ParseReport)
    pages: int = 0
    not_modified: int = 0  # pages answered 304 (cached body reused)
    errors: list[str] = field(default_factory=list)
    fatal: str = ""  # why the source failed; empty when it did not
    fallback: str = ""  # set when the scraper's fallback URLs replaced a refused start URL
    dropped_links: int = 0  # Follow links over the max_pages cap
    geocoded: int = 0
    zoned: int = 0
    zone_corrections: Counter[str] = field(default_factory=Counter)  # stated zone vs place
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished: datetime | None = None
    seconds: float = 0.0
    result: catalog.RefreshResult | None = None

    @property
    def name(self) -> str:
        """Return the source name."""
        return self.config.name

    @property
    def status(self) -> str:
        """Return failed, partial, suspicious or ok."""
        if self.fatal:
            return "failed"
        if self.result is not None and self.result.status != "ok":
            return self.result.status
        return "partial" if self.errors else "ok"

    @property
    def skipped(self) -> int:
        """Return how many records the parser skipped."""
        return sum(self.report.skipped.values())


def _norm(url: str) -> str:
    """Return a URL without its fragment, for de-duplication."""
    return url.split("#", 1)[0]


async def run_source(
    source: Source, fetcher: Any, *, on_page: Callable[[str, str], None] | None = None
) -> SourceRun:
    """Fetch and parse one source with `fetcher` (a peerfind.fetch.client.Fetcher); never raises."""
    from peerfind.fetch.client import FetchError

    run = SourceRun(config=source.config)
    clock = time.monotonic()
    try:
        scraper = source.make()
    except PeerfindError as exc:
        run.fatal = str(exc)
        return _finish(run, clock)
    run.report = scraper.report
    starts = [_norm(u) for u in scraper.urls()]
    if not starts:
        run.fatal = "no URL to start from"
        return _finish(run, clock)
    queue: deque[tuple[str, str, dict[str, Any]]] = deque((u, "parse", {}) for u in starts)
    seen = set(starts)
    spare = _fallbacks(scraper)  # used at most once, instead of a refused start URL

    def fall_back(why: str) -> bool:
        nonlocal spare
        urls = [u for u in spare if u not in seen]
        spare = []
        if not urls:
            return False
        run.fallback = f"{why.removesuffix('; skipped')}; read {', '.join(urls)} instead"
        starts.extend(urls)
        seen.update(urls)
        queue.extend((u, "parse", {}) for u in urls)
        return True

    while queue:
        if run.pages >= scraper.max_pages:
            run.dropped_links = len(queue)
            break
        url, callback, meta = queue.popleft()
        is_start = url in starts and callback == "parse"
        try:
            page = await fetcher.fetch(url)
        except FetchError as exc:
            if not (is_start and _refused(exc) and fall_back(str(exc))):
                _error(run, str(exc), fatal=is_start)
        except Exception as exc:  # a fetcher bug on one hostile page fails that page only
            _error(run, f"{url}: {unexpected(exc)}", fatal=is_start)
        else:
            run.pages += 1
            run.not_modified += page.status == 304
            seen.add(_norm(page.url))  # the final URL, after redirects
            if on_page:
                on_page(source.name, page.url)
            follows, problem = _parse(run, scraper, page, callback, meta)
            if problem and not (is_start and _is_html(page) and fall_back(problem)):
                _error(run, problem, fatal=is_start)
            for link in follows:
                target = _norm(urljoin(page.url, link.url))
                scheme = urlsplit(target).scheme
                if scheme == "file" and urlsplit(page.url).scheme != "file":
                    _error(
                        run,
                        f"{page.url}: refused to read the local file {target} "
                        "(a remote page may only lead to http and https)",
                        fatal=False,
                    )
                elif scheme in ("http", "https", "file") and target not in seen:
                    seen.add(target)
                    queue.append((target, link.callback, dict(link.meta)))
        if run.fatal:
            break
        if len(run.errors) >= MAX_ERRORS:
            run.fatal = f"stopped after {MAX_ERRORS} errors"
            break
    if run.errors and not run.groups and not run.fatal:
        run.fatal = f"no listings; {len(run.errors)} page(s) failed: {run.errors[0]}"
    if (
        not run.groups
        and not run.fatal
        and run.skipped
        and getattr(scraper, "fail_when_all_skipped", False)
    ):
        run.fatal = all_skipped(run.report)
    return _finish(run, clock)


def all_skipped(report: ParseReport) -> str:
    """Return why a source whose every record was skipped failed, naming the first reasons."""
    reasons = ", ".join(f"{n} {why}" for why, n in report.skipped.most_common(3))
    more = "" if len(report.skipped) <= 3 else ", …"
    total = sum(report.skipped.values())
    return f"every record skipped ({total}: {reasons}{more})"


def unexpected(exc: BaseException) -> str:
    """Return the one-line report of an error nobody expected inside one source."""
    return f"unexpected error: {type(exc).__name__}: {str(exc)[:300]}"


def _error(run: SourceRun, message: str, *, fatal: bool) -> None:
    """Record an error; a fatal one fails the source."""
    run.errors.append(message)
    if fatal:
        run.fatal = message


def _fallbacks(scraper: Scraper) -> list[str]:
    """Return the scraper's fallback start URLs (none when it defines no fallback_urls())."""
    method = getattr(scraper, "fallback_urls", None)
    if not callable(method):
        return []
    try:
        return [_norm(u) for u in method() if u]
    except Exception:  # a broken fallback must not hide the start URL's own error
        return []


def _refused(exc: Exception) -> bool:
    """Return True for a start URL refused or missing (HTTP 401/403/404/410), worth a fallback."""
    from peerfind.fetch.client import NotFound, PrivateFeed

    return isinstance(exc, (PrivateFeed, NotFound))


def _is_html(page: Any) -> bool:
    """Return True when a page's body is an HTML document (a block page, a login wall)."""
    return page.text.lstrip("\ufeff \r\n\t")[:1] == "<"


def _parse(
    run: SourceRun, scraper: Scraper, page: Any, callback: str, meta: dict[str, Any]
) -> tuple[list[Follow], str]:
    """Call the named parse method on a page, collect Groups; return (Follows, error or '')."""
    method = getattr(scraper, callback, None)
    if not callable(method):
        return [], f"{page.url}: scraper has no callback {callback!r}"
    follows: list[Follow] = []
    try:
        for item in method(page, **meta):
            if isinstance(item, Group):
                run.groups.append(item)
            elif isinstance(item, Follow):
                follows.append(item)
    except PeerfindError as exc:
        return follows, str(exc)
    except Exception as exc:  # a scraper bug must fail its source, not the whole run
        return follows, f"{page.url}: {type(exc).__name__} in {callback}: {exc}"
    return follows, ""


def _finish(run: SourceRun, clock: float) -> SourceRun:
    """Stamp the end of a run."""
    run.finished = datetime.now(UTC)
    run.seconds = time.monotonic() - clock
    return run


def store(conn: sqlite3.Connection, run: SourceRun) -> SourceRun:
    """Write one source's listings in its own transaction and record the run; return `run`."""
    started = run.started.isoformat(timespec="seconds")
    finished = (run.finished or datetime.now(UTC)).isoformat(timespec="seconds")
    try:
        if run.fatal:
            run.result = catalog.RefreshResult(status="failed", message=run.fatal)
        elif run.errors:
            with conn:
                run.result = catalog.upsert(conn, run.groups)
        else:
            run.result = catalog.refresh_source(conn, run.name, run.groups)
    except (PeerfindError, sqlite3.DatabaseError) as exc:
        if conn.in_transaction:
            conn.rollback()
        text = str(exc)
        if isinstance(exc, sqlite3.DatabaseError):
            text = catalog.describe_error(Path(catalog.db_file(conn)), exc)
        run.fatal = f"catalog: {text}"
        run.result = catalog.RefreshResult(status="failed", message=run.fatal)
    message = "; ".join(run.errors) or run.result.message
    catalog.record_run(
        conn,
        run.name,
        started,
        finished,
        run.status,
        run.result,
        errors=len(run.errors),
        skipped=run.skipped,
        error=message,
    )
    return run


async def run_sources(
    sources: list[Source],
    fetcher: Any,
    *,
    on_done: Callable[[SourceRun], None] | None = None,
    on_page: Callable[[str, str], None] | None = None,
    concurrency: int = CONCURRENCY,
    fill_places: bool = True,
) -> list[SourceRun]:
    """Run sources concurrently (pacing per host is the fetcher's); call on_done as each ends.

    With `fill_places`, each successful source's listings go through enrich() first.
    """
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(source: Source) -> SourceRun:
        try:  # whatever goes wrong inside one source fails that source only
            async with gate:
                run = await run_source(source, fetcher, on_page=on_page)
            if fill_places and not run.fatal and run.groups:
                run.groups, run.geocoded, run.zoned = enrich(
                    run.groups, corrections=run.zone_corrections
                )
            if not run.fatal and run.groups:  # not support groups: skipped, with their reasons
                run.groups = screen(run.groups, run.report.skipped, keep_closed=True)
        except Exception as exc:
            run = _finish(SourceRun(config=source.config, fatal=unexpected(exc)), time.monotonic())
        if on_done:
            on_done(run)
        return run

    return list(await asyncio.gather(*(one(s) for s in sources)))
