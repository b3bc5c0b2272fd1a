"""Tests of platform discovery (peerfind.sources.discover) and the `peerfind discover` command."""

from __future__ import annotations

import contextlib
import tomllib

import pytest
from scraper_fixtures import load_page, serve_fixtures
from typer.testing import CliRunner

from peerfind.errors import UsageError
from peerfind.models import Page
from peerfind.sources import discover as disc
from peerfind.sources.registry import load_sources_file

AREA = "discover"


def app():
    """Return the CLI app with the discover command registered (once)."""
    from peerfind.cli.common import app as the_app

    with contextlib.suppress(ImportError):
        from peerfind.cli.app import app as the_app  # noqa: F811 (the full CLI, when wired)
    names = {
        c.name or (c.callback.__name__ if c.callback else "") for c in the_app.registered_commands
    }
    if "discover" not in names:
        import peerfind.cli.discover

        peerfind.cli.discover.register(the_app)
    return the_app


def test_events_calendar_from_plugin_path_and_rest_link():
    found = disc.discover(load_page(AREA, "tec-site.html"))
    assert (found[0].platform, found[0].url, found[0].confirmed) == (
        "tribe-events",
        "https://namiexample.org/wp-json/tribe/events/v1/events",
        True,
    )
    assert (found[0].name, found[0].organization) == ("namiexample-org", "NAMI Example County")


def test_ical_feed_found_once_and_single_event_exports_ignored():
    found = disc.discover(load_page(AREA, "tec-site.html"))
    assert [(p.platform, p.url) for p in found[1:]] == [
        ("ical", "https://namiexample.org/events/?ical=1")
    ]
    assert found[1].name == "namiexample-org-ical"


def test_tec_header_wins():
    page = load_page(AREA, "plain-page.html")
    page = Page(
        page.url,
        page.text,
        page.fetched_at,
        headers={"X-TEC-API-ROOT": "https://community.example.org/wp-json/tribe/events/v1/"},
    )
    found = disc.discover(page)
    assert [(p.platform, p.url, p.evidence) for p in found] == [
        (
            "tribe-events",
            "https://community.example.org/wp-json/tribe/events/v1/events",
            "the x-tec-api-root header",
        )
    ]


def test_plugin_without_rest_link_is_inferred():
    page = load_page(AREA, "tec-site.html")
    rest_link = '<link rel="https://api.w.org/" href="https://namiexample.org/wp-json/" />'
    text = page.text.replace(rest_link, "")
    found = disc.discover(Page(page.url, text, page.fetched_at))
    assert (found[0].url, found[0].confirmed) == (
        "https://namiexample.org/wp-json/tribe/events/v1/events",
        False,
    )
    assert "(URL inferred)" in found[0].to_toml()


def test_meeting_guide_embed():
    found = disc.discover(load_page(AREA, "tsml-ui-embed-aasanjose.html"))
    assert [(p.platform, p.timezone) for p in found] == [("meeting-guide", "America/Los_Angeles")]
    assert found[0].url == (
        "https://sheets.code4recovery.org/storage/12Ga8uwMG4WJ8pZ_SEU7vNETp_aQZ-2yNVsYDFqIwHyE.json"
    )
    assert (found[0].name, found[0].organization) == ("aasanjose-example-org", "Meetings")


def test_jsonld_events_in_graph_and_lists():
    found = disc.discover(load_page(AREA, "jsonld-page.html"))
    assert [(p.url, p.evidence) for p in found] == [
        ("https://hospice.example.org/grief-support/", "1 schema.org Event block (JSON-LD)")
    ]
    assert found[0].organization == "Sample Valley Hospice"


def test_plain_page_has_nothing():
    assert disc.discover(load_page(AREA, "plain-page.html")) == []


def test_proposal_is_a_loadable_sources_entry(tmp_path):
    proposal = disc.discover(load_page(AREA, "tec-site.html"))[0]
    path = tmp_path / "sources.toml"
    disc.append_source(path, proposal)
    [config] = load_sources_file(path)
    assert (config.name, config.platform, config.url, config.organization) == (
        "namiexample-org",
        "tribe-events",
        "https://namiexample.org/wp-json/tribe/events/v1/events",
        "NAMI Example County",
    )


def test_append_refuses_duplicate_url_and_name(tmp_path):
    path = tmp_path / "sources.toml"
    first, second = disc.discover(load_page(AREA, "tec-site.html"))
    disc.append_source(path, first)
    with pytest.raises(UsageError, match="already has source 'namiexample-org'"):
        disc.append_source(path, first)
    with pytest.raises(UsageError, match="already has a source named"):
        disc.append_source(path, second.__class__(**{**second.__dict__, "name": first.name}))
    disc.append_source(path, second)
    assert [r["name"] for r in tomllib.loads(path.read_text())["source"]] == [
        "namiexample-org",
        "namiexample-org-ical",
    ]


def test_cli_prints_proposals_from_a_live_page():
    with serve_fixtures(AREA, ("https://namiexample.org",)) as base:
        result = CliRunner().invoke(app(), ["discover", f"{base}/support-groups/"])
    assert result.exit_code == 0, result.output
    rows = tomllib.loads(result.stdout)["source"]
    assert [(r["name"], r["platform"], r["url"]) for r in rows] == [
        ("127-0-0-1", "tribe-events", f"{base}/wp-json/tribe/events/v1/events"),
        ("127-0-0-1-ical", "ical", f"{base}/events/?ical=1"),
        ("127-0-0-1-ical-2", "ical", "https://namiexample.org/events/?ical=1"),  # webcal: link
    ]


def test_cli_add_writes_the_user_sources_file_and_refuses_a_second_time(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("PEERFIND_HOME", str(home))
    with serve_fixtures(AREA, ("https://namiexample.org",)) as base:
        url = f"{base}/support-groups/"
        first = CliRunner().invoke(app(), ["discover", url, "--add", "--name", "nami-example"])
        again = CliRunner().invoke(app(), ["discover", url, "--add", "--name", "nami-example"])
    assert first.exit_code == 0, first.output
    [config] = load_sources_file(home / "sources.toml")
    assert (config.name, config.platform, config.organization) == (
        "nami-example",
        "tribe-events",
        "NAMI Example County",
    )
    assert again.exit_code == 2
    assert "already has source 'nami-example'" in again.stderr


def test_cli_add_to_named_file_with_nothing_found_fails(tmp_path):
    target = tmp_path / "mine.toml"
    with serve_fixtures(AREA, ()) as base:
        result = CliRunner().invoke(
            app(), ["discover", f"{base}/programs/", "--add", "--sources", str(target)]
        )
    assert result.exit_code == 1
    assert "no meeting feed" in result.stderr
    assert not target.exists()


def test_cli_rejects_a_non_http_url():
    result = CliRunner().invoke(app(), ["discover", "namiexample.org"])
    assert result.exit_code == 2
    assert "expected an http(s) URL" in result.stderr
