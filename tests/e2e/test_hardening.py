"""Issue 17 (hardening): what an attacker's feed, a foreign file or a broken terminal must not do.

Each test here failed on the code before its fix. With PEERFIND_RELIABILITY_OUT set, the tests
add their counts to that JSON file (see docs/make_reliability.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from local_hosts import Host, Reply
from test_faults import build, one_line_error, record, search_cli
from typer.testing import CliRunner

from peerfind.catalog import db as catalog
from peerfind.cli.app import app
from peerfind.errors import CatalogError
from peerfind.fetch.client import Fetcher
from peerfind.models import Page
from peerfind.platforms.hsds import Hsds
from peerfind.scraping import SourceConfig
from peerfind.sources import registry, runner

cli = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
JSON = {"Content-Type": "application/json"}


def digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- 1. a foreign SQLite file is never changed ---------------------------------------------


def foreign_databases(tmp_path: Path) -> list[Path]:
    """Return SQLite files of other programs, some with a table called `groups`."""
    made = []
    for label, sql in (
        (
            "groups-v0",
            "CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT);"
            "INSERT INTO groups (name) VALUES ('chess club');",
        ),
        ("groups-v1", "CREATE TABLE groups (id, name); PRAGMA user_version = 1;"),
        (
            "groups-meta-app",
            "CREATE TABLE groups (id); CREATE TABLE meta (key, value);"
            "PRAGMA user_version = 1; PRAGMA application_id = 1179603;",
        ),
        ("notes", "CREATE TABLE notes (x);"),
    ):
        path = tmp_path / f"{label}.db"
        conn = sqlite3.connect(path)
        conn.executescript(sql)
        conn.commit()
        conn.close()
        made.append(path)
    return made


def test_foreign_database_is_refused_untouched(tmp_path: Path) -> None:
    tried = 0
    for path in foreign_databases(tmp_path):
        before = digest(path)
        one_line_error(search_cli(path), "not a peerfind catalog", "untouched")
        out = str(tmp_path / f"{path.stem}.csv")
        for args in (["show", "abcdef"], ["export", "--format", "online", out], ["tags"]):
            result = cli.invoke(app, ["--db", str(path), *args])
            assert result.exit_code != 0 and "not a peerfind catalog" in result.stderr
        with pytest.raises(CatalogError, match="not a peerfind catalog"):
            catalog.connect(path, create=True)  # a write refuses it too
        assert digest(path) == before, path.name
        assert {p.name for p in tmp_path.glob(f"{path.name}*")} == {path.name}
        other = sqlite3.connect(path)  # the other program can still write its table
        other.execute("CREATE TABLE IF NOT EXISTS t (x)")
        other.execute("INSERT INTO t VALUES (1)")
        other.commit()
        other.close()
        tried += 1
    record("foreign_databases", tried)


def test_catalog_carries_its_marker_and_older_catalogs_still_open(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    build(db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == catalog.APPLICATION_ID
    # A catalog made by an earlier peerfind: user_version 1 and a meta table, no marker.
    conn.execute("PRAGMA application_id = 0")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = digest(db)
    assert search_cli(db).exit_code == 0
    assert digest(db) == before  # a read does not mark or migrate
    catalog.connect(db, create=True).close()  # the first write marks it
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == catalog.APPLICATION_ID
    conn.close()
    assert search_cli(db).exit_code == 0


# --- 2. a remote feed never makes peerfind read local files ---------------------------------

HSDS_EXAMPLE = Path(__file__).parents[1] / "fixtures" / "hsds" / "hsds-3.0-example"


def test_remote_datapackage_cannot_point_at_local_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The specification's example package, copied to a local folder the remote package names.
    local = tmp_path / "local"
    local.mkdir()
    for csv in HSDS_EXAMPLE.glob("*.csv"):
        (local / csv.name).write_bytes(csv.read_bytes())
    package = json.loads((HSDS_EXAMPLE / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        resource["path"] = (local / resource["path"]).as_uri()  # file:///…/services.csv
    opened: list[str] = []
    real = Fetcher._read_file

    def spy(self: Fetcher, url: str) -> Page:
        opened.append(url)
        return real(self, url)

    monkeypatch.setattr(Fetcher, "_read_file", spy)
    body = json.dumps(package).encode()
    with Host({"/v3/datapackage.json": Reply(body=body, headers=JSON)}) as host:
        source = registry.Source(
            SourceConfig(name="evil", platform="hsds", url=host.url("/v3/")), Hsds
        )
        run = run_one(source)
    assert opened == []
    assert run.groups == [] and run.status == "failed"
    assert "refused to read the local file" in run.errors[0]
    record("local_file_links_refused", 1)


def run_one(source: registry.Source) -> runner.SourceRun:
    """Run one source through a fresh Fetcher with short delays."""

    async def go() -> runner.SourceRun:
        async with Fetcher(delay=0.01) as fetcher:
            return await runner.run_source(source, fetcher)

    return asyncio.run(go())


def test_remote_manifest_cannot_point_update_at_a_local_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_publish import build_catalog

    from peerfind.catalog import publish

    source = build_catalog(tmp_path / "source.db", "tsml-ui-atlanta-aa.json", "atlanta-aa")
    local = tmp_path / "published"
    publish.publish(source, local)
    manifest = json.loads((local / "manifest.json").read_text())
    manifest["snapshot"] = "file:catalog.db.gz"  # no slash: passes the name check
    monkeypatch.chdir(local)  # where that relative file: URL points, a file the checksum matches
    body = json.dumps(manifest).encode()
    db = tmp_path / "home" / "catalog.db"
    with (
        Host({"/snap/manifest.json": Reply(body=body, headers=JSON)}) as host,
        pytest.raises(CatalogError, match="not on the web"),
    ):
        publish.update(host.url("/snap/"), db)
    assert not db.exists()


# --- 3. one hostile server never aborts `scrape --all` --------------------------------------

MG_FIXTURES = Path(__file__).parents[1] / "fixtures" / "meeting_guide"
ATLANTA = (MG_FIXTURES / "tsml-ui-atlanta-aa.json").read_bytes()
EDA = (MG_FIXTURES / "tsml-ui-eda.json").read_bytes()


def meta_charset(body: bytes, label: bytes) -> bytes:
    """Return a JSON feed whose first bytes carry an HTML <meta charset> with `label`."""
    rows = json.loads(body)
    rows[0]["notes"] = f'<meta charset="{label.decode()}">'
    return json.dumps(rows).encode()


HOSTILE_ROUTES = {  # source name -> (path, reply): every one answers a real feed
    "rot13": Reply(body=ATLANTA, headers={"Content-Type": "application/json; charset=rot13"}),
    "base64": Reply(body=ATLANTA, headers={"Content-Type": "application/json; charset=base64"}),
    "idna": Reply(body=ATLANTA, headers={"Content-Type": "text/plain; charset=idna"}),
    "hex": Reply(body=ATLANTA, headers={"Content-Type": "application/json; charset=hex_codec"}),
    "meta-rot13": Reply(body=meta_charset(ATLANTA, b"rot13"), headers=JSON),
    "meta-idna": Reply(body=meta_charset(ATLANTA, b"idna"), headers=JSON),
    "bad-port": Reply(302, headers={"Location": "http://127.0.0.1:99999/feed.json"}),
    "bad-port-2": Reply(302, headers={"Location": "http://127.0.0.1:-1/feed.json"}),
}


def test_hostile_servers_fail_only_their_source(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    routes: dict[str, Reply] = {f"/{n}.json": r for n, r in HOSTILE_ROUTES.items()}
    routes["/good.json"] = Reply(body=EDA, headers=JSON)
    with Host(routes) as host:
        listing = tmp_path / "sources.toml"
        listing.write_text(
            "".join(
                f'[[source]]\nname = "{n}"\nplatform = "meeting-guide"\n'
                f'url = "{host.url(f"/{n}.json")}"\ntimezone = "America/New_York"\n\n'
                for n in [*HOSTILE_ROUTES, "good"]
            ),
            encoding="utf-8",
        )
        result = cli.invoke(
            app, ["--db", str(db), "scrape", "--all", "--delay", "0.01", "--sources", str(listing)]
        )
    assert "Traceback" not in result.output and "unexpected error" not in result.output
    assert result.exit_code == 1, result.output  # the bad ports failed; the run went on
    assert "bad-port: FAILED" in result.stdout and "bad-port-2: FAILED" in result.stdout
    conn = sqlite3.connect(db)
    runs = dict(conn.execute("SELECT source, status FROM runs"))
    counts = dict(conn.execute("SELECT source, count(*) FROM groups GROUP BY source"))
    conn.close()
    assert set(runs) == {*HOSTILE_ROUTES, "good"}  # every source's run recorded
    assert runs["bad-port"] == runs["bad-port-2"] == "failed"
    for name in ("good", "rot13", "base64", "idna", "hex", "meta-rot13", "meta-idna"):
        assert runs[name] == "ok" and counts[name] > 0, name  # read as UTF-8
    record("hostile_servers", len(HOSTILE_ROUTES))


@pytest.mark.parametrize(
    "label",
    [
        "rot13",
        "base64",
        "idna",
        "punycode",
        "hex",
        "zlib",
        "uu",
        "bz2",
        "undefined",
        "unicode_escape",
        "quopri",
    ],
)
def test_decode_text_ignores_non_text_charsets(label: str) -> None:
    from peerfind.fetch.body import decode_text

    body = "Café group — <b>Tuesdays</b>".encode()
    assert decode_text(body, f"text/html; charset={label}") == body.decode()
    html = f'<html><meta charset="{label}"><p>Café</p></html>'.encode()
    assert decode_text(html) == html.decode()


# --- 4. every CSV the project writes goes through the same cell guard ------------------------

FORMULAS = (
    '=HYPERLINK("http://example.invalid","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\t=1",
    " =1",
    "\uff1d1",
)


def test_hsds_export_neutralizes_formulas(tmp_path: Path) -> None:
    import csv
    from dataclasses import replace

    from test_export import by_key, result

    from peerfind.export.hsds import write_hsds

    rows = []
    for i, formula in enumerate(FORMULAS):
        group = replace(
            by_key("early-sunday-morning"),
            source_key=f"f{i}",
            name=formula,
            description=formula,
            venue=formula,
            city=formula,
            organization=formula,
            phone="+1 404 555 0100",
        )
        rows.append(result(group))
    out = tmp_path / "hsds"
    write_hsds(rows, out)
    cells = []
    phones = []
    for table in out.glob("*.csv"):
        with open(table, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                cells += row.values()
                phones += [row["number"]] if table.name == "phones.csv" else []
    bad = [
        c
        for c in cells
        if c.lstrip(" ").startswith(("=", "+", "@", "\t", "\uff1d")) and c != "+1 404 555 0100"
    ]
    bad += [c for c in cells if c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit()]
    assert bad == []
    assert "'" + FORMULAS[0] in cells and "'" + FORMULAS[1] in cells
    assert phones and set(phones) == {"+1 404 555 0100"}  # an international phone stays as is
    record("hsds_formulas", len(FORMULAS))


def test_csv_cell_keeps_international_phones() -> None:
    from peerfind.clean import csv_cell

    for phone in ("+1 404 555 0100", "+1-123-456-7890", "+44 (0)20 7946 0958", "+19292056099"):
        assert csv_cell(phone) == phone
    for formula in ("+1", "+1 404", "+1+1+1+1+1+1+1", "+1 555 0100 A1", "+1234567890123456789"):
        assert csv_cell(formula) == "'" + formula


# --- 6. control and invisible characters never reach the terminal ---------------------------

# C1 CSI, right-to-left override, word joiner, invisible times, tag characters ("hi" hidden).
HIDDEN = "\x9b31m\u202e\u2060\u2062\U000e0068\U000e0069\U000e007f"


def shown(text: str) -> list[str]:
    """Return the control, bidi, invisible and tag characters in text (tab/newline allowed)."""
    import unicodedata

    return [
        c
        for c in text
        if c not in "\t\n"
        and (unicodedata.category(c) in ("Cc", "Cf", "Cs") and c not in "\u200c\u200d")
    ]


def test_cleaner_strips_invisible_characters() -> None:
    from peerfind.clean import clean_text, csv_cell, terminal_safe

    for text in (f"Grief{HIDDEN} circle", "Grief \u2061\u2063\u2064circle\U000e0001"):
        for cleaned in (clean_text(text), terminal_safe(text), csv_cell(text)):
            assert shown(cleaned) == [] and cleaned.startswith("Grief"), repr(cleaned)
    assert clean_text("a\u200db") == "a\u200db"  # zero width joiner kept (emoji, scripts)


def test_redirect_location_with_controls_is_clean_in_the_progress_line(tmp_path: Path) -> None:
    import httpx

    # /feed.json -> /a<hidden> -> /feed.json: a redirect loop, reported with both URLs.
    hidden = f"/a{HIDDEN}"
    sent = httpx.URL(f"http://127.0.0.1{hidden}").raw_path.decode()  # as the client asks
    raw = hidden.encode().decode("latin-1")  # the server sends the UTF-8 bytes as they are
    routes = {
        "/feed.json": Reply(302, headers={"Location": raw}),
        sent: Reply(302, headers={"Location": "/feed.json"}),
    }
    with Host(routes) as host:
        result = cli.invoke(
            app,
            [
                "--db",
                str(tmp_path / "c.db"),
                "scrape",
                "--delay",
                "0.01",
                "--platform",
                "meeting-guide",
                "--url",
                host.url("/feed.json"),
                "--name",
                "evil",
            ],
        )
        assert sent in host.paths()
    assert result.exit_code == 1 and "evil: failed" in result.stderr, result.output
    assert "redirect loop" in result.stderr
    assert shown(result.stderr) == [] and shown(result.stdout) == []


def test_discover_prints_and_writes_site_text_cleaned(tmp_path: Path) -> None:
    import tomllib

    html = (
        f'<html><head><meta property="og:site_name" content="Evil{HIDDEN} Site">'
        f'<link rel="alternate" type="application/json" title="Meetings Feed" '
        f'href="/feed{HIDDEN}.json"></head><body>hi</body></html>'
    ).encode()
    target = tmp_path / "sources.toml"
    with Host(
        {"/": Reply(body=html, headers={"Content-Type": "text/html; charset=utf-8"})}
    ) as host:
        result = cli.invoke(
            app,
            [
                "discover",
                host.url("/"),
                "--add",
                "--sources",
                str(target),
                "--name",
                f"mine{HIDDEN}",
            ],
        )
    assert result.exit_code == 0, result.output
    assert shown(result.stdout) == [] and shown(result.stderr) == []
    written = target.read_text(encoding="utf-8")
    [row] = tomllib.loads(written)["source"]
    assert shown(written) == [] and shown(json.dumps(row, ensure_ascii=False)) == []
    assert (row["name"], row["organization"]) == ("mine", "Evil Site")
    record("invisible_characters", len(HIDDEN))


# --- 7. a catalog nobody cleaned (a tampered snapshot) is made safe where shown ------------

RAW = "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \x1b[2J\x9b31m\u202e\u2060\U000e0041"


def test_tampered_catalog_is_cleaned_where_shown(tmp_path: Path) -> None:
    from test_hostile import assert_clean

    db = tmp_path / "catalog.db"
    build(db)
    conn = sqlite3.connect(db)
    with conn:  # what an update from a tampered snapshot installs: nothing went through clean
        conn.execute(
            "UPDATE groups SET name = name || ?, description = ?, venue = ?, organization = ?,"
            " join_url = 'javascript:alert(1)', website = ' JAVASCRIPT:alert(2)',"
            " source_url = 'data:text/html,x', join_notes = ?, timezone = ?"
            " WHERE source = 'eda'",
            (RAW, RAW, RAW, RAW, RAW, "America/New_York" + RAW),
        )
    conn.close()
    env = {"PEERFIND_NOW": "2026-04-07T18:00:00-04:00", "TZ": "America/New_York"}

    def run(*args: str) -> str:
        result = cli.invoke(app, ["--db", str(db), *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    outputs = {
        f"search -o {fmt}": run("search", "--format", "online", "-o", fmt, "--limit", "500")
        for fmt in ("table", "json", "ndjson", "csv")
    }
    ids = [r["id"] for r in json.loads(outputs["search -o json"]) if r["source"] == "eda"]
    assert ids
    for ident in ids[:3]:
        for extra in ((), ("-o", "json"), ("--ics",)):
            outputs[f"show {ident} {extra}"] = run("show", ident, *extra)
    for name in ("x.csv", "x.json", "x.ndjson", "x.ics"):
        run("export", "--format", "online", str(tmp_path / name))
        outputs[f"export {name}"] = (tmp_path / name).read_text(encoding="utf-8")
    run("export", "--format", "online", "--hsds", str(tmp_path / "hsds"))
    for part in sorted((tmp_path / "hsds").iterdir()):
        outputs[f"hsds {part.name}"] = part.read_text(encoding="utf-8")
    for where, text in outputs.items():
        assert_clean(text, where)
        assert shown(text) == [], where
        assert "javascript:" not in text.lower() and "data:text" not in text, where
    assert (
        "Join online" not in outputs[f"show {ids[0]} ()"] or "http" in outputs[f"show {ids[0]} ()"]
    )
    record("tampered_outputs", len(outputs))


# --- 11. a full stdout is one line, not a traceback --------------------------------------


def peerfind_process(
    tmp_path: Path, *args: str, stdout: object = subprocess.PIPE, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m peerfind ARGS` in its own user folder; return the finished process."""
    base = {**os.environ, "PEERFIND_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    base.pop("PEERFIND_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "peerfind", *args],
        cwd=tmp_path,
        env={**base, **(env or {})},
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [["crisis"], ["--version"], ["search", "-h"], ["--help"]])
def test_full_stdout_is_one_line(tmp_path: Path, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = peerfind_process(tmp_path, *args, stdout=full)
    assert done.returncode == 74, done.stderr
    assert done.stderr.strip() == "peerfind: cannot write the output: the disk is full."
    record("full_stdout_commands", 4)


# --- 14 and 15. plain bad input: one clear line and a proper exit code ----------------------

LONG_NAME = "a" * 300 + ".csv"


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog holding the two test feeds of test_faults."""
    db = tmp_path_factory.mktemp("small") / "catalog.db"
    build(db)
    return db


BAD_INPUTS = {  # label -> (arguments after --db DB, extra environment, words in the message)
    "huge --within": (
        ["search", "--format", "online", "--within", "99999999999999h"],
        {},
        "--within",
    ),
    "invalid UTF-8 ID": (
        ["show", b"\xff\xfeab".decode("utf-8", "surrogateescape")],
        {},
        "not valid UTF-8",
    ),
    "300-character file name": (
        ["export", "--format", "online", LONG_NAME],
        {},
        "file name is too long",
    ),
    "PEERFIND_HOME is a file": (
        ["search", "--format", "online"],
        {"PEERFIND_HOME": "{tmp}/afile"},
        "a file is in the way",
    ),
    "binary --sources": (
        ["scrape", "--all", "--dry-run", "--sources", "{tmp}/bin.toml"],
        {},
        "not UTF-8",
    ),
    "bad PEERFIND_NOW": (
        ["search", "--format", "online"],
        {"PEERFIND_NOW": "garbage"},
        "PEERFIND_NOW",
    ),
    "100k-character ID": (["show", "a" * 100_000], {}, "no group with id"),
    "empty export name": (["export", "", "--format", "online", "--force"], {}, "give the file"),
    "unknown time zone": (
        [
            "scrape",
            "--platform",
            "meeting-guide",
            "--url",
            "http://127.0.0.1:9/f.json",
            "--name",
            "x",
            "--timezone",
            "Mars/Olympus",
            "--dry-run",
        ],
        {},
        "unknown time zone",
    ),
    "escape in an argument": (
        ["search", "--near", "\x1b]0;pwned\x07Nowhere\x1b[31m"],
        {},
        "Nowhere",
    ),
    "100 kB argument": (["search", "--near", "x" * 100_000], {}, "xxx"),
}


@pytest.mark.parametrize("label", list(BAD_INPUTS))
def test_bad_input_gets_one_clear_line(label: str, small_db: Path, tmp_path: Path) -> None:
    args, env, words = BAD_INPUTS[label]
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "bin.toml").write_bytes(bytes(range(256)))
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    env = {k: v.replace("{tmp}", str(tmp_path)) for k, v in env.items()}
    db = [] if label == "PEERFIND_HOME is a file" else ["--db", str(small_db)]
    done = peerfind_process(tmp_path, *db, *args, env=env)
    lines = done.stderr.strip().splitlines()
    assert done.returncode in (1, 2), done.stderr[-2000:]
    assert lines and lines[-1].startswith("peerfind: ") and "Traceback" not in done.stderr
    assert "unexpected error" not in done.stderr and "catalog error" not in done.stderr
    assert words in lines[-1] and len(lines[-1]) <= 1_100
    assert shown(done.stderr) == []
    assert {p.name for p in tmp_path.iterdir()} - {"home"} == {"afile", "bin.toml"}
    record("bad_inputs", len(BAD_INPUTS) + 1)


def test_ascii_only_stdout(small_db: Path, tmp_path: Path) -> None:
    done = peerfind_process(
        tmp_path,
        "--db",
        str(small_db),
        "search",
        "--format",
        "online",
        env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"},
    )
    assert done.returncode == 0, done.stderr
    assert "?" in done.stdout and "unexpected" not in done.stderr


def test_a_5000_digit_number_fails_one_field_of_one_row() -> None:
    from conftest import load_page

    from peerfind.platforms.meeting_guide import MeetingGuide

    page = load_page("meeting_guide/tsml-ui-atlanta-aa.json")
    good = MeetingGuide(SourceConfig(name="atl", timezone="America/New_York"))
    expected = good.parse_groups(page)
    rows = json.loads(page.text)
    text = json.dumps(rows).replace(json.dumps(rows[0]["day"]), "9" * 5000, 1)
    huge = Page(url=page.url, text=text, fetched_at=page.fetched_at)
    parser = MeetingGuide(SourceConfig(name="atl", timezone="America/New_York"))
    got = parser.parse_groups(huge)
    assert len(got) >= len(expected) - 1 and got[1:] == expected[1:]


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0,
    reason="root writes into any folder: an unwritable HOME needs a normal user",
)
def test_unwritable_home(tmp_path: Path) -> None:
    home = tmp_path / "ro"
    home.mkdir()
    home.chmod(0o555)
    try:
        done = peerfind_process(
            tmp_path,
            "search",
            "--format",
            "online",
            env={"HOME": str(home), "PEERFIND_HOME": "", "XDG_DATA_HOME": ""},
        )
    finally:
        home.chmod(0o755)
    assert done.returncode == 1 and "permission denied" in done.stderr, done.stderr
    assert "unexpected error" not in done.stderr and "Traceback" not in done.stderr


# --- 10. robots.txt as RFC 9309 says ------------------------------------------------------


def fetch_one(url: str) -> Page:
    """Fetch one URL with a fresh Fetcher (short delays)."""

    async def go() -> Page:
        async with Fetcher(delay=0.01) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())


def test_oversized_robots_txt_means_disallow_all(tmp_path: Path) -> None:
    from peerfind.fetch.client import Disallowed

    # Over 512 KB of comments, then the rule the site means: nothing may be fetched.
    body = b"# padding\n" * 60_000 + b"User-agent: *\nDisallow: /\n"
    routes = {
        "/robots.txt": Reply(body=body, headers={"Content-Type": "text/plain"}),
        "/feed.json": Reply(body=ATLANTA, headers=JSON),
    }
    with Host(routes) as host:
        with pytest.raises(Disallowed, match="larger than 512 KB.*disallowing everything"):
            fetch_one(host.url("/feed.json"))
        result = cli.invoke(
            app,
            [
                "--db",
                str(tmp_path / "c.db"),
                "scrape",
                "--delay",
                "0.01",
                "--platform",
                "meeting-guide",
                "--url",
                host.url("/feed.json"),
                "--name",
                "big-robots",
            ],
        )
        assert "/feed.json" not in host.paths()
    assert result.exit_code == 1 and "disallowing everything (RFC 9309)" in result.stdout
    record("robots_cases", 1)


ROBOTS = b"""User-agent: *
Disallow: /*?ical=
Disallow: /feeds
Allow: /feeds/public
Disallow: /*.php$
"""
ROBOTS_CASES = {  # path -> allowed under ROBOTS
    "/events/?ical=1": False,  # '*' wildcard
    "/events/": True,
    "/feeds/private.json": False,
    "/feeds/public/meetings.json": True,  # the longer Allow wins over Disallow: /feeds
    "/index.php": False,  # '$' anchors the end
    "/index.php?page=2": True,
}


def test_robots_wildcards_and_longest_match() -> None:
    from peerfind.fetch.client import Disallowed

    routes: dict[str, Reply] = {"/robots.txt": Reply(body=ROBOTS)}
    routes.update({path: Reply(body=b"[]") for path in ROBOTS_CASES})
    allowed = {}
    with Host(routes) as host:
        for path in ROBOTS_CASES:
            try:
                fetch_one(host.url(path))
                allowed[path] = True
            except Disallowed:
                allowed[path] = False
    assert allowed == ROBOTS_CASES
    record("robots_cases", 1 + len(ROBOTS_CASES))


# --- 12. a full disk: 'disk full', and things left as they were -----------------------------


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Yield a folder on a 64 KB tmpfs (needs root and permission to mount; else skipped)."""
    import shutil

    where = tmp_path / "small-disk"
    where.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a full disk is simulated with a tmpfs mount, which needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path, leave: int = 8_192) -> None:
    """Fill the disk holding `folder` with a file 'filler', leaving about `leave` bytes free."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass
    with open(filler, "r+b") as fh:
        fh.truncate(max(0, filler.stat().st_size - leave))


def test_full_disk_export_leaves_things_as_they_were(small_disk: Path, small_db: Path) -> None:
    before = small_disk / "before.csv"
    before.write_text("the previous export\n")
    fill(small_disk)
    for args in (
        ["export", "--format", "online", str(small_disk / "new.csv")],
        ["export", "--format", "online", "--force", str(before)],
        ["export", "--format", "online", "--hsds", str(small_disk / "hsds")],
        ["export", "--format", "online", "--hsds", "--force", str(small_disk)],
    ):
        result = cli.invoke(app, ["--db", str(small_db), *args])
        assert result.exit_code == 1, result.output
        assert "disk is full" in result.stderr and "unexpected" not in result.stderr
        assert sorted(p.name for p in small_disk.iterdir()) == ["before.csv", "filler"], args
        assert before.read_text() == "the previous export\n"
    record("full_disk_cases", 5)


def test_full_disk_rebuild_keeps_the_catalog(small_disk: Path) -> None:
    db = small_disk / "catalog.db"
    damaged = b"SQLite format 3\x00" + bytes(range(256)) * 40
    db.write_bytes(damaged)
    result = cli.invoke(app, ["--db", str(db), "doctor", "--rebuild", "--yes"])
    assert result.exit_code == 1, result.output
    assert "disk holding" in result.stderr and "is full" in result.stderr
    assert "left as it was" in result.stderr and "unexpected" not in result.stderr
    assert [p.name for p in small_disk.iterdir()] == ["catalog.db"]
    assert db.read_bytes() == damaged
