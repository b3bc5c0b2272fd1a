"""The bundled sources list (data/sources.toml) and the user's own list read beside it (issue 14).

Every bundled source cites the public record its URL was taken from (`record`), names a platform
parser that exists, and points at an http(s) URL of a shape that parser reads; names are unique
and there are at least 40 live sources, one per root server of the BMLT aggregator's list. A
source saved by `peerfind discover --add` in the user folder is read together with the bundled
list, replacing a bundled entry of the same name and saying so.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import load_page
from local_hosts import Host, Reply
from scraper_fixtures import load_page as site_page
from scraper_fixtures import serve_fixtures
from typer.testing import CliRunner

from peerfind.cli.app import app
from peerfind.errors import ParseError
from peerfind.models import Follow, Group
from peerfind.platforms import platforms
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.scraping import SourceConfig
from peerfind.sources import registry

FIXTURES = Path(__file__).parents[1] / "fixtures"
# "owner/repo path … @ <40-hex commit>" or a public URL
REPO_RECORD = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+ \S.* @ [0-9a-f]{40}\b")


def bundled_rows() -> list[dict[str, Any]]:
    """Return the [[source]] tables of data/sources.toml as written (not through the loader)."""
    with open(registry.default_sources_file(), "rb") as fh:
        return tomllib.load(fh)["source"]


def cites(record: str) -> bool:
    """Return True when `record` names a repository, path and commit, or a public URL."""
    return bool(REPO_RECORD.match(record)) or record.startswith(("https://", "http://"))


def test_every_bundled_source_cites_its_public_record() -> None:
    rows = bundled_rows()
    for row in rows:
        record = str(row.get("record") or "")
        if row.get("enabled", True):
            assert cites(record), f"{row['name']}: record {record!r} cites no public record"
            assert "shared/" not in record and "reference/" not in record, row["name"]
        else:  # a disabled source says why, and what is missing
            assert record and row.get("note"), f"{row['name']}: disabled without record and note"


def test_bundled_sources_are_valid_unique_and_at_least_forty() -> None:
    rows = bundled_rows()
    names = [row["name"] for row in rows]
    assert len(names) == len(set(names)), "duplicate source names"
    live = [row for row in rows if row.get("enabled", True)]
    assert len(live) >= 40
    for row in rows:
        assert row["platform"] in platforms(), row["name"]
        assert re.match(r"^https?://[^/\s]+\.[a-z]{2,}(/|$)", row["url"]), row["name"]
        assert row.get("organization") and row.get("program"), row["name"]
        assert isinstance(row.get("topics"), list), row["name"]
    configs = registry.load_sources_file(registry.default_sources_file())  # vocabulary, keys
    assert len(configs) == len(rows)
    assert all(c.record for c in configs)


def test_each_url_has_a_shape_its_platform_reads() -> None:
    for row in bundled_rows():
        url = row["url"]
        if row["platform"] == "bmlt":  # a root: the parser adds /client_interface/json/
            assert "client_interface" not in url and url.endswith("/"), row["name"]
        elif row["platform"] == "meeting-guide":  # a feed, or a site page naming its feed
            feed = "action=meetings" in url or url.endswith(".json") or "/api/" in url
            page = "/meeting" in url or "post_type=tsml_meeting" in url
            assert feed or page, row["name"]
            assert "docs.google.com" not in url, row["name"]  # sheets need an API key
        elif row["platform"] == "tribe-events":  # The Events Calendar REST list
            assert url.endswith("/wp-json/tribe/events/v1/events"), row["name"]
        else:
            raise AssertionError(f"{row['name']}: no URL shape check for {row['platform']}")


def test_every_bmlt_aggregator_root_is_one_source() -> None:
    servers = json.loads((FIXTURES / "bmlt/aggregator-serverList.json").read_text())
    roots = [row["url"] for row in bundled_rows() if row["platform"] == "bmlt"]
    for server in servers:
        assert roots.count(server["url"]) == 1, server
    assert len(servers) == 44


# --- the user's own sources file ----------------------------------------------------------------


USER = """\
[[source]]
name = "my-intergroup"
platform = "meeting-guide"
url = "https://my-intergroup.example.org/wp-admin/admin-ajax.php?action=meetings"
program = "aa"

[[source]]
name = "recovery-dharma"
platform = "meeting-guide"
url = "https://mirror.example.org/recovery-dharma.json"
"""


@pytest.fixture
def user_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Write a user sources.toml (one new source, one named like a bundled one); return it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PEERFIND_HOME", str(home))
    path = home / "sources.toml"
    path.write_text(USER)
    return path


def test_user_sources_are_read_with_the_bundled_list(user_file: Path) -> None:
    notes: list[str] = []
    known = registry.all_sources(notes=notes)
    assert known["my-intergroup"].config.origin == str(user_file)
    assert known["recovery-dharma"].config.url == "https://mirror.example.org/recovery-dharma.json"
    assert known["na-ohio"].config.origin == "data/sources.toml"  # bundled ones stay
    assert notes == [
        f"{user_file}: source 'recovery-dharma' replaces the bundled source of that name"
    ]
    chosen = {s.name for s in registry.select([], run_all=True)}
    assert {"my-intergroup", "recovery-dharma", "na-ohio"} <= chosen


def test_explicit_sources_file_still_replaces_both(user_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text(
        '[[source]]\nname = "only-one"\nplatform = "bmlt"\n'
        'url = "https://bmlt.example.org/main_server/"\n'
    )
    chosen = registry.select([], run_all=True, sources_file=other)
    assert [s.name for s in chosen] == ["only-one"]


def test_sources_command_lists_user_sources_and_says_what_they_replace(user_file: Path) -> None:
    result = CliRunner().invoke(app, ["sources", "-o", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["my-intergroup"]["origin"] == str(user_file)
    assert rows["recovery-dharma"]["url"] == "https://mirror.example.org/recovery-dharma.json"
    assert rows["na-ohio"]["record"].startswith("bmlt-enabled/aggregator serverList.json @ ")
    assert "'recovery-dharma' replaces the bundled source" in result.stderr


def test_a_user_source_replaces_a_scraper_of_the_same_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PEERFIND_HOME", str(home))
    scraper = next(iter(registry.all_scrapers()))
    (home / "sources.toml").write_text(
        f'[[source]]\nname = "{scraper}"\nplatform = "ical"\n'
        'url = "https://example.org/events.ics"\n'
    )
    notes: list[str] = []
    known = registry.all_sources(notes=notes)
    assert known[scraper].kind == "ical"
    assert notes and "replaces the built-in scraper" in notes[0]


# --- 80 columns ---------------------------------------------------------------------------------


def test_sources_table_fits_80_columns_without_breaking_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(app, ["sources"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    names = [r["name"] for r in bundled_rows()]
    first_words = {line.split(" ", 1)[0] for line in lines}
    assert set(names) <= first_words  # every name whole at the start of its line, never folded


# --- a site's meeting page as the URL -----------------------------------------------------------


def test_meeting_guide_follows_the_feed_a_site_page_names() -> None:
    page = site_page("discover", "tsml-ui-embed-aasanjose.html")
    scraper = MeetingGuide(
        SourceConfig(name="aa-san-jose", platform="meeting-guide", url=page.url, program="aa")
    )
    items = list(scraper.parse(page))
    assert items == [
        Follow(
            "https://sheets.code4recovery.org/storage/"
            "12Ga8uwMG4WJ8pZ_SEU7vNETp_aQZ-2yNVsYDFqIwHyE.json"
        )
    ]
    assert scraper.config.timezone == "America/Los_Angeles"  # the embed's data-timezone
    with pytest.raises(ParseError, match="HTML page"):  # a feed URL answering HTML again
        list(scraper.parse(page))


def test_meeting_guide_page_without_a_feed_is_a_clear_error() -> None:
    page = site_page("discover", "plain-page.html")
    scraper = MeetingGuide(SourceConfig(name="x", platform="meeting-guide", url=page.url))
    with pytest.raises(ParseError, match="without a meeting feed"):
        list(scraper.parse(page))


def test_scrape_through_a_site_page_equals_scrape_of_the_feed(tmp_path: Path) -> None:
    feed = (FIXTURES / "meeting_guide/tsml-ui-eda.json").read_bytes()
    page = (
        b'<html><head><title>Meetings</title></head><body><div id="tsml-ui" '
        b'data-src="/wp-content/tsml-cache-0123456789.json" '
        b'data-timezone="America/Chicago"></div></body></html>'
    )
    routes = {
        "/meetings/": Reply(body=page, headers={"Content-Type": "text/html"}),
        "/wp-content/tsml-cache-0123456789.json": Reply(
            body=feed, headers={"Content-Type": "application/json"}
        ),
    }
    counts = []
    with Host(routes) as host:
        for n, path in enumerate(["/wp-content/tsml-cache-0123456789.json", "/meetings/"]):
            db = tmp_path / f"catalog{n}.db"
            result = CliRunner().invoke(
                app,
                [
                    "--db",
                    str(db),
                    "scrape",
                    "--platform",
                    "meeting-guide",
                    "--url",
                    host.url(path),
                    "--name",
                    "eda-site",
                    "--program",
                    "eda",
                    "--delay",
                    "0",
                ],
            )
            assert result.exit_code == 0, result.output
            out = CliRunner().invoke(app, ["--db", str(db), "sources", "-o", "json"])
            counts.append({r["name"]: r["listings"] for r in json.loads(out.stdout)}["eda-site"])
    assert counts[0] > 0 and counts[0] == counts[1]


def test_groups_from_the_followed_feed_take_the_page_zone() -> None:
    page = site_page("discover", "tsml-ui-embed-aasanjose.html")
    scraper = MeetingGuide(
        SourceConfig(name="s", platform="meeting-guide", url=page.url, program="aa")
    )
    list(scraper.parse(page))
    feed = load_page("meeting_guide/spec-example.json")
    groups = [g for g in scraper.parse(feed) if isinstance(g, Group)]
    assert groups and {g.schedule.timezone for g in groups} == {"America/Los_Angeles"}


def test_discover_add_is_listed_and_run_by_scrape_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("PEERFIND_HOME", str(home))
    with serve_fixtures("discover", ("https://namiexample.org",)) as base:
        added = CliRunner().invoke(
            app, ["discover", f"{base}/support-groups/", "--add", "--name", "nami-example"]
        )
    assert added.exit_code == 0, added.output
    assert "peerfind scrape nami-example" in added.stderr and "--sources" not in added.stderr
    listed = CliRunner().invoke(app, ["sources", "-o", "json"])
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["nami-example"]["origin"] == str(home / "sources.toml")
    assert rows["nami-example"]["platform"] == "tribe-events"
    assert "nami-example" in {s.name for s in registry.select([], run_all=True)}
