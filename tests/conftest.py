"""Shared test fixtures: isolated user folders, recorded pages, and no internet."""

from __future__ import annotations

import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from peerfind.models import Page

FIXTURES = Path(__file__).parent / "fixtures"
# Tests live in one folder per package (tests/catalog, tests/search, ...). A few import helpers
# from another folder's test module (test_publish.build_catalog, test_faults.record): every
# folder is put on the import path, as the flat tests/ folder was.
for _folder in sorted(p for p in Path(__file__).parent.iterdir() if p.is_dir()):
    if _folder.name not in ("fixtures", "__pycache__") and str(_folder) not in sys.path:
        sys.path.append(str(_folder))

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> object:
    """Refuse any connection that is not to this machine (tests never touch the internet)."""
    host = address[0] if isinstance(address, tuple) else str(address)
    if (
        isinstance(host, str)
        and not (host.startswith("127.") or host in ("::1", "localhost"))
        and self.family in (socket.AF_INET, socket.AF_INET6)
    ):
        raise OSError(f"tests must not reach the network (tried {host})")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Give every test its own user folder, no PEERFIND_DB, a fixed terminal and no internet."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PEERFIND_HOME", str(home))
    monkeypatch.delenv("PEERFIND_DB", raising=False)
    monkeypatch.delenv("PEERFIND_NOW", raising=False)
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


def load_page(
    relpath: str,
    url: str | None = None,
    fetched_at: datetime = datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
) -> Page:
    """Return a recorded fixture file as a Page (url defaults to a file: URL)."""
    path = FIXTURES / relpath
    return Page(
        url=url or path.as_uri(),
        text=path.read_text(encoding="utf-8"),
        fetched_at=fetched_at,
        content=path.read_bytes(),
    )
