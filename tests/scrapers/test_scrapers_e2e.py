"""End to end: `peerfind scrape <name>` and the runner against the fixtures served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest
from scraper_fixtures import serve_fixtures
from typer.testing import CliRunner

import scrapers.pathminder
from peerfind.scraping import SourceConfig
from peerfind.sources.registry import Source
from scrapers.mha_affiliates import MhaAffiliates
from scrapers.nami_affiliates import NamiAffiliates
from scrapers.pathminder import Pathminder
from scrapers.pflag import Pflag

SMART, LIFERING = "https://meetings.smartrecovery.org", "https://meetings.lifering.org"
CASES = {
    "nami_affiliates": (NamiAffiliates, ("https://www.nami.org",)),
    "pflag": (Pflag, ("https://pflag.org",)),
    "mha_affiliates": (MhaAffiliates, ("https://mhanational.org",)),
    "pathminder": (Pathminder, (SMART, LIFERING)),
}
EXPECTED = {
    "nami_affiliates": ["nami-example-county", "nami-placeholder-state", "nami-sample-valley"],
    "pflag": [
        "chapter:pflag-example-city",
        "chapter:pflag-placeholder-valley",
        "chapter:pflag-sample-town",
        "pflag-example-city:monthly-support-meeting:19:00",
        "pflag-example-city:trans-family-support-group:18:30",
    ],
    "mha_affiliates": ["mental-health-america-of-example-county", "mha-sample-valley"],
    "pathminder": ["lifering:501", "smart:12345", "smart:12346"],
}


def cli_app():
    """Return the full peerfind CLI (scrape is registered by peerfind.cli.app)."""
    from peerfind.cli.app import app

    return app


def local(url: str, bases: dict[str, str]) -> str:
    """Return `url` pointed at the local server standing in for its origin."""
    for origin, base in bases.items():
        if url.startswith(origin):
            return base + url[len(origin) :]
    return url


def rows(db: str, source: str) -> dict[str, sqlite3.Row]:
    """Return a source's catalog rows by source_key."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute("SELECT * FROM groups WHERE source = ?", (source,)).fetchall()
    finally:
        conn.close()
    return {r["source_key"]: r for r in found}


def serve(stack: ExitStack, name: str) -> dict[str, str]:
    """Start one local server per origin of a scraper's fixtures; return origin -> base URL."""
    return {
        origin: stack.enter_context(serve_fixtures(name, (origin,), only=origin))
        for origin in CASES[name][1]
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_peerfind_scrape_writes_the_catalog(name, monkeypatch, tmp_path):
    cls = CASES[name][0]
    db = str(tmp_path / "catalog.db")
    with ExitStack() as stack:
        bases = serve(stack, name)
        monkeypatch.setattr(cls, "start_urls", tuple(local(u, bases) for u in cls.start_urls))
        if name == "pathminder":
            hosts = {
                urlsplit(bases[SMART]).netloc: "smart",
                urlsplit(bases[LIFERING]).netloc: "lifering",
            }
            monkeypatch.setattr(scrapers.pathminder, "HOSTS", hosts)
        result = CliRunner().invoke(
            cli_app(),
            ["--db", db, "scrape", name, "--delay", "0", "--cache", str(tmp_path / "cache")],
        )
    assert result.exit_code == 0, result.output + result.stderr
    assert sorted(rows(db, name)) == EXPECTED[name]


def test_scraped_nami_listing_is_decoded_and_geocoded(monkeypatch, tmp_path):
    db = str(tmp_path / "catalog.db")
    with ExitStack() as stack:
        bases = serve(stack, "nami_affiliates")
        monkeypatch.setattr(
            NamiAffiliates, "start_urls", tuple(local(u, bases) for u in NamiAffiliates.start_urls)
        )
        result = CliRunner().invoke(
            cli_app(), ["--db", db, "scrape", "nami_affiliates", "--delay", "0"]
        )
    assert result.exit_code == 0, result.output + result.stderr
    row = rows(db, "nami_affiliates")["nami-example-county"]
    assert (row["email"], row["website"], row["region"]) == (
        "info@namiexample.org",
        "https://namiexample.org/",
        "IL",
    )
    assert row["latitude"] == pytest.approx(39.8, abs=0.3)
    assert row["longitude"] == pytest.approx(-89.65, abs=0.3)


def test_scraped_pflag_meeting_keeps_its_recurrence(monkeypatch, tmp_path):
    db = str(tmp_path / "catalog.db")
    with ExitStack() as stack:
        bases = serve(stack, "pflag")
        monkeypatch.setattr(Pflag, "start_urls", (local(Pflag.start_urls[0], bases),))
        result = CliRunner().invoke(cli_app(), ["--db", db, "scrape", "pflag", "--delay", "0"])
    assert result.exit_code == 0, result.output + result.stderr
    row = rows(db, "pflag")["pflag-example-city:monthly-support-meeting:19:00"]
    schedule = json.loads(row["schedule"])
    assert (schedule["kind"], schedule["days"], schedule["nths"], schedule["start"]) == (
        "monthly_nth",
        [2],
        [3],
        "19:00",
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_runner_with_a_configured_url(name):
    """A SourceConfig url overrides start_urls (Scraper.urls()), which is how sources files work."""
    from peerfind.fetch.client import Fetcher
    from peerfind.sources import runner

    cls, origins = CASES[name]
    with ExitStack() as stack:
        bases = serve(stack, name)
        start = local(cls.start_urls[0], bases)
        config = SourceConfig(name=name, url=start, program="smart" if name == "pathminder" else "")
        source = Source(config, cls)

        async def go() -> runner.SourceRun:
            async with Fetcher(delay=0) as fetcher:
                return await runner.run_source(source, fetcher)

        run = asyncio.run(go())
    assert (run.status, run.errors) == ("ok", [])
    keys = sorted(g.source_key for g in run.groups)
    expected = [k for k in EXPECTED[name] if not k.startswith("lifering")]  # one start URL only
    assert keys == expected
