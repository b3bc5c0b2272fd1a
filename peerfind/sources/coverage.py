"""Describe what the bundled catalog covers, as the README's "What the catalog covers" tables.

    python -m peerfind.sources.coverage                # print the section's generated part
    python -m peerfind.sources.coverage --write README.md  # replace it between README's markers

The text is generated from the bundled catalog (as a fresh install gets it) and data/bundled.toml,
between `<!-- coverage:start -->` and `<!-- coverage:end -->`; tests/sources/test_coverage.py
fails when the README's copy differs from what this prints.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"
PLACED = "format IN ('in_person', 'hybrid') AND region != ''"
PROGRAMS = {"aa": "AA", "al-anon": "Al-Anon", "eda": "EDA", "recovery-dharma": "Recovery Dharma"}


def tables(conn: sqlite3.Connection, feeds: list[dict]) -> str:
    """Return the markdown of the coverage tables for the catalog behind `conn`."""
    info = {f["name"]: f for f in feeds}
    active = "status = 'active'"
    lines = ["| state | in-person and hybrid groups | programs | recorded |", "|---|--:|---|---|"]
    groups: dict[str, int] = defaultdict(int)
    programs: dict[str, set[str]] = defaultdict(set)
    dates: dict[str, set[str]] = defaultdict(set)
    rows = conn.execute(
        f"SELECT region, source, count(*) FROM groups WHERE {active} AND {PLACED}"
        " GROUP BY region, source"
    ).fetchall()
    for region, source, count in rows:
        groups[region] += count
        programs[region].add(_program(info.get(source, {})))
        dates[region].add(info.get(source, {}).get("recorded", "?"))
    for region, count in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0])):
        if count >= 10:
            lines.append(
                f"| {region} | {count:,} | {', '.join(sorted(programs[region]))} |"
                f" {', '.join(sorted(dates[region]))} |"
            )
    small = sorted(r for r, n in groups.items() if n < 10)
    online = conn.execute(
        f"SELECT count(*) FROM groups WHERE {active} AND format IN ('online', 'phone')"
    ).fetchone()[0]
    total = conn.execute(f"SELECT count(*) FROM groups WHERE {active}").fetchone()[0]
    lines += [
        "",
        f"Online and phone groups: {online:,}. A few groups in {len(small)} more"
        f" states or regions ({', '.join(small)}). All listings: {total:,} from"
        f" {len(feeds)} recorded feeds.",
        "",
        "| feed | program | area | listings | recorded | licence |",
        "|---|---|---|--:|---|---|",
    ]
    counts = dict(
        conn.execute(
            f"SELECT source, count(*) FROM groups WHERE {active} GROUP BY source"
        ).fetchall()
    )
    for feed in sorted(feeds, key=lambda f: -counts.get(f["name"], 0)):
        licence = feed.get("licence", "") + (" (facts only)" if feed.get("facts_only") else "")
        lines.append(
            f"| {feed['name']} | {_program(feed)} | {feed.get('area', '')} |"
            f" {counts.get(feed['name'], 0):,} | {feed['recorded']} | {licence} |"
        )
    return "\n".join(lines) + "\n"


def _program(feed: dict) -> str:
    """Return a feed's program as shown in the tables."""
    return PROGRAMS.get(feed.get("program", ""), feed.get("program", "") or "?")


def generate(db: Path | None = None) -> str:
    """Return the generated tables for `db`, or for the bundled catalog a fresh install gets."""
    from peerfind.sources import bundle

    feeds = bundle.bundled_feeds()
    with tempfile.TemporaryDirectory(prefix="peerfind-coverage-") as work:
        if db is None:
            db = Path(work) / "catalog.db"
            bundle.build_file(db)
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return tables(conn, feeds)
        finally:
            conn.close()


def replace_section(text: str, generated: str) -> str:
    """Return `text` with the part between the coverage markers replaced by `generated`."""
    head, sep, rest = text.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"the markers {START} and {END} are missing")
    return f"{head}{START}\n{generated}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Print the coverage tables, or write them into a README between the markers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="a README to update in place")
    parser.add_argument("--db", type=Path, help="a catalog (default: the bundled one)")
    args = parser.parse_args(argv)
    generated = generate(args.db)
    if args.write is None:
        sys.stdout.write(generated)
        return 0
    try:
        text = args.write.read_text(encoding="utf-8")
        args.write.write_text(replace_section(text, generated), encoding="utf-8")
    except (OSError, ValueError) as exc:
        print(f"peerfind.sources.coverage: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
