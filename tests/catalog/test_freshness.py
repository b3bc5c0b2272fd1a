"""Search tells people when their catalog is old (issue 19): once a day, stderr, table only.

Catalogs are built from the recorded Atlanta Meeting Guide feed (tests/fixtures/ATTRIBUTION.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_publish import build_catalog
from typer.testing import CliRunner

from peerfind.catalog import db as catalog
from peerfind.catalog import freshness, publish
from peerfind.cli.app import app

runner = CliRunner()


def search(db: Path, now: str, *extra: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Run a search on `db` at the moment `now`."""
    return runner.invoke(
        app,
        ["--db", str(db), "search", "serenity", *extra],
        env={"PEERFIND_NOW": now, "PEERFIND_CHANNEL": "", **(env or {})},
    )


@pytest.fixture()
def bundled_like(tmp_path: Path) -> Path:
    """A catalog dated as the bundle is: by its feeds' recording dates (newest 2025-03-14)."""
    db = build_catalog(tmp_path / "c.db", "tsml-ui-atlanta-aa.json", "atlanta-aa")
    conn = catalog.connect(db)
    catalog.set_meta(conn, "bundled:atlanta-aa", "2025-03-14 | a recorded public feed")
    catalog.set_meta(conn, "bundled:older", "2023-01-02 | another")
    conn.close()
    return db


def test_old_catalog_noted_once_a_day_on_stderr(bundled_like: Path) -> None:
    first = search(bundled_like, "2026-12-05T09:00:00+00:00")
    assert first.exit_code == 0, first.output
    assert "Sunday Serenity" in first.stdout
    assert "Catalog from 2025-03-14." in first.stderr
    assert "Catalog from" not in first.stdout
    assert len([ln for ln in first.stderr.splitlines() if "Catalog from" in ln]) == 1
    again = search(bundled_like, "2026-12-05T21:00:00+00:00")
    assert "Catalog from" not in again.stderr  # once a day at most
    tomorrow = search(bundled_like, "2026-12-06T08:00:00+00:00")
    assert "Catalog from 2025-03-14." in tomorrow.stderr


def test_note_names_update_when_a_channel_is_set(bundled_like: Path) -> None:
    res = search(
        bundled_like,
        "2026-12-05T09:00:00+00:00",
        env={"PEERFIND_CHANNEL": "https://example.org/channel/"},
    )
    assert (
        "Catalog from 2025-03-14. `peerfind update` fetches newer listings."
        in res.stderr.splitlines()
    )


@pytest.mark.parametrize("output", ["json", "csv", "ndjson"])
def test_no_note_in_machine_output(bundled_like: Path, output: str) -> None:
    res = search(bundled_like, "2026-12-05T09:00:00+00:00", "-o", output)
    assert res.exit_code == 0, res.output
    assert "Catalog from" not in res.output
    if output == "json":
        assert json.loads(res.stdout)[0]["name"] == "Sunday Serenity and Spirituality"


def test_recent_catalog_is_not_noted(bundled_like: Path) -> None:
    assert "Catalog from" not in search(bundled_like, "2025-04-10T09:00:00+00:00").stderr


def test_installed_snapshot_is_dated_by_its_publication(tmp_path: Path, bundled_like: Path) -> None:
    """Once `update` installs a snapshot, the catalog's date is the snapshot's, not the feeds'."""
    publish.publish(bundled_like, tmp_path / "site")
    user = tmp_path / "home" / "catalog.db"
    result = publish.update(str(tmp_path / "site"), user)
    conn = catalog.connect(user)
    assert freshness.catalog_date(conn) == result.date[:10]
    conn.close()
    day = result.date[:10]
    assert "Catalog from" not in search(user, f"{day}T23:00:00+00:00").stderr


def test_age_and_text() -> None:
    from datetime import date

    assert freshness.age_days("2026-11-02", date(2026, 12, 5)) == 33
    assert freshness.age_days(None, date(2026, 12, 5)) is None
    assert freshness.note_text("2026-11-02", True) == (
        "Catalog from 2026-11-02. `peerfind update` fetches newer listings."
    )
