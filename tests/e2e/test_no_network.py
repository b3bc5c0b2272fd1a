"""The seeker never waits on the network: only update, scrape, discover and --online reach out.

Every other command runs here with every socket connection and name lookup refused and
recorded (loopback included); none may try. The catalog is built from the recorded Atlanta
Meeting Guide feed (tests/fixtures/ATTRIBUTION.md).
"""

from __future__ import annotations

import gc
import socket
from pathlib import Path

import pytest
from test_publish import build_catalog
from typer.testing import CliRunner

from peerfind.cli.app import app

tried: list[str] = []


def _refuse(*args: object, **kwargs: object) -> object:
    """Record a network attempt and refuse it."""
    tried.append(repr(args[:2]))
    raise OSError("network used by a command that was not asked to")


@pytest.fixture()
def offline(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse and record every connection and lookup, even to 127.0.0.1."""
    tried.clear()
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    return tried


def test_commands_not_asked_to_never_touch_the_network(tmp_path: Path, offline: list[str]) -> None:
    db = build_catalog(tmp_path / "c.db", "tsml-ui-atlanta-aa.json", "atlanta-aa")
    site = tmp_path / "site"
    env = {"PEERFIND_NOW": "2026-12-05T09:00:00+00:00", "PEERFIND_CHANNEL": ""}
    runner = CliRunner()

    def ok(*args: str, code: int = 0) -> str:
        res = runner.invoke(app, ["--db", str(db), *args], env=env)
        # Each command runs in this one process; a real run's connections end with its process.
        # Without this, the order tests run in decides whether `update` finds the old file locked.
        gc.collect()
        assert res.exit_code == code, (args, res.output)
        return res.stdout

    found = ok("search", "serenity", "-o", "json")
    ident = found.split('"id": "', 1)[1].split('"', 1)[0]
    ok("search", "--near", "Atlanta, GA", "--radius", "50")
    ok("search", "--near", "30303", "--format", "in-person", "-o", "csv")
    ok("show", ident)
    ok("show", ident, "--ics")
    ok("export", str(tmp_path / "out.csv"), "--near", "Atlanta, GA")
    ok("export", str(tmp_path / "hsds"), "--hsds", "--near", "Atlanta, GA")
    ok("tags")
    ok("geocode", "Atlanta, GA")
    ok("crisis")
    ok("sources")
    ok("doctor")
    ok("publish", str(site))
    ok("update", "--from", str(site))  # a local folder: no network needed
    ok("update", "--rollback")
    ok("update", code=2)  # no channel configured: says so, reaches nothing
    ok("update", "--check", code=2)
    ok("--version")
    ok("--help")
    assert offline == []
