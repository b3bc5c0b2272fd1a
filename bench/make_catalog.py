"""Build deterministic synthetic catalogs (10k, 100k, 1M listings) through peerfind's catalog code.

    python bench/make_catalog.py            # build whichever of 10k / 100k / 1M is missing
    python bench/make_catalog.py 100k       # just one size
    python bench/make_catalog.py --force 10k

Listings are clustered around 58 real US metro centres (Gaussian, sigma = 12 + 4*sqrt(metro
population in millions) miles; 85% of placed listings, weighted by population) plus 15% spread
uniformly over the continental US; 60% in person / 25% online / 15% hybrid; ~300-character
descriptions in which "recovery" appears in ~40% and "hoarding" in ~0.35%; weekly and monthly
schedules in IANA zones. Every name says "Synthetic": these catalogs are never shipped.
Catalogs are cached as bench/out/catalog-<size>.db (gitignored); re-runs reuse them.
"""

from __future__ import annotations

import itertools
import math
import random
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from benchlib import OUT, SIZES

from peerfind import vocab
from peerfind.catalog import db as catalog
from peerfind.models import Group, Schedule

SEED = 20261124
PER_SOURCE = 50_000  # listings per synthetic source (one refresh_source call each)
RARE_WORD, COMMON_WORD = "hoarding", "recovery"

# (name, state, lat, lon, metro population in millions, IANA zone)
METROS: tuple[tuple[str, str, float, float, float, str], ...] = (
    ("New York", "NY", 40.7128, -74.0060, 19.8, "America/New_York"),
    ("Los Angeles", "CA", 34.0522, -118.2437, 13.2, "America/Los_Angeles"),
    ("Chicago", "IL", 41.8781, -87.6298, 9.6, "America/Chicago"),
    ("Dallas", "TX", 32.7767, -96.7970, 7.6, "America/Chicago"),
    ("Houston", "TX", 29.7604, -95.3698, 7.1, "America/Chicago"),
    ("Washington", "DC", 38.9072, -77.0369, 6.4, "America/New_York"),
    ("Philadelphia", "PA", 39.9526, -75.1652, 6.2, "America/New_York"),
    ("Miami", "FL", 25.7617, -80.1918, 6.1, "America/New_York"),
    ("Atlanta", "GA", 33.7490, -84.3880, 6.1, "America/New_York"),
    ("Boston", "MA", 42.3601, -71.0589, 4.9, "America/New_York"),
    ("Phoenix", "AZ", 33.4484, -112.0740, 4.8, "America/Phoenix"),
    ("San Francisco", "CA", 37.7749, -122.4194, 4.7, "America/Los_Angeles"),
    ("Riverside", "CA", 33.9806, -117.3755, 4.6, "America/Los_Angeles"),
    ("Detroit", "MI", 42.3314, -83.0458, 4.4, "America/Detroit"),
    ("Seattle", "WA", 47.6062, -122.3321, 4.0, "America/Los_Angeles"),
    ("Minneapolis", "MN", 44.9778, -93.2650, 3.7, "America/Chicago"),
    ("San Diego", "CA", 32.7157, -117.1611, 3.3, "America/Los_Angeles"),
    ("Tampa", "FL", 27.9506, -82.4572, 3.2, "America/New_York"),
    ("Denver", "CO", 39.7392, -104.9903, 3.0, "America/Denver"),
    ("St. Louis", "MO", 38.6270, -90.1994, 2.8, "America/Chicago"),
    ("Baltimore", "MD", 39.2904, -76.6122, 2.8, "America/New_York"),
    ("Charlotte", "NC", 35.2271, -80.8431, 2.7, "America/New_York"),
    ("Orlando", "FL", 28.5383, -81.3792, 2.7, "America/New_York"),
    ("San Antonio", "TX", 29.4241, -98.4936, 2.6, "America/Chicago"),
    ("Portland", "OR", 45.5152, -122.6784, 2.5, "America/Los_Angeles"),
    ("Sacramento", "CA", 38.5816, -121.4944, 2.4, "America/Los_Angeles"),
    ("Pittsburgh", "PA", 40.4406, -79.9959, 2.4, "America/New_York"),
    ("Austin", "TX", 30.2672, -97.7431, 2.3, "America/Chicago"),
    ("Las Vegas", "NV", 36.1699, -115.1398, 2.3, "America/Los_Angeles"),
    ("Cincinnati", "OH", 39.1031, -84.5120, 2.3, "America/New_York"),
    ("Kansas City", "MO", 39.0997, -94.5786, 2.2, "America/Chicago"),
    ("Columbus", "OH", 39.9612, -82.9988, 2.1, "America/New_York"),
    ("Indianapolis", "IN", 39.7684, -86.1581, 2.1, "America/Indiana/Indianapolis"),
    ("Cleveland", "OH", 41.4993, -81.6944, 2.1, "America/New_York"),
    ("San Jose", "CA", 37.3382, -121.8863, 2.0, "America/Los_Angeles"),
    ("Nashville", "TN", 36.1627, -86.7816, 2.0, "America/Chicago"),
    ("Virginia Beach", "VA", 36.8529, -75.9780, 1.8, "America/New_York"),
    ("Providence", "RI", 41.8240, -71.4128, 1.7, "America/New_York"),
    ("Jacksonville", "FL", 30.3322, -81.6557, 1.6, "America/New_York"),
    ("Milwaukee", "WI", 43.0389, -87.9065, 1.6, "America/Chicago"),
    ("Raleigh", "NC", 35.7796, -78.6382, 1.4, "America/New_York"),
    ("Oklahoma City", "OK", 35.4676, -97.5164, 1.4, "America/Chicago"),
    ("Memphis", "TN", 35.1495, -90.0490, 1.3, "America/Chicago"),
    ("Richmond", "VA", 37.5407, -77.4360, 1.3, "America/New_York"),
    ("Louisville", "KY", 38.2527, -85.7585, 1.3, "America/Kentucky/Louisville"),
    ("New Orleans", "LA", 29.9511, -90.0715, 1.3, "America/Chicago"),
    ("Salt Lake City", "UT", 40.7608, -111.8910, 1.3, "America/Denver"),
    ("Hartford", "CT", 41.7658, -72.6734, 1.2, "America/New_York"),
    ("Buffalo", "NY", 42.8864, -78.8784, 1.2, "America/New_York"),
    ("Birmingham", "AL", 33.5186, -86.8104, 1.1, "America/Chicago"),
    ("Rochester", "NY", 43.1566, -77.6088, 1.1, "America/New_York"),
    ("Grand Rapids", "MI", 42.9634, -85.6681, 1.1, "America/Detroit"),
    ("Tucson", "AZ", 32.2226, -110.9747, 1.0, "America/Phoenix"),
    ("Tulsa", "OK", 36.1540, -95.9928, 1.0, "America/Chicago"),
    ("Omaha", "NE", 41.2565, -95.9345, 1.0, "America/Chicago"),
    ("Albuquerque", "NM", 35.0844, -106.6504, 0.9, "America/Denver"),
    ("Honolulu", "HI", 21.3069, -157.8583, 1.0, "Pacific/Honolulu"),
    ("Anchorage", "AK", 61.2181, -149.9003, 0.4, "America/Anchorage"),
)
_CUM = list(itertools.accumulate(m[4] for m in METROS))

NEUTRAL = (
    "A peer-led group that meets to share experiences and support one another.",
    "Newcomers are welcome; there is no need to register in advance.",
    "Meetings open with a short check-in and close with a moment of reflection.",
    "Family members, friends and caregivers are invited on the first meeting of the month.",
    "The group follows a simple format: introductions, a topic, then open sharing.",
    "Coffee and tea are provided, and the room is reached from the side entrance.",
    "Facilitators are trained volunteers with lived experience.",
    "Please arrive a few minutes early so the meeting can start on time.",
    "What is shared in the group stays in the group.",
    "Literature and lists of local resources are available at every meeting.",
    "Parking is free in the lot behind the building after five o'clock.",
    "The group is free of charge and open to anyone who wants to attend.",
    "Topics rotate weekly and include coping skills, wellness and hope.",
    "Participants may listen without speaking; sharing is always optional.",
    "This synthetic listing exists only to measure how fast search runs.",
    "Masks are welcome, and the windows stay open in warm weather.",
)
COMMON = (
    "Members support each other in recovery, one day at a time.",
    "We talk about recovery, staying well and building a support network.",
    "Anyone working on their recovery is welcome to join us.",
)
RARE = "Part of each meeting covers hoarding and clutter, for members who want help."
BIPOLAR = "Many members live with depression or bipolar disorder."
STREETS = ("Maple", "Oak", "Cedar", "Elm", "Pine", "Lake", "Hill", "Park", "Main", "Church")
SUFFIXES = ("St", "Ave", "Rd", "Blvd", "Ln")
POPS = tuple(vocab.POPULATIONS)
TOPICS = tuple(vocab.TOPICS)


def _zone_for_lon(lon: float) -> str:
    """Return a plausible continental-US zone for a longitude (good enough for synthetic rows)."""
    if lon < -114.5:
        return "America/Los_Angeles"
    if lon < -102.0:
        return "America/Denver"
    if lon < -86.5:
        return "America/Chicago"
    return "America/New_York"


def _description(rng: random.Random) -> str:
    """Return a ~300-character description; COMMON_WORD in ~40%, RARE_WORD in ~0.35%."""
    parts = []
    if rng.random() < 0.40:
        parts.append(rng.choice(COMMON))
    if rng.random() < 0.0035:
        parts.append(RARE)
    if rng.random() < 0.034:
        parts.append(BIPOLAR)
    while sum(len(p) + 1 for p in parts) < 280:
        parts.append(rng.choice(NEUTRAL))
    rng.shuffle(parts)
    return " ".join(parts)


def _schedule(rng: random.Random, zone: str) -> Schedule:
    """Return a weekly (70%) or monthly nth-weekday (30%) schedule in `zone`."""
    minutes = rng.randrange(12, 44) * 30  # 06:00 … 21:30
    start = f"{minutes // 60:02d}:{minutes % 60:02d}"
    stop = minutes + rng.choice((60, 90))
    end = f"{stop // 60 % 24:02d}:{stop % 60:02d}"
    day = rng.randrange(7)
    name = vocab.DAY_NAMES[day]
    if rng.random() < 0.70:
        days = (day,) if rng.random() < 0.9 else tuple(sorted({day, (day + 3) % 7}))
        text = " and ".join(vocab.DAY_NAMES[d] + "s" for d in days) + f" {start}–{end}"
        return Schedule("weekly", days, start=start, end=end, timezone=zone, text=text)
    nths = rng.choice(((1,), (2,), (3,), (-1,), (1, 3), (2, 4)))
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
    text = " and ".join(words[n] for n in nths) + f" {name} of the month {start}–{end}"
    return Schedule(
        "monthly_nth",
        (day,),
        nths=nths,
        start=start,
        end=end,
        timezone=zone,
        text=text.capitalize(),
    )


_BASE = date(2026, 11, 20)
_DATES = [(_BASE - timedelta(days=d)).isoformat() for d in range(500)]


def _age(rng: random.Random) -> int:
    """Return days since last confirmed: mostly within a month, 10% 100-500 days (stale)."""
    return rng.randrange(0, 31) if rng.random() < 0.9 else rng.randrange(100, 500)


def make_group(i: int, rng: random.Random, source: str) -> Group:
    """Return synthetic listing number i of `source`, drawing every choice from `rng`."""
    r = rng.random()
    fmt = vocab.IN_PERSON if r < 0.60 else vocab.ONLINE if r < 0.85 else vocab.HYBRID
    metro = METROS[rng.choices(range(len(METROS)), cum_weights=_CUM)[0]]
    m_name, m_state, m_lat, m_lon, m_pop, zone = metro
    lat = lon = None
    precision = "none"
    city, region = m_name, m_state
    venue = address = postal = ""
    if fmt != vocab.ONLINE:
        if rng.random() < 0.85:
            sigma = 12 + 4 * math.sqrt(m_pop)
            lat = m_lat + rng.gauss(0, sigma) / 69.0
            lon = m_lon + rng.gauss(0, sigma) / (69.0 * math.cos(math.radians(lat)))
        else:
            lat, lon = rng.uniform(25.0, 49.0), rng.uniform(-124.5, -67.0)
            zone = _zone_for_lon(lon)
            city, region = f"Synthetic town {rng.randrange(5000)}", ""
        lat, lon = round(lat, 6), round(lon, 6)
        precision = rng.choices(("exact", "postal", "city"), (70, 20, 10))[0]
        venue = f"Synthetic community hall {rng.randrange(100000)}"
        address = f"{rng.randrange(1, 9999)} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
        postal = f"{rng.randrange(1000, 99999):05d}"
    k = rng.choices((0, 1, 2, 3), (30, 45, 20, 5))[0]
    pops = tuple(sorted(rng.sample(POPS, k)))
    topics = tuple(sorted(rng.sample(TOPICS, rng.choices((1, 2, 3), (50, 35, 15))[0])))
    lang = rng.random()
    langs = ("en",) if lang < 0.90 else ("es",) if lang < 0.98 else ("en", "es")
    status = rng.choices((vocab.ACTIVE, vocab.TEMPORARILY_CLOSED, vocab.REMOVED), (97, 2, 1))[0]
    age = _age(rng)
    online = fmt != vocab.IN_PERSON
    return Group(
        source=source,
        source_key=str(i),
        name=f"Synthetic group {i}",
        source_url=f"https://example.org/synthetic/{source}/{i}",
        organization=f"Synthetic org {i % 4999}",
        description=_description(rng),
        populations=pops,
        topics=topics,
        languages=langs,
        accessibility=("wheelchair",) if rng.random() < 0.2 and not online else (),
        cost="Free" if rng.random() < 0.8 else "",
        format=fmt,
        venue=venue,
        address=address,
        city=city,
        region=region,
        postal_code=postal,
        country="US",
        latitude=lat,
        longitude=lon,
        geo_precision=precision,
        join_url=f"https://example.org/join/{i}" if online else "",
        join_notes="Link sent on request." if online and rng.random() < 0.3 else "",
        schedule=_schedule(rng, zone),
        phone=f"(555) 010-{rng.randrange(10000):04d}",
        email="info@example.org" if rng.random() < 0.3 else "",
        website=f"https://example.org/synthetic/{i % 4999}",
        status=status,
        first_seen=_DATES[min(499, age + rng.randrange(0, 200))],
        last_seen=_DATES[age],
        source_updated=_DATES[age],
    )


def records(
    n: int, *, seed: int = SEED, prefix: str = "synthetic", per_source: int = PER_SOURCE
) -> Iterator[Group]:
    """Yield n synthetic listings, deterministically: the first 10k of 100k are the 10k set."""
    rng = random.Random(seed)
    for i in range(n):
        yield make_group(i, rng, f"{prefix}-{i // per_source:02d}")


def path_for(label: str) -> Path:
    """Return the cache path of the catalog of a given size label ('10k', '100k', '1M')."""
    return OUT / f"catalog-{label}.db"


def build(label: str, *, force: bool = False) -> Path:
    """Return the cached catalog of `label` listings, building it through peerfind if missing."""
    path = path_for(label)
    if path.exists() and not force:
        return path
    n = SIZES[label]
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    conn = catalog.connect(tmp, create=True)
    batch: list[Group] = []
    source = None
    written = 0
    for group in itertools.chain(records(n), [None]):
        if group is None or (source is not None and group.source != source):
            result = catalog.refresh_source(conn, source, batch, force=True)  # type: ignore[arg-type]
            written += result.added
            print(
                f"  {label}: {written:,} listings ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
            )
            batch = []
        if group is not None:
            source = group.source
            batch.append(group)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.replace(path)
    size = path.stat().st_size / 1e6
    print(f"built {path} ({n:,} listings, {size:.0f} MB) in {time.perf_counter() - started:.1f} s")
    return path


def main(argv: list[str]) -> None:
    """Build the requested (default: all) synthetic catalogs."""
    force = "--force" in argv
    labels = [a for a in argv if a in SIZES] or list(SIZES)
    for label in labels:
        path = build(label, force=force)
        print(f"{label}: {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
