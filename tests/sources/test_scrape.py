"""`peerfind scrape` end to end against local feeds, plus the registry and the runner."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from local_hosts import Host, Reply, closed_port
from typer.testing import CliRunner

from peerfind.catalog import db as catalog
from peerfind.cli.app import app
from peerfind.errors import UsageError
from peerfind.fetch.client import Fetcher
from peerfind.models import Follow, Group, Page, Schedule, make_id
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.scraping import SourceConfig
from peerfind.sources import registry, runner

FIXTURES = Path(__file__).parents[1] / "fixtures" / "meeting_guide"
ATLANTA = (FIXTURES / "tsml-ui-atlanta-aa.json").read_bytes()
AL_ANON = (FIXTURES / "tsml-ui-al-anon.json").read_bytes()
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Return the path of a fresh temporary catalog."""
    return tmp_path / "catalog.db"


def scrape(db: Path, *args: str) -> Any:
    """Run `peerfind --db DB scrape ARGS` with small delays; return the CliRunner result."""
    return CliRunner().invoke(app, ["--db", str(db), "scrape", "--delay", "0.01", *args])


def adhoc(db: Path, url: str, *extra: str) -> Any:
    """Scrape one Meeting Guide feed ad hoc under the source name 'test'."""
    return scrape(db, "--platform", "meeting-guide", "--url", url, "--name", "test", *extra)


def rows(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Return the rows of a query on the catalog."""
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def active(db: Path, source: str = "test") -> int:
    """Return how many active listings a source has."""
    return rows(db, "SELECT count(*) FROM groups WHERE source = ? AND status != 'removed'", source)[
        0
    ][0]


# --- the done-when test and the faults, through the command line --------------------------------


def test_adhoc_meeting_guide_feed_lands_in_the_catalog(db: Path) -> None:
    with Host({"/feed.json": Reply(body=ATLANTA, headers=JSON)}) as host:
        result = adhoc(
            db,
            host.url("/feed.json"),
            "--program",
            "aa",
            "--region",
            "GA",
            "--timezone",
            "America/New_York",
        )
    assert result.exit_code == 0, result.output
    assert active(db) == 6
    conn = catalog.connect(db)
    group = catalog.get_group(conn, make_id("test", "early-sunday-morning"))
    assert group is not None
    assert (group.name, group.city, group.postal_code) == (
        "Early Sunday Morning",
        "Acworth",
        "30102",
    )
    assert group.schedule.days == (0,) and group.schedule.start == "09:00"
    assert group.schedule.timezone == "America/New_York"
    assert group.topics == ("alcohol",)
    run = conn.execute("SELECT status, added, errors FROM runs WHERE source = 'test'").fetchone()
    assert tuple(run) == ("ok", 6, 0)
    assert "test" in result.stdout and "ok" in result.stdout
    assert "scrape [1/1] test: ok, +6 ~0 =0 -0" in result.stderr  # quiet lines off a terminal


def test_missing_time_zone_is_filled_from_place(db: Path) -> None:
    with Host({"/feed.json": Reply(body=ATLANTA, headers=JSON)}) as host:
        assert adhoc(db, host.url("/feed.json")).exit_code == 0
    zones = rows(db, "SELECT DISTINCT timezone FROM groups WHERE source = 'test'")
    assert zones == [("America/New_York",)]  # Acworth and Covington, GA


def test_50_mb_response_fails_the_source_and_keeps_listings(db: Path) -> None:
    def fifty_mb() -> Iterator[bytes]:
        for _ in range(50):
            yield b" " * (1 << 20)

    replies = [Reply(body=ATLANTA, headers=JSON), Reply(headers=JSON, chunks=fifty_mb)]
    with Host({"/feed.json": replies}) as host:
        assert adhoc(db, host.url("/feed.json")).exit_code == 0
        result = adhoc(db, host.url("/feed.json"))
    assert result.exit_code == 1
    assert "failed" in result.stdout and "cut off" in result.stdout
    assert active(db) == 6
    assert rows(db, "SELECT status FROM runs WHERE source='test' ORDER BY id") == [
        ("ok",),
        ("failed",),
    ]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (ATLANTA[:3000], "invalid JSON"),
        (b"<!DOCTYPE html><html><title>Just a moment...</title></html>", "got an HTML page"),
    ],
)
def test_garbage_where_json_was_expected(db: Path, body: bytes, says: str) -> None:
    with Host({"/feed.json": [Reply(body=ATLANTA, headers=JSON), Reply(body=body)]}) as host:
        adhoc(db, host.url("/feed.json"))
        result = adhoc(db, host.url("/feed.json"))
    assert result.exit_code == 1
    assert says in result.stdout
    assert active(db) == 6


def test_empty_feed_after_hundreds_is_suspicious_and_kept(db: Path) -> None:
    with Host({"/feed.json": [Reply(body=AL_ANON, headers=JSON), Reply(body=b"[]")]}) as host:
        first = adhoc(db, host.url("/feed.json"), "--program", "al-anon")
        assert active(db) == 346, first.output  # 360 less 13 business meetings and 1 test
        result = adhoc(db, host.url("/feed.json"), "--program", "al-anon")
    assert result.exit_code == 1  # a suspicious run exits non-zero so cron notices
    assert "suspicious" in result.stdout and "previously 346" in result.stdout
    assert active(db) == 346
    assert rows(db, "SELECT status FROM runs WHERE source='test' ORDER BY id DESC LIMIT 1") == [
        ("suspicious",)
    ]


def test_unchanged_feed_costs_a_304(db: Path) -> None:
    def feed(path: str, headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == 'W/"atl-1"':
            return Reply(304, headers={"ETag": 'W/"atl-1"'})
        return Reply(body=ATLANTA, headers={"ETag": 'W/"atl-1"', **JSON})

    with Host({"/feed.json": feed}) as host:
        adhoc(db, host.url("/feed.json"))
        result = adhoc(db, host.url("/feed.json"))
        statuses = [r.headers.get("if-none-match") for r in host.requests if r.path == "/feed.json"]
    assert result.exit_code == 0
    assert statuses == [None, 'W/"atl-1"']
    assert "HTTP 304" in result.stdout
    assert rows(db, "SELECT added, unchanged FROM runs WHERE source='test' ORDER BY id") == [
        (6, 0),
        (0, 6),
    ]


def test_server_down(db: Path) -> None:
    result = adhoc(db, f"http://127.0.0.1:{closed_port()}/feed.json")
    assert result.exit_code == 1
    assert "connection refused" in result.stdout
    assert rows(db, "SELECT status FROM runs WHERE source='test'") == [("failed",)]


def test_robots_txt_forbids_the_feed(db: Path) -> None:
    routes = {
        "/robots.txt": Reply(body=b"User-agent: *\nDisallow: /feed\n"),
        "/feed.json": Reply(body=ATLANTA, headers=JSON),
    }
    with Host(routes) as host:
        result = adhoc(db, host.url("/feed.json"))
        assert "/feed.json" not in host.paths()
    assert result.exit_code == 1
    assert "disallowed by robots.txt" in result.stdout


def test_restricted_feed_is_reported_private(db: Path) -> None:
    with Host({"/feed.json": Reply(401)}) as host:
        result = adhoc(db, host.url("/feed.json"))
    assert result.exit_code == 1 and "private feed" in result.stdout


def test_windows_1252_feed(db: Path) -> None:
    feed = json.loads((FIXTURES / "tsml-ui-eda.json").read_text("utf-8"))
    text = json.dumps(
        [r for r in feed if _cp1252(json.dumps(r, ensure_ascii=False))], ensure_ascii=False
    )
    body = text.encode("cp1252")
    assert b"\x96" in body  # en dashes, as windows-1252 writes them
    headers = {"Content-Type": "application/json; charset=windows-1252"}
    with Host({"/eda.json": Reply(body=body, headers=headers)}) as host:
        result = adhoc(db, host.url("/eda.json"), "--program", "eda")
    assert result.exit_code == 0, result.output
    conn = catalog.connect(db)
    group = catalog.get_group(conn, make_id("test", "chatroom-mondays-12-pm-eastern-discord"))
    assert group is not None and "Sunday – 8 pm Eastern" in group.description


def _cp1252(text: str) -> bool:
    """Return True when windows-1252 can encode `text`."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def test_dry_run_writes_nothing(db: Path) -> None:
    with Host({"/feed.json": Reply(body=ATLANTA, headers=JSON)}) as host:
        result = adhoc(db, host.url("/feed.json"), "--dry-run")
    assert result.exit_code == 0
    assert "dry run" in result.stdout and "6" in result.stdout
    assert not db.exists()


def test_sources_file_named_and_all(db: Path, tmp_path: Path) -> None:
    with Host({"/feed.json": Reply(body=ATLANTA, headers=JSON)}) as host:
        listing = tmp_path / "mine.toml"
        listing.write_text(
            textwrap.dedent(f"""
            [[source]]
            name = "atl"
            platform = "meeting-guide"
            url = "{host.url("/feed.json")}"
            program = "aa"
            timezone = "America/New_York"

            [[source]]
            name = "off"
            platform = "meeting-guide"
            url = "{host.url("/other.json")}"
            enabled = false
            """)
        )
        named = scrape(db, "atl", "--sources", str(listing))
        everything = scrape(db, "--all", "--sources", str(listing))
        assert "/other.json" not in host.paths()
    assert named.exit_code == 0 and everything.exit_code == 0, everything.output
    assert active(db, "atl") == 6
    assert rows(db, "SELECT DISTINCT source FROM runs") == [("atl",)]


def test_sources_command_lists_origins_and_counts(db: Path) -> None:
    with Host({"/feed.json": Reply(body=ATLANTA, headers=JSON)}) as host:
        adhoc(db, host.url("/feed.json"))
    result = CliRunner().invoke(app, ["--db", str(db), "sources", "-o", "json"])
    assert result.exit_code == 0, result.output
    found = {r["name"]: r for r in json.loads(result.stdout)}
    assert found["test"]["status"] == "ok" and found["test"]["listings"] == 6
    assert found["test"]["age_days"] is not None
    assert found["recovery-dharma"]["origin"] == "data/sources.toml"
    assert found["recovery-dharma"]["platform"] == "meeting-guide"
    table = CliRunner().invoke(app, ["--db", str(db), "sources"])
    assert table.exit_code == 0 and "refuge-recovery" in table.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "name the sources"),
        (["--platform", "meeting-guide"], "go together"),
        (["no-such-source"], "unknown source"),
        (["--platform", "nope", "--url", "http://127.0.0.1:1/", "--name", "x"], "unknown platform"),
        (["--region", "MA", "refuge-recovery"], "ad hoc"),
    ],
)
def test_usage_errors(db: Path, args: list[str], says: str) -> None:
    result = scrape(db, *args)
    assert result.exit_code == 2
    assert says in result.stderr


# --- the registry -------------------------------------------------------------------------------


def _package(root: Path, name: str, modules: dict[str, str]) -> None:
    """Write a package `name` with the given modules under `root`."""
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text("")
    for module, code in modules.items():
        (root / name / f"{module}.py").write_text(textwrap.dedent(code))


ALPHA = """
    from peerfind.platforms.meeting_guide import MeetingGuide  # imported: not defined here
    from peerfind.scraping import Scraper

    class Base(Scraper):
        pass

    class Alpha(Base):
        name = "alpha"
        organization = "Alpha Org"
    """


def test_builtin_scrapers_are_named_classes_defined_in_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _package(
        tmp_path,
        "pf_scrapers_a",
        {
            "one": ALPHA,
            "two": """
        from peerfind.scraping import Scraper
        class Beta(Scraper):
            name = "beta"
        """,
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = registry.builtin_scrapers("pf_scrapers_a")
    assert sorted(found) == ["alpha", "beta"]
    assert found["alpha"][1] == "pf_scrapers_a.one.Alpha"


def test_duplicate_scraper_names_name_both_origins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _package(
        tmp_path,
        "pf_scrapers_b",
        {
            "one": ALPHA,
            "three": """
        from peerfind.scraping import Scraper
        class Dup(Scraper):
            name = "alpha"
        """,
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(registry.RegistryError) as info:
        registry.builtin_scrapers("pf_scrapers_b")
    assert "pf_scrapers_b.one.Alpha" in str(info.value)
    assert "pf_scrapers_b.three.Dup" in str(info.value)


def test_broken_scraper_module_fails_only_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _package(tmp_path, "pf_scrapers_c", {"one": ALPHA, "bad": "import no_such_module_pf\n"})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "SCRAPERS_PACKAGE", "pf_scrapers_c")
    known = registry.all_sources()
    assert known["alpha"].config.organization == "Alpha Org"
    assert known["bad"].kind == "broken"
    with pytest.raises(registry.RegistryError, match="no_such_module_pf"):
        known["bad"].make()


def _plugin(root: Path, target: str, ep_name: str) -> None:
    """Install a fake distribution 'pfplug' declaring one peerfind.scrapers entry point."""
    info = root / "pfplug-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pfplug\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[peerfind.scrapers]\n{ep_name} = {target}\n")
    (root / "pfplug_mod.py").write_text(
        textwrap.dedent("""
        from peerfind.scraping import Scraper
        class Gamma(Scraper):
            name = "gamma"
        class Beta(Scraper):
            name = "beta"
        """)
    )


def test_plugins_load_only_when_asked_under_pytest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plugin(tmp_path, "pfplug_mod:Gamma", "gamma")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("PEERFIND_LOAD_PLUGINS", raising=False)
    assert "gamma" not in registry.plugin_scrapers()
    monkeypatch.setenv("PEERFIND_LOAD_PLUGINS", "1")
    found = registry.plugin_scrapers()
    assert found["gamma"][1] == "plugin pfplug (pfplug_mod:Gamma)"


def test_plugin_clashing_with_a_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _package(
        tmp_path,
        "pf_scrapers_d",
        {
            "two": """
        from peerfind.scraping import Scraper
        class Beta(Scraper):
            name = "beta"
        """
        },
    )
    _plugin(tmp_path, "pfplug_mod:Beta", "beta")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PEERFIND_LOAD_PLUGINS", "1")
    monkeypatch.setattr(registry, "SCRAPERS_PACKAGE", "pf_scrapers_d")
    with pytest.raises(registry.RegistryError) as info:
        registry.all_scrapers()
    assert "pf_scrapers_d.two.Beta" in str(info.value) and "plugin pfplug" in str(info.value)


def test_sources_file_rows_are_validated(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        '[[source]]\nname = "vets-feed"\nplatform = "meeting-guide"\n'
        'url = "https://example.org/feed.json"\npopulations = ["vets"]\n'
    )
    (config,) = registry.load_sources_file(good)
    assert config.populations == ("veterans",) and config.origin == str(good)
    bad = tmp_path / "bad.toml"
    for body, says in [
        (
            'name = "x"\nplatform = "meeting-guide"\nurl = "https://e.org/"\n'
            'populations = ["cats"]',
            "unknown population",
        ),
        ('name = "x"\nplatform = "meeting-guide"\nurl = "ftp://e.org/"', "url must be"),
        ('name = "X Y"\nplatform = "meeting-guide"\nurl = "https://e.org/"', "source name"),
        (
            'name = "x"\nplatform = "meeting-guide"\nurl = "https://e.org/"\nfrequency = 3',
            "unknown key",
        ),
    ]:
        bad.write_text("[[source]]\n" + body + "\n")
        with pytest.raises(UsageError, match=says):
            registry.load_sources_file(bad)


def test_bundled_sources_are_real_public_feeds() -> None:
    configs = registry.load_sources_file(registry.default_sources_file())
    by_name = {c.name: c for c in configs}
    assert by_name["recovery-dharma"].url == (
        "https://recoverydharma.org/wp-admin/admin-ajax.php?action=meetings"
    )
    assert by_name["refuge-recovery"].url == (
        "https://refugerecoverymeetings.org/wp-admin/admin-ajax.php?action=meetings"
    )
    # bmlt rows are roots listed in bmlt-enabled/aggregator serverList.json @ 08549ebe
    # (tests/sources/test_sources_file.py checks every one of them)
    assert {
        "https://bmlt.newyorkna.org/main_server/",
        "https://bmlt.naohio.org/main_server/",
        "https://bmlt.naminnesota.org/main_server/",
    } <= {c.url for c in configs if c.platform == "bmlt"}
    for config in configs:
        assert config.url.startswith("https://")
        assert config.platform in ("meeting-guide", "bmlt", "tribe-events")
        if config.program in ("aa", "na"):
            assert config.topics == (("alcohol",) if config.program == "aa" else ("substance_use",))


# --- the runner ---------------------------------------------------------------------------------


class Paged(MeetingGuide):
    """Meeting Guide rows split over pages: {"meetings": [...], "next": [...], "detail": url}."""

    name = "paged"
    max_pages = 10

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        data = page.json()
        rows_page = Page(
            url=page.url, text=json.dumps(data["meetings"]), fetched_at=page.fetched_at
        )
        yield from super().parse(rows_page)
        for link in data.get("next", []):
            yield Follow(link)
        if data.get("detail"):
            yield Follow(data["detail"], callback="parse_detail", meta={"label": "detail"})

    def parse_detail(self, page: Page, label: str) -> Iterator[Group | Follow]:
        rows_page = Page(
            url=page.url, text=json.dumps(page.json()["meetings"]), fetched_at=page.fetched_at
        )
        for group in super().parse(rows_page):
            assert isinstance(group, Group)
            yield group
        self.report.skip(f"seen by {label}")


def _pages() -> dict[str, Any]:
    """Return routes serving the six Atlanta meetings over four pages, with a redirect."""
    meetings = json.loads(ATLANTA)
    page = lambda body: Reply(body=json.dumps(body).encode(), headers=JSON)  # noqa: E731
    return {
        "/start": Reply(301, headers={"Location": "/v1/one.json"}),
        "/v1/one.json": page(
            {"meetings": meetings[:2], "next": ["two.json", "two.json#x", "/v1/one.json"]}
        ),
        "/v1/two.json": page(
            {"meetings": meetings[2:4], "next": ["three.json"], "detail": "detail.json"}
        ),
        "/v1/three.json": page({"meetings": meetings[4:5]}),
        "/v1/detail.json": page({"meetings": meetings[5:]}),
    }


def _run(scraper_class: type, url: str, **fetch_options: Any) -> runner.SourceRun:
    """Run one source through a fresh Fetcher."""
    source = registry.Source(SourceConfig(name="paged", url=url, program="aa"), scraper_class)

    async def go() -> runner.SourceRun:
        async with Fetcher(delay=0.01, **fetch_options) as fetcher:
            return await runner.run_source(source, fetcher)

    return asyncio.run(go())


def test_runner_follows_links_with_callbacks_and_dedup() -> None:
    with Host(_pages()) as host:
        run = _run(Paged, host.url("/start"))
        fetched = [p for p in host.paths() if p != "/robots.txt"]
    assert run.status == "ok" and run.errors == []
    assert sorted(g.source_key for g in run.groups) == sorted(
        r["slug"] for r in json.loads(ATLANTA)
    )
    assert fetched == [
        "/start",
        "/v1/one.json",
        "/v1/two.json",
        "/v1/three.json",
        "/v1/detail.json",
    ]
    assert run.pages == 4 and run.report.skipped["seen by detail"] == 1


def test_runner_caps_pages() -> None:
    class Capped(Paged):
        max_pages = 2

    with Host(_pages()) as host:
        run = _run(Capped, host.url("/start"))
    assert run.pages == 2 and run.dropped_links == 2
    assert len(run.groups) == 4


def test_runner_stops_a_source_after_five_errors() -> None:
    meetings = json.loads(ATLANTA)
    links = [f"/gone/{i}.json" for i in range(8)]
    start = Reply(body=json.dumps({"meetings": meetings, "next": links}).encode(), headers=JSON)
    with Host({"/feed.json": start}) as host:
        run = _run(Paged, host.url("/feed.json"))
        gone = [p for p in host.paths() if p.startswith("/gone/")]
    assert run.status == "failed" and run.fatal == "stopped after 5 errors"
    assert len(gone) == 5 and "not found (HTTP 404)" in run.errors[0]


def test_followed_page_errors_make_a_partial_run(db: Path) -> None:
    meetings = json.loads(ATLANTA)
    start = Reply(
        body=json.dumps({"meetings": meetings[:3], "next": ["/gone.json"]}).encode(), headers=JSON
    )
    with Host({"/feed.json": start}) as host:
        run = _run(Paged, host.url("/feed.json"))
    assert run.status == "partial" and len(run.groups) == 3
    conn = catalog.connect(db, create=True)
    catalog.refresh_source(conn, "paged", _atlanta_groups("paged"))
    runner.store(conn, run)
    assert run.status == "partial"
    assert active(db, "paged") == 6  # nothing marked removed on a partial run


def test_followed_page_errors_with_no_listings_fail_the_source() -> None:
    start = Reply(
        body=json.dumps({"meetings": [], "next": ["/meetings.json"]}).encode(), headers=JSON
    )
    with Host({"/formats.json": start, "/meetings.json": Reply(503)}) as host:
        run = _run(Paged, host.url("/formats.json"), backoff=0.01)
    assert run.status == "failed"
    assert "no listings" in run.fatal and "HTTP 503 after 3 tries" in run.fatal


def _atlanta_groups(source: str) -> list[Group]:
    """Return the Atlanta fixture's groups under `source`."""
    page = Page(
        url="http://127.0.0.1/feed.json",
        text=ATLANTA.decode(),
        fetched_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    return MeetingGuide(SourceConfig(name=source, program="aa")).parse_groups(page)


def test_enrich_geocodes_and_zones() -> None:
    base = _atlanta_groups("test")[0]
    placed = replace(base, latitude=None, longitude=None, geo_precision="none")
    online = replace(
        base,
        latitude=None,
        longitude=None,
        address="",
        city="",
        postal_code="",
        region="ON",
        country="CA",
        schedule=Schedule(kind="weekly", days=(1,), start="19:00"),
    )
    calls: list[tuple[Any, ...]] = []

    def locate(*args: Any) -> tuple[float, float, str]:
        calls.append(args)
        return (34.1, -84.6, "postal")

    groups, geocoded, zoned = runner.enrich(
        [placed, online],
        locate=locate,
        tz_at=lambda lat, lon: "America/New_York",
        tz_region=lambda region, country: "America/Toronto" if region == "ON" else None,
        defaults=False,
    )
    assert calls == [("5881 Old Bascomb Rd", "Acworth", "GA", "30102")]
    assert (groups[0].latitude, groups[0].geo_precision) == (34.1, "postal")
    assert groups[0].schedule.timezone == "America/New_York"
    assert groups[1].latitude is None and groups[1].schedule.timezone == "America/Toronto"
    assert (geocoded, zoned) == (1, 2)


def test_scrape_report_counts_listings_that_are_not_groups(db: Path) -> None:
    """The Al-Anon feed's test record and 13 district business meetings are skipped, by reason."""
    with Host({"/feed.json": [Reply(body=AL_ANON, headers=JSON)]}) as host:
        result = adhoc(db, host.url("/feed.json"), "--program", "al-anon")
    assert result.exit_code == 0, result.output
    assert "13 business or service meeting" in result.stdout
    assert "1 test record" in result.stdout
    names = [r[0] for r in rows(db, "SELECT name FROM groups")]
    assert not [n for n in names if "Business Meeting" in n or "Testing meeting" in n]
    closed = rows(db, "SELECT count(*) FROM groups WHERE status = 'temporarily_closed'")[0][0]
    assert closed > 0  # a scrape keeps temporarily closed meetings, marked so


def test_scrape_report_names_a_stated_zone_that_contradicts_the_place(db: Path) -> None:
    """The real Hamilton, Ohio feed says America/Chicago: reported, and the place's zone used."""
    body = (Path(__file__).parents[2] / "data" / "feeds" / "aa-hamilton-oh.json").read_bytes()
    with Host({"/feed.json": [Reply(body=body, headers=JSON)]}) as host:
        result = adhoc(db, host.url("/feed.json"), "--program", "aa", "--region", "OH")
    assert result.exit_code == 0, result.output
    assert (
        "38 listing(s): stated zone America/Chicago contradicts its place (America/New_York)"
        in result.stdout
    )
    zones = rows(db, "SELECT DISTINCT json_extract(schedule, '$.timezone') FROM groups")
    assert zones == [("America/New_York",)]
