"""Exports (CSV, JSON, NDJSON, iCalendar, HSDS) of groups parsed from real Meeting Guide feeds.

Fixtures: tests/fixtures/meeting_guide (code4recovery/tsml-ui and code4recovery/spec, MIT; see
tests/fixtures/ATTRIBUTION.md). Only the formula-injection test alters values, to attack the
CSV writer.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import load_page

from peerfind.catalog import db as catalog
from peerfind.errors import UsageError
from peerfind.export import common as export
from peerfind.export.common import CSV_COLUMNS, ExportStats, export_rows, format_for_path
from peerfind.export.csv_rows import write_ranked
from peerfind.export.hsds import NAMESPACE, hsds_id, package_descriptor, write_hsds
from peerfind.export.ics import write_ics
from peerfind.models import Group, Page, Schedule
from peerfind.platforms.meeting_guide import MeetingGuide
from peerfind.schedule.recurrence import NextMeetings
from peerfind.scraping import SourceConfig

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # a Monday
ROOT = Path(__file__).resolve().parents[2]


def parse(feed: str, wrap: bool = False, **cfg: Any) -> list[Group]:
    """Parse a Meeting Guide fixture (optionally a single meeting object, wrapped in a list)."""
    page = load_page(f"meeting_guide/{feed}")
    if wrap:
        page = Page(url=page.url, text=f"[{page.text}]", fetched_at=page.fetched_at)
    return MeetingGuide(SourceConfig(program="aa", **cfg)).parse_groups(page)


ATLANTA = parse(
    "tsml-ui-atlanta-aa.json",
    name="atlanta-aa",
    organization="Alcoholics Anonymous, Atlanta",
    region="GA",
    country="US",
    timezone="America/New_York",
)
SPEC = parse("spec-example.json", wrap=True, name="spec-example", organization="District 123")
ZONES = parse("tsml-ui-timezones.test.json", name="tz-test")
APPOINTMENT = parse("tsml-ui-appointment.test.json", name="appointment-test")
GROUPS = ATLANTA + SPEC + ZONES + APPOINTMENT


def by_key(key: str) -> Group:
    """Return the fixture group with this source key."""
    return next(g for g in GROUPS if g.source_key == key)


def result(g: Group, distance: float | None = None, nxt: str | None = None) -> dict[str, Any]:
    """Return the result dict search hands to exporters: to_dict() plus the search extras."""
    s = g.schedule
    return {
        **g.to_dict(),
        "distance_mi": distance,
        "distance_km": None if distance is None else round(distance * 1.609344, 2),
        "next_meeting": nxt,
        "day": [
            ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][d]
            for d in s.days
        ],
        "start_time": s.start,
        "timezone": s.timezone,
        "schedule_text": s.text,
    }


ROWS = [
    result(
        g,
        3.14159 if g.latitude else None,
        "2026-11-08T09:00:00-05:00" if g.source_key == "early-sunday-morning" else None,
    )
    for g in GROUPS
]


def catalog_of(groups: list[Group], path: Path, **raw: str) -> sqlite3.Connection:
    """Return a new catalog at `path` holding `groups`, with `raw` values then written as they
    are into every row (past the cleaning a scrape does)."""
    conn = catalog.connect(path, create=True)
    for source in dict.fromkeys(g.source for g in groups):
        catalog.refresh_source(conn, source, [g for g in groups if g.source == source])
    if raw:
        with conn:
            conn.execute(
                f"UPDATE groups SET {', '.join(f'{k} = ?' for k in raw)}", list(raw.values())
            )
    return conn


def csv_rows(
    groups: list[Group], tmp_path: Path, now: datetime | None = NOW, **raw: str
) -> tuple[str, list[dict[str, str]]]:
    """Return the CSV (the one writer's, next meetings at `now`) of groups put in a catalog,
    each 3.14159 miles away when placed, and its records read back."""
    conn = catalog_of(groups, tmp_path / "catalog.db", **raw)
    rowids = dict(conn.execute("SELECT id, rowid FROM groups").fetchall())
    ranked = [(rowids[g.id], 3.14159 if g.latitude else None) for g in groups]
    out = io.StringIO(newline="")
    meetings = NextMeetings(now) if now is not None else None
    assert write_ranked(conn, ranked, out, meetings) == len(groups)
    text = out.getvalue()
    return text, list(csv.DictReader(io.StringIO(text, newline="")))


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_columns_are_documented() -> None:
    doc = (ROOT / "docs" / "export-formats.md").read_text(encoding="utf-8")
    documented = [
        line.split("|")[1].strip().strip("`") for line in doc.splitlines() if line.startswith("| `")
    ]
    assert tuple(documented[: len(CSV_COLUMNS)]) == CSV_COLUMNS


def test_csv_header_quoting_and_line_endings(tmp_path: Path) -> None:
    text, records = csv_rows(GROUPS, tmp_path)
    lines = text.split("\r\n")
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert len(records) == len(GROUPS) == 11
    first = lines[1]
    assert first.startswith('0879a6b813e4,Early Sunday Morning,"Alcoholics Anonymous, Atlanta",')


def test_csv_fields_of_an_atlanta_meeting(tmp_path: Path) -> None:
    _, records = csv_rows(GROUPS, tmp_path)
    rec = next(r for r in records if r["name"] == "Early Sunday Morning")
    assert rec == {
        "id": by_key("early-sunday-morning").id,
        "name": "Early Sunday Morning",
        "organization": "Alcoholics Anonymous, Atlanta",
        "format": "in_person",
        "status": "active",
        "populations": "",
        "topics": "alcohol",
        "languages": "",
        "accessibility": "",
        "schedule_text": by_key("early-sunday-morning").schedule.text,
        "days": "Sunday",
        "start_time": "09:00",
        "end_time": "10:00",
        "timezone": "America/New_York",
        "next_meeting": "2026-11-08T09:00:00-05:00",
        "venue": "H.O.W. Place",
        "address": "5881 Old Bascomb Rd",
        "city": "Acworth",
        "region": "GA",
        "postal_code": "30102",
        "country": "US",
        "latitude": "34.099303",
        "longitude": "-84.579446",
        "geo_precision": "exact",
        "distance_mi": "3.1",
        "join_url": "",
        "phone": "",
        "email": "",
        "website": "",
        "source": "atlanta-aa",
        "source_url": "https://atlantaaa.org/meetings/early-sunday-morning/",
        "last_seen": "2026-11-01",
        "source_updated": by_key("early-sunday-morning").source_updated,
        "program": "aa",
        "openness": "closed",
        "last_verified": "",
        "feedback_url": "",
        "feedback_email": "",
        "description": "Dr. Bob Room",
        "age_days": "1",
        "old": "no",
    }


def test_csv_lists_contacts_and_appointments(tmp_path: Path) -> None:
    _, records = csv_rows(GROUPS, tmp_path)
    spec = next(r for r in records if r["name"] == "Sunday Serenity")
    assert spec["populations"] == "lgbtq; transgender"
    assert spec["phone"] == "+1-123-456-7890"  # a phone in international form stays as is
    assert spec["email"] == "info@district123.org"
    assert spec["website"] == "https://district123.org"
    assert spec["distance_mi"] == ""
    wheel = next(r for r in records if r["name"] == "Sunday Meeting")
    assert wheel["accessibility"] == "wheelchair"
    appt = next(r for r in records if r["schedule_text"] == "By appointment")
    assert (appt["days"], appt["start_time"], appt["format"]) == ("", "", "online")
    assert appt["join_url"] == "https://zoom.us/j/12345678"


def test_csv_without_a_clock_leaves_next_meeting_and_age_empty(tmp_path: Path) -> None:
    _, records = csv_rows([by_key("covington-4")], tmp_path, now=None)
    rec = records[0]
    assert (rec["name"], rec["days"], rec["start_time"], rec["end_time"]) == (
        "Covington",
        "Sunday",
        "12:00",
        "13:00",
    )
    assert (rec["schedule_text"], rec["distance_mi"]) == (
        by_key("covington-4").schedule.text,
        "3.1",
    )
    assert (rec["next_meeting"], rec["age_days"], rec["old"]) == ("", "", "")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (
            '=HYPERLINK("http://example.invalid","click")',
            '\'=HYPERLINK("http://example.invalid","click")',
        ),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'=1+1"),  # the tab goes when the listing is read (as row_group cleans it)
    ],
)
def test_csv_formula_injection_neutralized(value: str, cell: str, tmp_path: Path) -> None:
    early = [by_key("early-sunday-morning")]
    _, records = csv_rows(early, tmp_path, name=value, venue=value, city=value)
    rec = records[0]
    assert (rec["name"], rec["venue"], rec["city"]) == (cell, cell, cell)
    assert rec["longitude"] == "-84.579446"  # plain negative numbers stay numbers


@pytest.mark.parametrize("writer", [export.write_json, export.write_ndjson])
def test_writers_stream_row_by_row(writer: Any) -> None:
    out = io.StringIO()
    seen: list[str] = []

    def rows() -> Any:
        for g in ATLANTA:
            if seen:  # the previous row is already written when the next one is asked for
                assert seen[-1] in out.getvalue()
            seen.append(g.id)
            yield result(g)

    assert writer(rows(), out) == 6
    assert len(seen) == 6


def test_empty_exports(tmp_path: Path) -> None:
    out = io.StringIO()
    assert write_ranked(catalog_of([], tmp_path / "empty.db"), [], out, None) == 0
    assert out.getvalue() == ",".join(CSV_COLUMNS) + "\r\n"
    out = io.StringIO()
    assert export.write_json(iter([]), out) == 0
    assert json.loads(out.getvalue()) == []


# --- JSON / NDJSON -------------------------------------------------------------------------------


def test_json_is_a_list_of_the_given_dicts() -> None:
    out = io.StringIO()
    assert export.write_json(ROWS, out) == 11
    data = json.loads(out.getvalue())
    assert data == json.loads(json.dumps(ROWS))
    first = data[0]
    assert (first["name"], first["distance_mi"], first["next_meeting"]) == (
        "Early Sunday Morning",
        3.14159,
        "2026-11-08T09:00:00-05:00",
    )
    assert first["schedule"] == {
        "kind": "weekly",
        "days": [0],
        "start": "09:00",
        "end": "10:00",
        "timezone": "America/New_York",
        "text": ATLANTA[0].schedule.text,
    }
    assert out.getvalue().splitlines()[0] == "[" and len(out.getvalue().splitlines()) == 13


def test_ndjson_one_object_per_line() -> None:
    out = io.StringIO()
    assert export.write_ndjson(ROWS, out) == 11
    lines = out.getvalue().splitlines()
    assert len(lines) == 11
    spec = json.loads(lines[6])
    assert (spec["name"], spec["phone"], spec["populations"]) == (
        "Sunday Serenity",
        "+1-123-456-7890",
        ["lgbtq", "transgender"],
    )
    assert spec["distance_mi"] is None and "–" in lines[0]  # UTF-8 kept, not \u escapes


# --- iCalendar -----------------------------------------------------------------------------------


def ics_text(rows: list[dict[str, Any]], stats: ExportStats | None = None) -> str:
    """Return the iCalendar export of rows, with the clock fixed at NOW."""
    out = io.StringIO(newline="")
    write_ics(rows, out, now=NOW, stats=stats)
    return out.getvalue()


def test_ics_accepted_by_icalendar_with_timezones() -> None:
    from icalendar import Calendar

    stats = ExportStats()
    text = ics_text(ROWS, stats)
    cal = Calendar.from_ical(text)
    events = cal.walk("VEVENT")
    assert len(events) == 10 and stats.written == 10
    assert stats.skipped == {"no recurring schedule": 1}  # the by-appointment meeting
    assert sorted(tz.tz_name for tz in cal.timezones) == ["America/Los_Angeles", "America/New_York"]
    assert cal.get_missing_tzids() == set()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")


def test_ics_event_fields() -> None:
    from icalendar import Calendar

    cal = Calendar.from_ical(ics_text(ROWS))
    ev = next(e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Early Sunday Morning")
    assert ev["DTSTART"].params["TZID"] == "America/New_York"
    assert ev["DTSTART"].dt.replace(tzinfo=None) == datetime(2026, 11, 8, 9, 0)
    assert ev["DTEND"].dt.replace(tzinfo=None) == datetime(2026, 11, 8, 10, 0)
    assert ev["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=SU"
    assert str(ev["UID"]) == f"{by_key('early-sunday-morning').id}@peerfind"
    assert str(ev["LOCATION"]) == "H.O.W. Place, 5881 Old Bascomb Rd, Acworth, GA 30102"
    assert str(ev["URL"]) == "https://atlantaaa.org/meetings/early-sunday-morning/"
    assert (ev["GEO"].latitude, ev["GEO"].longitude) == (34.099303, -84.579446)
    desc = str(ev["DESCRIPTION"])
    assert "Source: Alcoholics Anonymous, Atlanta (atlanta-aa) https://atlantaaa.org/" in desc
    assert "Evidence: listed 2026-11-01" in desc
    assert "Crisis: call or text 988" in desc
    spec = next(e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Sunday Serenity")
    assert spec["DTSTART"].params["TZID"] == "America/Los_Angeles"  # from region CA
    online = next(e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Meeting name")
    assert str(online["LOCATION"]) == "https://zoom.us/j/12345678"
    assert online["DTSTART"].dt == datetime(2026, 11, 5, 20, 0)  # no zone known: floating


def test_ics_round_trips_through_the_ical_parser() -> None:
    from peerfind.platforms.ical import ICal

    page = Page(url="https://example.invalid/peerfind.ics", text=ics_text(ROWS), fetched_at=NOW)
    back = {
        g.name + "|" + (g.schedule.start or ""): g
        for g in ICal(SourceConfig(name="rt", options={"all_events": True})).parse_groups(page)
    }
    originals = [g for g in GROUPS if g.schedule.kind == "weekly"]
    assert len(back) == len(originals) == 10
    for g in originals:
        got = back[g.name + "|" + (g.schedule.start or "")]
        assert got.schedule.kind == "weekly"
        assert got.schedule.days == g.schedule.days
        assert got.schedule.end == g.schedule.end
        if g.latitude is not None:
            assert (got.latitude, got.longitude) == (g.latitude, g.longitude)
            assert (got.city, got.region, got.postal_code) == (g.city, g.region, g.postal_code)
    early = back["Early Sunday Morning|09:00"]
    assert early.schedule.timezone == "America/New_York"
    assert early.source_url == "https://atlantaaa.org/meetings/early-sunday-morning/"
    assert back["San Francisco meeting at 9:00|09:00"].schedule.timezone == "America/Los_Angeles"
    assert back["Meeting name|20:00"].join_url == "https://zoom.us/j/12345678"


# --- HSDS ----------------------------------------------------------------------------------------


def hsds(tmp_path: Path) -> tuple[Path, dict[str, list[dict[str, str]]]]:
    """Export ROWS as HSDS into a fresh folder; return it and every table read back."""
    out = tmp_path / "hsds"
    tmp_path.mkdir(parents=True, exist_ok=True)
    assert write_hsds(ROWS, out, now=NOW) == 11
    tables = {}
    for res in json.loads((out / "datapackage.json").read_text())["resources"]:
        with open(out / res["path"], encoding="utf-8", newline="") as fh:
            tables[res["name"]] = list(csv.DictReader(fh))
    return out, tables


def test_hsds_package_validates_with_frictionless(tmp_path: Path) -> None:
    from frictionless import validate

    out, _ = hsds(tmp_path)
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    # The check has teeth: a location pointing at no organization is a foreign-key error.
    loc = out / "locations.csv"
    text = loc.read_text(encoding="utf-8")
    org_id = text.splitlines()[1].split(",")[3]
    loc.write_text(text.replace(org_id, str(uuid.uuid4()), 1), encoding="utf-8")
    bad = validate(str(out / "datapackage.json"))
    assert [e[1] for e in bad.flatten(["rowNumber", "type"])] == ["foreign-key"]
    names = {r["name"] for r in json.loads((out / "datapackage.json").read_text())["resources"]}
    assert names == {
        "organization",
        "program",
        "service",
        "location",
        "service_at_location",
        "address",
        "schedule",
        "phone",
        "language",
        "accessibility",
        "taxonomy",
        "taxonomy_term",
        "attribute",
    }


def test_hsds_descriptor_drops_unwritten_resources_and_keys() -> None:
    package = package_descriptor(["service", "organization", "phone"])
    assert [r["name"] for r in package["resources"]] == ["organization", "service", "phone"]
    service = package["resources"][1]["schema"]
    assert [k["reference"]["resource"] for k in service["foreignKeys"]] == ["organization"]
    phone = package["resources"][2]["schema"]
    assert {k["reference"]["resource"] for k in phone["foreignKeys"]} == {"organization", "service"}
    assert package["name"] == "human_services_data" and package["version"] == "3.0.0"


def test_hsds_fields(tmp_path: Path) -> None:
    _, t = hsds(tmp_path)
    g = by_key("early-sunday-morning")
    sid = str(uuid.uuid5(NAMESPACE, f"service:{g.id}"))
    service = next(r for r in t["service"] if r["id"] == sid)
    assert (service["name"], service["status"], service["assured_date"]) == (
        "Early Sunday Morning",
        "active",
        "",
    )  # nobody verified it: no assured_date
    assert service["url"] == "https://atlantaaa.org/meetings/early-sunday-morning/"
    org = next(r for r in t["organization"] if r["id"] == service["organization_id"])
    assert org["name"] == "Alcoholics Anonymous, Atlanta"
    sched = next(r for r in t["schedule"] if r["service_id"] == sid)
    assert {
        k: sched[k]
        for k in (
            "freq",
            "interval",
            "byday",
            "opens_at",
            "closes_at",
            "timezone",
            "dtstart",
            "description",
            "notes",
        )
    } == {
        "freq": "WEEKLY",
        "interval": "1",
        "byday": "SU",
        "opens_at": "09:00:00-05:00",
        "closes_at": "10:00:00-05:00",
        "timezone": "-5",
        "dtstart": "2026-11-08",
        "description": "Sundays 9:00–10:00 AM, America/New_York",
        "notes": g.schedule.text,
    }
    sal = next(r for r in t["service_at_location"] if r["service_id"] == sid)
    loc = next(r for r in t["location"] if r["id"] == sal["location_id"])
    assert (loc["location_type"], loc["name"], loc["latitude"], loc["longitude"]) == (
        "physical",
        "H.O.W. Place",
        "34.099303",
        "-84.579446",
    )
    addr = next(r for r in t["address"] if r["location_id"] == loc["id"])
    assert (
        addr["address_1"],
        addr["city"],
        addr["state_province"],
        addr["postal_code"],
        addr["country"],
        addr["address_type"],
    ) == ("5881 Old Bascomb Rd", "Acworth", "GA", "30102", "US", "physical")
    terms = {r["id"]: r["code"] for r in t["taxonomy_term"]}
    tags = sorted(terms[a["taxonomy_term_id"]] for a in t["attribute"] if a["link_id"] == sid)
    assert tags == ["alcohol", "in_person", "peer_support_group"]


def test_hsds_contacts_populations_and_online(tmp_path: Path) -> None:
    _, t = hsds(tmp_path)
    assert [(p["number"], p["description"]) for p in t["phone"]] == [
        ("+1-123-456-7890", "Organization phone")
    ]  # organization phones only
    org = next(o for o in t["organization"] if o["name"] == "District 123")
    assert t["phone"][0]["organization_id"] == org["id"]
    assert (org["email"], org["website"]) == ("info@district123.org", "https://district123.org")
    spec_sid = hsds_id("service", by_key("sunday-serenity-14").id)
    terms = {r["id"]: r["code"] for r in t["taxonomy_term"]}
    tags = {terms[a["taxonomy_term_id"]] for a in t["attribute"] if a["link_id"] == spec_sid}
    assert tags == {"lgbtq", "transgender", "alcohol", "in_person", "peer_support_group"}
    spec_sched = next(r for r in t["schedule"] if r["service_id"] == spec_sid)
    assert (spec_sched["opens_at"], spec_sched["timezone"]) == ("18:00:00-08:00", "-8")
    online_sid = hsds_id("service", by_key("time-meeting").id)
    sal = next(r for r in t["service_at_location"] if r["service_id"] == online_sid)
    loc = next(r for r in t["location"] if r["id"] == sal["location_id"])
    assert (loc["location_type"], loc["url"]) == ("virtual", "https://zoom.us/j/12345678")
    appt = next(
        r for r in t["schedule"] if r["service_id"] == hsds_id("service", by_key("josh-meeting").id)
    )
    assert (appt["freq"], appt["description"], appt["opens_at"]) == ("", "By appointment", "")
    access = [a["description"] for a in t["accessibility"]]
    assert access == ["Wheelchair accessible", "Wheelchair accessible", "Wheelchair accessible"]


def test_hsds_ids_are_stable(tmp_path: Path) -> None:
    _, first = hsds(tmp_path / "a")
    _, second = hsds(tmp_path / "b")
    assert [r["id"] for r in first["service"]] == [r["id"] for r in second["service"]]
    assert len({r["id"] for r in first["organization"]}) == len(first["organization"]) == 4


@pytest.mark.parametrize(
    ("schedule", "columns"),
    [
        (
            Schedule(kind="weekly", days=(2,), start="19:00"),
            {"freq": "WEEKLY", "interval": "1", "byday": "TU", "bymonthday": ""},
        ),
        (
            Schedule(kind="weekly", days=(2,), interval=2, anchor="2026-11-03", start="19:00"),
            {"freq": "WEEKLY", "interval": "2", "byday": "TU", "bymonthday": ""},
        ),
        (
            Schedule(kind="monthly_nth", days=(2,), nths=(2, 4), start="19:00"),
            {"freq": "MONTHLY", "interval": "1", "byday": "2TU,4TU", "bymonthday": ""},
        ),
        (
            Schedule(kind="monthly_nth", days=(5,), nths=(-1,), start="19:00"),
            {"freq": "MONTHLY", "interval": "1", "byday": "-1FR", "bymonthday": ""},
        ),
        (
            Schedule(kind="monthly_date", monthday=15, start="19:00"),
            {"freq": "MONTHLY", "interval": "1", "byday": "", "bymonthday": "15"},
        ),
        (Schedule(kind="appointment"), {}),
    ],
)
def test_hsds_schedule_rule_columns(schedule: Schedule, columns: dict[str, str]) -> None:
    from peerfind.export.hsds import _rule

    assert _rule(schedule) == columns


def test_hsds_reimports_without_loss(tmp_path: Path) -> None:
    from peerfind.platforms.hsds import Hsds

    out, _ = hsds(tmp_path)
    groups = _read_hsds(Hsds, out)
    assert sorted(g.name for g in groups) == sorted(g.name for g in GROUPS)
    back = {g.name + "|" + (g.schedule.start or ""): g for g in groups}
    for g in ATLANTA + SPEC:
        got = back[g.name + "|" + (g.schedule.start or "")]
        assert got.organization == g.organization
        assert (got.schedule.kind, got.schedule.days, got.schedule.start, got.schedule.end) == (
            g.schedule.kind,
            g.schedule.days,
            g.schedule.start,
            g.schedule.end,
        )
        assert (got.address, got.city, got.region, got.postal_code) == (
            g.address,
            g.city,
            g.region,
            g.postal_code,
        )
        assert (got.latitude, got.longitude) == (g.latitude, g.longitude)
        assert set(got.populations) >= set(g.populations)
        assert set(got.topics) >= set(g.topics)
    assert back["Early Sunday Morning|09:00"].schedule.timezone == "America/New_York"
    assert back["Sunday Serenity|18:00"].schedule.timezone == "America/Los_Angeles"
    assert back["Meeting name|20:00"].join_url == "https://zoom.us/j/12345678"


def _read_hsds(parser: Any, folder: Path) -> list[Group]:
    """Parse an exported HSDS folder with the project's HSDS parser (default options: it keeps
    only services that look like support groups, so this also checks they are recognized)."""
    return parser(SourceConfig(name="rt")).read_directory(folder, NOW)


# --- files: where exports may write --------------------------------------------------------------


def test_format_for_path(tmp_path: Path) -> None:
    assert [
        format_for_path(p) for p in ("a.csv", "A.JSON", "x.ndjson", "x.jsonl", "c.ics", "-")
    ] == ["csv", "json", "ndjson", "ndjson", "ics", "csv"]
    assert format_for_path(tmp_path) == "hsds"
    assert format_for_path("new-folder/") == "hsds"
    assert format_for_path("out", hsds=True) == "hsds"
    with pytest.raises(UsageError, match="cannot tell the export format"):
        format_for_path("groups.xlsx")
    with pytest.raises(UsageError, match="not '-'"):
        format_for_path("-", hsds=True)


def test_export_rows_writes_each_format(tmp_path: Path) -> None:
    for name in ("g.json", "g.ndjson", "g.ics"):
        assert export_rows(ROWS[:6], tmp_path / name) == 6
    assert json.loads((tmp_path / "g.json").read_text())[5]["name"] == "Covington"
    assert (tmp_path / "g.ics").read_text().count("BEGIN:VEVENT") == 6
    with pytest.raises(UsageError, match="CSV is written from the catalog"):
        export_rows(ROWS[:6], tmp_path / "g.csv")  # only export_csv writes CSV
    assert sorted(os.listdir(tmp_path)) == ["g.ics", "g.json", "g.ndjson"]


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "groups.json"
    target.write_text("keep me")
    with pytest.raises(UsageError, match="already exists; use --force"):
        export_rows(ROWS, target)
    assert target.read_text() == "keep me"
    assert export_rows(ROWS, target, force=True) == 11
    assert target.read_text().startswith("[")
    assert os.listdir(tmp_path) == ["groups.json"]  # no temporary file left


def test_never_follows_a_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "groups.json"
    link.symlink_to(victim)
    for force in (False, True):
        with pytest.raises(UsageError, match="symbolic link"):
            export_rows(ROWS, link, force=force)
    dangling = tmp_path / "new.json"
    dangling.symlink_to(tmp_path / "not-yet.json")
    with pytest.raises(UsageError, match="symbolic link"):
        export_rows(ROWS, dangling, force=True)
    assert victim.read_text() == "precious" and not (tmp_path / "not-yet.json").exists()
    assert link.is_symlink()


def test_failed_export_leaves_nothing(tmp_path: Path) -> None:
    def broken() -> Any:
        yield ROWS[0]
        raise RuntimeError("catalog went away")

    with pytest.raises(RuntimeError):
        export_rows(broken(), tmp_path / "g.json")
    with pytest.raises(RuntimeError):
        export_rows(broken(), tmp_path / "pkg", hsds=True)
    assert os.listdir(tmp_path) == []  # not even the folder the HSDS export made


def test_hsds_folder_rules(tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty; use --force"):
        export_rows(ROWS, full, hsds=True)
    assert export_rows(ROWS, full, hsds=True, force=True) == 11
    assert (full / "notes.txt").read_text() == "mine" and (full / "services.csv").exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "link"
    link.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UsageError, match="symbolic link"):
        export_rows(ROWS, link, hsds=True, force=True)
    assert os.listdir(elsewhere) == []
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "services.csv").symlink_to(tmp_path / "victim.csv")
    with pytest.raises(UsageError, match="symbolic link"):
        export_rows(ROWS, planted, hsds=True, force=True)
    assert not (tmp_path / "victim.csv").exists()
    assert sorted(os.listdir(planted)) == ["services.csv"]


def test_dash_writes_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert export_rows(ROWS[:2], "-", fmt="ndjson") == 2
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["name"] for line in lines] == [
        "Early Sunday Morning",
        "Sunday Serenity and Spirituality",
    ]
