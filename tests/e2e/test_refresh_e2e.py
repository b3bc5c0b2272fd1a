"""scripts/refresh end to end (issue 19): recorded feeds on 127.0.0.1, gates, publish, update.

Four Meeting Guide sources, each served by its own local host from a recorded real feed
(tests/fixtures/meeting_guide, see ATTRIBUTION.md). A first run publishes a baseline into a
channel folder served over HTTP; a second install (its own PEERFIND_HOME) updates from it. A bad
run (two of four sources down) is stopped by the failed-sources gate; a good run (one source
down, one shrunk to a quarter, one with a meeting gone) is published with the failed and the
shrunk source keeping their previous listings; the second install updates to it and rolls back.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_hosts import Host, Reply

REPO = Path(__file__).resolve().parents[2]
FEEDS = REPO / "tests" / "fixtures" / "meeting_guide"
JSON = {"Content-Type": "application/json"}
SOURCES = {  # name: recorded feed
    "atlanta": "tsml-ui-atlanta-aa.json",
    "al-anon": "tsml-ui-al-anon.json",
    "kansas-city": "spec-kansas-city-data-sample.json",
    "eda": "tsml-ui-eda.json",
}


@pytest.fixture()
def channel(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve the channel folder over HTTP on 127.0.0.1; yield (URL, folder)."""
    folder = tmp_path / "channel"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    finally:
        server.shutdown()
        server.server_close()


def feed(name: str) -> list[dict[str, object]]:
    """Return the meetings of a source's recorded feed."""
    return json.loads((FEEDS / SOURCES[name]).read_text(encoding="utf-8"))


def serve(host: Host, meetings: list[dict[str, object]] | None) -> None:
    """Make a source's host answer with these meetings (None: the feed is gone, HTTP 404)."""
    host.routes["/feed.json"] = (
        Reply(body=json.dumps(meetings).encode(), headers=JSON)
        if meetings is not None
        else Reply(404, b"gone")
    )


def sources_file(path: Path, hosts: dict[str, Host]) -> Path:
    """Write a sources file naming the four local feeds."""
    blocks = [
        f'[[source]]\nname = "{name}"\nplatform = "meeting-guide"\n'
        f'url = "{host.url("/feed.json")}"\norganization = "Test {name}"\n'
        f'program = "aa"\ntimezone = "America/Chicago"\nenabled = true\n'
        for name, host in hosts.items()
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def refresh(tmp_path: Path, out: Path, sources: Path, start: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    """Run scripts/refresh as cron or CI would."""
    return subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "refresh"),
            "--out",
            str(out),
            "--work",
            str(tmp_path / "work"),
            "--start",
            start,
            "--sources",
            str(sources),
            "--delay",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def second_install(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    """Run peerfind as a second user would: their own PEERFIND_HOME, the channel configured."""
    env = {**os.environ, "PEERFIND_HOME": str(tmp_path / "home2"), "PEERFIND_CHANNEL": url}
    env.pop("PEERFIND_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "peerfind", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=REPO,
        check=False,
    )


def manifest(folder: Path) -> dict[str, object]:
    """Return the published manifest."""
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_refresh_gates_publishes_and_updates(tmp_path: Path, channel: tuple[str, Path]) -> None:
    url, out = channel
    hosts = {name: Host() for name in SOURCES}
    try:
        for name, host in hosts.items():
            serve(host, feed(name))
        sources = sources_file(tmp_path / "sources.toml", hosts)

        # A first run publishes the baseline.
        first = refresh(tmp_path, out, sources, "empty")
        assert first.returncode == 0, first.stderr
        base = manifest(out)
        counts = base["counts"]
        assert counts["atlanta"] == 6 and counts["al-anon"] == 346  # type: ignore[index]
        assert counts["eda"] > 0 and counts["kansas-city"] > 0  # type: ignore[index]
        installed = second_install(tmp_path, url, "update")
        assert installed.returncode == 0, installed.stderr
        assert f"{base['total']} listings" in installed.stdout

        # A bad run: two of four sources are down. The gate stops it; nothing is published.
        serve(hosts["kansas-city"], None)
        serve(hosts["eda"], None)
        bad = refresh(tmp_path, out, sources, url)
        assert bad.returncode == 1
        assert "gate: 2 of 4 sources failed (50%), more than the 25% allowed" in bad.stderr
        assert manifest(out) == base
        report = (out / "run-report.md").read_text(encoding="utf-8")
        assert "STOPPED: nothing published" in report
        check = second_install(tmp_path, url, "update", "--check")
        assert "No newer catalog is published." in check.stdout, check.stderr

        # A good run: one source down, one shrunk to a quarter, one meeting gone in Atlanta.
        serve(hosts["kansas-city"], feed("kansas-city"))
        serve(hosts["al-anon"], feed("al-anon")[:90])
        serve(hosts["atlanta"], feed("atlanta")[1:])
        good = refresh(tmp_path, out, sources, url)
        assert good.returncode == 0, good.stderr
        new = manifest(out)
        assert new["counts"] == {**counts, "atlanta": 5}  # type: ignore[dict-item]
        report = (out / "run-report.md").read_text(encoding="utf-8")
        assert "Result: **published**" in report
        assert "- eda (failed:" in report and "- al-anon (suspicious:" in report
        assert "previously 346: kept the previous listings)" in report
        coverage = json.loads((out / "coverage.json").read_text(encoding="utf-8"))
        assert ["Test atlanta", 6, 5] in coverage["organization"]
        assert sorted(p.name for p in out.glob("catalog-*.db.gz")) == sorted(
            [str(base["snapshot"]), str(new["snapshot"])]
        )  # the previous pair stays one run

        # The second install sees it, updates to it, and rolls back.
        check = second_install(tmp_path, url, "update", "--check")
        assert f"{new['total']} listings. A newer catalog is published" in check.stdout
        updated = second_install(tmp_path, url, "update")
        assert updated.returncode == 0, updated.stderr
        assert f"{new['total']} listings" in updated.stdout
        rolled = second_install(tmp_path, url, "update", "--rollback")
        assert rolled.returncode == 0, rolled.stderr
        assert f"({base['total']} listings)" in rolled.stdout
    finally:
        for host in hosts.values():
            host.close()
