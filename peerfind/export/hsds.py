"""Write search results as an Open Referral HSDS 3.0 Tabular Data Package (CSVs + datapackage.json).

The descriptor is derived from the official one (data/hsds-3.0-datapackage.json, CC BY-SA 4.0):
only the resources written here are kept, and foreign keys to dropped resources are removed.
Ids are uuid5 values derived from peerfind ids, so re-exporting gives the same ids.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peerfind import PROJECT_URL, __version__, vocab
from peerfind.clean import csv_cell
from peerfind.errors import UsageError
from peerfind.export.files import ExportStats, SafeFile
from peerfind.export.records import group_of
from peerfind.models import Group, Schedule
from peerfind.paths import data_path
from peerfind.places.names import state_code

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PROJECT_URL + "/hsds")
DESCRIPTOR = "hsds-3.0-datapackage.json"
RESOURCES = (
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
)
STATUS = {
    vocab.ACTIVE: "active",
    vocab.TEMPORARILY_CLOSED: "temporarily closed",
    vocab.INACTIVE: "inactive",
    vocab.REMOVED: "defunct",
}
ATTENDING = {
    vocab.IN_PERSON: "in person",
    vocab.ONLINE: "online",
    vocab.HYBRID: "in person or online",
    vocab.PHONE: "by phone",
}
SERVICE_TERM = "peer_support_group"
KINDS = (("population", vocab.POPULATIONS), ("topic", vocab.TOPICS), ("format", vocab.FORMATS))
_COUNTRIES = {
    "us": "US",
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "canada": "CA",
    "uk": "GB",
    "united kingdom": "GB",
}


def hsds_id(kind: str, key: str) -> str:
    """Return the stable UUID of an HSDS record of `kind` for a peerfind key."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def package_descriptor(names: Iterable[str] = RESOURCES) -> dict[str, Any]:
    """Return the official descriptor cut down to the resources `names`, dangling keys removed."""
    with open(data_path(DESCRIPTOR), encoding="utf-8") as fh:
        package = json.load(fh)
    keep = set(names)
    resources = [r for r in package["resources"] if r["name"] in keep]
    for res in resources:
        schema = res["schema"]
        keys = [k for k in schema.get("foreignKeys", []) if k["reference"]["resource"] in keep]
        if keys:
            schema["foreignKeys"] = keys
        else:
            schema.pop("foreignKeys", None)
    package["resources"] = resources
    package["title"] = "Peer support groups exported by peerfind (Open Referral HSDS 3.0)"
    package["sources"] = [
        {
            "title": "Open Referral Human Services Data Specification 3.0 datapackage.json "
            "(CC BY-SA 4.0), reduced to the tables in this package",
            "path": "https://github.com/openreferral/specification/blob/3.0/datapackage.json",
        }
    ]
    return package


def _time(hhmm: str, offset: str) -> str:
    """Return 'HH:MM:SS' plus the UTC offset ('' when the zone is unknown)."""
    return f"{hhmm}:00{offset}"


def _offset(tz: str | None, when: datetime) -> tuple[str, str]:
    """Return (offset text '-05:00', offset hours '-5') of an IANA zone at `when`."""
    if not tz:
        return "", ""
    try:
        delta = when.astimezone(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return "", ""
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    number = minutes / 60
    return f"{sign}{hours:02d}:{mins:02d}", (f"{number:g}")


def describe(s: Schedule) -> str:
    """Return the schedule in words with its zone, e.g. 'Tuesdays 7:00 PM, America/New_York'."""
    from peerfind.schedule import recurrence as sched_mod

    text = sched_mod.describe(s)
    if s.kind in ("appointment", "unparsed") or not s.start:
        return text
    return f"{text}, {s.timezone}" if s.timezone else f"{text}, local time"


def _rule(s: Schedule) -> dict[str, str]:
    """Return the freq/interval/byday/bymonthday columns of a schedule (empty when none)."""
    from peerfind.schedule.rrule import to_rrule

    rule = to_rrule(s)
    if not rule:
        return {}
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    if parts.get("FREQ") not in ("WEEKLY", "MONTHLY"):
        return {}
    return {
        "freq": parts["FREQ"],
        "interval": parts.get("INTERVAL", "1"),
        "byday": parts.get("BYDAY", ""),
        "bymonthday": parts.get("BYMONTHDAY", ""),
    }


def _dtstart(s: Schedule, now: datetime) -> str:
    """Return the schedule's anchor date, else the date of its next meeting (or '')."""
    if s.anchor:
        return s.anchor
    if not _rule(s) or not s.start:
        return ""
    from peerfind.schedule import recurrence as sched_mod

    found = sched_mod.next_occurrences(s, now, 1)
    if not found:
        return ""
    first = found[0]
    if s.timezone and first.tzinfo:
        first = first.astimezone(ZoneInfo(s.timezone))
    return first.date().isoformat()


def _country(g: Group) -> str:
    """Return the ISO 3166-1 alpha-2 country of a group ('' when unsure); a US state with a
    5-digit ZIP code means US."""
    text = g.country.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    if not text and re.fullmatch(r"\d{5}(-\d{4})?", g.postal_code) and state_code(g.region):
        return "US"
    return _COUNTRIES.get(text.lower(), "")


class _Tables:
    """One CSV writer per HSDS resource, each writing to a SafeFile in the output folder."""

    def __init__(self, out_dir: Path, package: dict[str, Any], force: bool) -> None:
        """Open a temporary file and write the header of every resource."""
        self.files: dict[str, SafeFile] = {}
        self.writers: dict[str, Any] = {}
        self.columns: dict[str, list[str]] = {}
        try:
            for res in package["resources"]:
                safe = SafeFile(out_dir / res["path"], force=force)
                self.files[res["name"]] = safe
                cols = [f["name"] for f in res["schema"]["fields"]]
                self.columns[res["name"]] = cols
                self.writers[res["name"]] = csv.writer(safe.stream, lineterminator="\r\n")
                self.writers[res["name"]].writerow(cols)
        except BaseException:
            self.abort()
            raise

    def add(self, resource: str, **values: object) -> None:
        """Write one row; columns not given are left empty."""
        row = [csv_cell(values.get(c)) for c in self.columns[resource]]  # as the plain CSV
        self.writers[resource].writerow(row)

    def commit(self) -> None:
        """Move every finished file into place."""
        for safe in self.files.values():
            safe.commit()

    def abort(self) -> None:
        """Remove every temporary file."""
        for safe in self.files.values():
            safe.abort()


def _prepare_dir(out_dir: Path, force: bool) -> None:
    """Create the output folder; refuse a symlink, a file, or a non-empty folder without force."""
    if out_dir.is_symlink():
        raise UsageError(f"{out_dir} is a symbolic link; peerfind will not write through it.")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file; an HSDS export needs a folder.")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise UsageError(f"{out_dir} is not empty; use --force to write into it.")
    if not out_dir.parent.is_dir():
        raise UsageError(f"the folder {out_dir.parent} does not exist.")
    out_dir.mkdir(exist_ok=True)


def _unmake(out_dir: Path, made: bool) -> None:
    """Remove the output folder again when this export created it (it is empty then)."""
    if made:
        with contextlib.suppress(OSError):
            out_dir.rmdir()


def write_hsds(
    rows: Iterable[dict[str, Any]],
    out_dir: Path,
    *,
    force: bool = False,
    now: datetime | None = None,
    stats: ExportStats | None = None,
) -> int:
    """Write an HSDS 3.0 package into `out_dir`; return the number of services written."""
    if now is None:
        from peerfind.schedule import clock as timeutil

        now = timeutil.now("UTC")  # PEERFIND_NOW pins it, as for search
    stats = stats if stats is not None else ExportStats()
    made = not out_dir.exists()
    _prepare_dir(out_dir, force)
    package = package_descriptor()
    try:
        tables = _Tables(out_dir, package, force)
    except BaseException:
        _unmake(out_dir, made)
        raise
    try:
        meta = SafeFile(out_dir / "datapackage.json", force=force)
    except BaseException:
        tables.abort()
        _unmake(out_dir, made)
        raise
    try:
        _write_taxonomy(tables)
        seen_orgs: set[str] = set()
        sources: dict[str, str] = {}
        count = 0
        for row in rows:
            group = group_of(row)
            sources.setdefault(group.source, group.organization)
            _write_group(tables, group, now, seen_orgs, stats)
            count += 1
        _state_licences(package, sources)
        json.dump(package, meta.stream, indent=2, ensure_ascii=False)
        meta.stream.write("\n")
        for safe in (*tables.files.values(), meta):  # every file on disk before any is moved
            safe.finish()
    except BaseException:
        tables.abort()
        meta.abort()
        _unmake(out_dir, made)
        raise
    tables.commit()
    meta.commit()
    stats.written += count
    return count


def _state_licences(package: dict[str, Any], sources: dict[str, str]) -> None:
    """Put each exported source's own licence on the package, not the specification's.

    The specification's licence (CC BY-SA 4.0) covers the descriptor it comes from, which stays
    credited among the package's sources.
    """
    from peerfind.sources import licences

    spec = package.pop("license", None)
    stated, entries = licences.package_entries(sources)
    if stated:
        package["licenses"] = stated
    package["sources"] = [*entries, *package.get("sources", [])]
    if spec:
        package["sources"][-1]["license"] = spec.get("type", "")


def _write_taxonomy(t: _Tables) -> None:
    """Write peerfind's populations, topics and formats as one taxonomy with three branches."""
    tax_id = hsds_id("taxonomy", "peerfind")
    t.add(
        "taxonomy",
        id=tax_id,
        name="peerfind",
        description="peerfind's vocabularies: who a group is for (population), what it is "
        "about (topic) and how it meets (format).",
        uri=PROJECT_URL,
        version=__version__,
    )
    t.add(
        "taxonomy_term",
        id=hsds_id("taxonomy_term", SERVICE_TERM),
        code=SERVICE_TERM,
        name="Peer support group",
        description="A group run by and for people with shared experience (mutual aid, "
        "self-help); every service peerfind exports is one.",
        taxonomy="peerfind",
        language="en",
        taxonomy_id=tax_id,
    )
    for kind, terms in KINDS:
        parent = hsds_id("taxonomy_term", kind)
        t.add(
            "taxonomy_term",
            id=parent,
            code=kind,
            name=kind.capitalize(),
            description=f"peerfind {kind} terms",
            taxonomy="peerfind",
            language="en",
            taxonomy_id=tax_id,
        )
        for term, label in terms.items():
            t.add(
                "taxonomy_term",
                id=hsds_id("taxonomy_term", term),
                code=term,
                name=label,
                description=f"peerfind {kind}: {label}",
                parent_id=parent,
                taxonomy="peerfind",
                language="en",
                taxonomy_id=tax_id,
            )


def _write_group(t: _Tables, g: Group, now: datetime, orgs: set[str], stats: ExportStats) -> None:
    """Write the organization (once), service, locations, address, schedule and tags of a group."""
    org_name = g.organization or g.source
    org_id = hsds_id("organization", org_name.casefold())
    if org_id not in orgs:
        orgs.add(org_id)
        t.add(
            "organization",
            id=org_id,
            name=org_name,
            description=f"{org_name}: peer support groups listed by peerfind from the public "
            f"source '{g.source}'.",
            email=g.email,
            website=g.website,
        )
        if g.phone:
            t.add(
                "phone",
                id=hsds_id("phone", org_id),
                organization_id=org_id,
                number=g.phone,
                type="voice",
                description="Organization phone",
            )
    program_id = ""
    if g.program:  # the fellowship running the group (AA, Al-Anon, …), once per organization
        program_id = hsds_id("program", f"{org_id}:{g.program}")
        if program_id not in orgs:
            orgs.add(program_id)
            who = vocab.for_whom(g.program)
            t.add(
                "program",
                id=program_id,
                organization_id=org_id,
                name=vocab.full_name(g.program),
                alternate_name=vocab.label(g.program),
                description=f"Meetings for {who}." if who else vocab.full_name(g.program),
            )
    service_id = hsds_id("service", g.id)
    labels = [vocab.POPULATIONS.get(p, p) for p in g.populations]
    t.add(
        "service",
        id=service_id,
        organization_id=org_id,
        program_id=program_id,
        name=g.name,
        description=g.description,
        url=g.source_url,
        status=STATUS.get(g.status, "active"),
        fees_description=g.cost,
        eligibility_description=("Intended for: " + "; ".join(labels)) if labels else "",
        assured_date=g.last_verified[:10],  # a person checked it; never a feed or scrape date
        last_modified=f"{g.source_updated[:10]}T00:00:00Z" if g.source_updated else "",
    )
    _write_locations(t, g, org_id, service_id, stats)
    _write_schedule(t, g, service_id, now)
    for code in g.languages:
        t.add(
            "language", id=hsds_id("language", f"{g.id}:{code}"), service_id=service_id, code=code
        )
    for kind, values in (
        ("service_type", (SERVICE_TERM,)),
        ("population", g.populations),
        ("topic", g.topics),
        ("format", (g.format,)),
    ):
        for term in values:
            t.add(
                "attribute",
                id=hsds_id("attribute", f"{g.id}:{term}"),
                link_id=service_id,
                taxonomy_term_id=hsds_id("taxonomy_term", term),
                link_type=kind,
                link_entity="service",
                value=term,
            )


def _write_locations(
    t: _Tables, g: Group, org_id: str, service_id: str, stats: ExportStats
) -> None:
    """Write the physical location (with address) and the virtual one (join link) of a group."""
    has_place = bool(g.address or g.city or g.latitude is not None)
    if has_place and g.format != vocab.ONLINE:
        loc_id = hsds_id("location", g.id)
        note = (
            ""
            if g.geo_precision in ("exact", "none")
            else f"Coordinates are approximate ({g.geo_precision} level)."
        )
        t.add(
            "location",
            id=loc_id,
            location_type="physical",
            organization_id=org_id,
            name=g.venue,
            description=note,
            latitude=g.latitude,
            longitude=g.longitude,
            external_identifier=g.id,
            external_identifier_type="peerfind",
        )
        t.add(
            "service_at_location",
            id=hsds_id("service_at_location", g.id),
            service_id=service_id,
            location_id=loc_id,
        )
        country = _country(g)
        if g.address and g.city and g.region and g.postal_code and country:
            t.add(
                "address",
                id=hsds_id("address", g.id),
                location_id=loc_id,
                address_1=g.address,
                city=g.city,
                state_province=g.region,
                postal_code=g.postal_code,
                country=country,
                address_type="physical",
            )
        elif g.address or g.city:
            stats.omitted[
                "incomplete addresses (HSDS needs street, city, state, postcode and country)"
            ] += 1
        for term in g.accessibility:
            t.add(
                "accessibility",
                id=hsds_id("accessibility", f"{g.id}:{term}"),
                location_id=loc_id,
                description=vocab.ACCESSIBILITY.get(term, term),
            )
    if g.join_url and g.format != vocab.IN_PERSON:
        loc_id = hsds_id("virtual_location", g.id)
        t.add(
            "location",
            id=loc_id,
            location_type="virtual",
            url=g.join_url,
            organization_id=org_id,
            name="Online",
            external_identifier=g.id,
            external_identifier_type="peerfind",
        )
        t.add(
            "service_at_location",
            id=hsds_id("virtual_service_at_location", g.id),
            service_id=service_id,
            location_id=loc_id,
        )


def _write_schedule(t: _Tables, g: Group, service_id: str, now: datetime) -> None:
    """Write the group's schedule row: RRULE parts, offset times, words with the IANA zone."""
    s = g.schedule
    if not s.timezone and g.region:
        from peerfind.schedule import recurrence as sched_mod

        s = replace(s, timezone=sched_mod.timezone_for_region(g.region, g.country) or None)
    offset, hours = _offset(s.timezone, now)
    t.add(
        "schedule",
        id=hsds_id("schedule", g.id),
        service_id=service_id,
        dtstart=_dtstart(s, now),
        timezone=hours,
        until=s.until,
        **_rule(s),
        description=describe(s),
        opens_at=_time(s.start, offset) if s.start else "",
        closes_at=_time(s.end, offset) if s.end else "",
        attending_type=ATTENDING.get(g.format, ""),
        notes=s.text,
    )
