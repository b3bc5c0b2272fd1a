"""Assemble an Open Referral HSDS 3.0 tabular package (CSV files) into nested service objects.

The nested shape is the one HSDS 3.0 serves as JSON (`service_full`): a service with its
organization, phones, languages, schedules, attributes (with taxonomy terms) and
service_at_locations (each with its location, the location's addresses, and its own schedules),
so platforms/hsds.py reads both forms with one code path. Resource names are singular
(`service_at_location`), file paths plural (`services.csv`); the paths come from datapackage.json
when there is one.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from peerfind.errors import ParseError

# resource name -> default file path (HSDS 3.0 datapackage.json)
TABLES: dict[str, str] = {
    "service": "services.csv",
    "organization": "organizations.csv",
    "location": "locations.csv",
    "service_at_location": "service_at_location.csv",
    "address": "addresses.csv",
    "schedule": "schedules.csv",
    "phone": "phones.csv",
    "language": "languages.csv",
    "attribute": "attributes.csv",
    "taxonomy_term": "taxonomy_terms.csv",
    "program": "programs.csv",
}


def package_paths(descriptor: Any) -> dict[str, str]:
    """Return resource name -> path for the tables peerfind reads, from a datapackage.json."""
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        raise ParseError("datapackage.json has no list of resources")
    out: dict[str, str] = {}
    for res in resources:
        if isinstance(res, dict) and res.get("name") in TABLES and isinstance(res.get("path"), str):
            out[str(res["name"])] = res["path"]
    if "service" not in out:
        raise ParseError("datapackage.json has no service resource")
    return out


def read_rows(text: str, name: str) -> list[dict[str, str]]:
    """Return the rows of one CSV table as dicts (blank cells as ''); ParseError on garbage."""
    body = text.lstrip("\ufeff")
    if body.lstrip()[:1] in ("<", "{", "["):
        raise ParseError(f"{name}: expected CSV, got HTML or JSON")
    try:
        reader = csv.DictReader(io.StringIO(body))
        rows = [
            {
                str(k or "").strip(): (v or "").strip() if isinstance(v, str) else ""
                for k, v in row.items()
            }
            for row in reader
        ]
    except csv.Error as exc:
        raise ParseError(f"{name}: malformed CSV ({exc})") from None
    if "id" not in (reader.fieldnames or []):
        raise ParseError(f"{name}: CSV without an id column")
    return rows


def _by(rows: list[dict[str, str]], column: str) -> dict[str, list[dict[str, str]]]:
    """Index rows by the value of one column (rows with it empty left out)."""
    out: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row.get(column):
            out.setdefault(row[column], []).append(row)
    return out


def assemble(tables: dict[str, str]) -> list[dict[str, Any]]:
    """Return nested services from CSV texts keyed by resource name (service is required)."""
    if "service" not in tables:
        raise ParseError("HSDS package without services")
    rows = {name: read_rows(text, name) for name, text in tables.items() if name in TABLES}
    orgs: dict[str, dict[str, Any]] = {r["id"]: dict(r) for r in rows.get("organization", [])}
    programs = {r["id"]: dict(r) for r in rows.get("program", [])}
    terms = {r["id"]: dict(r) for r in rows.get("taxonomy_term", [])}
    phones = rows.get("phone", [])
    for org_id, org in orgs.items():
        org["phones"] = [
            p for p in phones if p.get("organization_id") == org_id and not p.get("service_id")
        ]
    addresses = _by(rows.get("address", []), "location_id")
    locations = {
        r["id"]: {**r, "addresses": addresses.get(r["id"], [])} for r in rows.get("location", [])
    }
    schedules = rows.get("schedule", [])
    by_service = _by(schedules, "service_id")
    by_sal = _by(schedules, "service_at_location_id")
    languages = _by(rows.get("language", []), "service_id")
    attributes = _by(rows.get("attribute", []), "link_id")
    sals = _by(rows.get("service_at_location", []), "service_id")
    services = []
    for row in rows["service"]:
        sid = row.get("id", "")
        service: dict[str, Any] = dict(row)
        service["organization"] = orgs.get(row.get("organization_id", ""))
        service["program"] = programs.get(row.get("program_id", ""))
        service["phones"] = [p for p in phones if p.get("service_id") == sid]
        service["languages"] = languages.get(sid, [])
        service["schedules"] = [
            s for s in by_service.get(sid, []) if not s.get("service_at_location_id")
        ]
        service["attributes"] = [
            {**a, "taxonomy_term": terms.get(a.get("taxonomy_term_id", ""))}
            for a in attributes.get(sid, [])
        ]
        service["service_at_locations"] = [
            {
                **sal,
                "location": locations.get(sal.get("location_id", "")),
                "schedules": by_sal.get(sal["id"], []),
            }
            for sal in sals.get(sid, [])
        ]
        services.append(service)
    return services
