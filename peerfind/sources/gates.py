"""Quality gates a refreshed catalog passes before it is published, and its coverage report.

With dozens of live sources some are always down: a failed or suspicious source keeps its
previous listings (the runner sees to that) and is named in the run report. Publishing stops
only when
- more than `max_failed` of the sources run failed,
- the catalog lost more than `max_loss` of its listings against the last published one,
- a source was gutted: under half its published listings, or most of its addresses,
  coordinates or schedules gone (peerfind.catalog.gutting's field test), or
- the integrity check (peerfind.catalog.doctor) finds a problem.
Pure reading: nothing here writes a catalog.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerfind import vocab
from peerfind.catalog import gutting

MAX_FAILED = 0.25  # share of the sources run that may fail before publishing stops
MAX_LOSS = 0.10  # share of the published listings the catalog may lose
GUTTED_RATIO = 0.5  # a source with fewer than this share of its published listings is gutted


@dataclass
class SourceOutcome:
    """One source's run in this refresh, as recorded in the catalog's run history."""

    name: str
    status: str  # ok | partial | failed | suspicious
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    message: str = ""


@dataclass
class Verdict:
    """What the gates decided: `failures` stop publishing; `named` sources kept old listings."""

    failures: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)
    before: int = 0
    after: int = 0

    @property
    def passed(self) -> bool:
        """Return True when nothing stops publishing."""
        return not self.failures


def runs_since(db: Path, last_id: int) -> list[SourceOutcome]:
    """Return the runs recorded in `db` after run id `last_id` (the last run of each source)."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT source, status, added, updated, unchanged, removed, error FROM runs "
            "WHERE id > ? ORDER BY id",
            (last_id,),
        ).fetchall()
    finally:
        conn.close()
    latest = {r[0]: _outcome(r) for r in rows}
    return sorted(latest.values(), key=lambda o: o.name)


def _outcome(row: tuple[Any, ...]) -> SourceOutcome:
    """Return the SourceOutcome of one runs row (source, status, four counts, error)."""
    added, updated, unchanged, removed = (int(v or 0) for v in row[2:6])
    return SourceOutcome(row[0], row[1] or "", added, updated, unchanged, removed, row[6] or "")


def last_run_id(db: Path) -> int:
    """Return the id of the newest run recorded in `db` (0 when none)."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM runs").fetchone()[0])
    finally:
        conn.close()


def _profile(db: Path | None) -> dict[str, tuple[int, dict[str, float]]]:
    """Return {source: (active listings, field shares)} of a catalog ({} without one)."""
    if db is None or not db.exists():
        return {}
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        sources = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT source FROM groups WHERE status != ?", (vocab.REMOVED,)
            )
        ]
        return {s: gutting.field_shares(conn, s) for s in sources}
    finally:
        conn.close()


def gutted(
    before: dict[str, tuple[int, dict[str, float]]], after: dict[str, tuple[int, dict[str, float]]]
) -> list[str]:
    """Return one line per source whose listings or fields were gutted since `before`."""
    lines = []
    for source, (count, shares) in sorted(before.items()):
        now, now_shares = after.get(source, (0, {}))
        if count and now < count * GUTTED_RATIO:
            lines.append(f"{source}: {now} listings, {count} published")
            continue
        lost = [
            f"{label} {now_shares.get(label, 0.0):.0%} (was {share:.0%})"
            for label, share in shares.items()
            if share >= gutting.FIELD_FLOOR
            and now_shares.get(label, 0.0) < share * gutting.FIELD_RATIO
        ]
        if lost:
            lines.append(f"{source}: listings with {', '.join(lost)}")
    return lines


def evaluate(
    previous: Path | None,
    current: Path,
    runs: list[SourceOutcome],
    *,
    max_failed: float = MAX_FAILED,
    max_loss: float = MAX_LOSS,
) -> Verdict:
    """Run every gate on the refreshed catalog `current` against the published `previous`."""
    from peerfind.catalog.doctor import check_catalog

    verdict = Verdict()
    health = check_catalog(current)
    if not health.healthy:
        verdict.failures.append(
            "integrity check failed: "
            + "; ".join(f"{c.name}: {c.detail}" for c in health.checks if not c.ok)
        )
        return verdict
    failed = [r for r in runs if r.status == "failed"]
    for r in runs:
        if r.status in ("failed", "suspicious"):
            verdict.named.append(f"{r.name} ({r.status}: {r.message or 'no detail'})")
    if runs and len(failed) / len(runs) > max_failed:
        verdict.failures.append(
            f"{len(failed)} of {len(runs)} sources failed ({len(failed) / len(runs):.0%}), "
            f"more than the {max_failed:.0%} allowed: {', '.join(r.name for r in failed)}"
        )
    before, after = _profile(previous), _profile(current)
    verdict.before = sum(n for n, _ in before.values())
    verdict.after = sum(n for n, _ in after.values())
    if verdict.before and verdict.after < verdict.before * (1 - max_loss):
        verdict.failures.append(
            f"the catalog lost {verdict.before - verdict.after} of {verdict.before} listings "
            f"({1 - verdict.after / verdict.before:.0%}), more than the {max_loss:.0%} allowed"
        )
    for line in gutted(before, after):
        verdict.failures.append(f"source gutted: {line}")
    return verdict


def coverage(db: Path | None) -> dict[str, Counter[str]]:
    """Return active listings counted by state, organization (the program) and format."""
    out: dict[str, Counter[str]] = {
        "state": Counter(),
        "organization": Counter(),
        "format": Counter(),
    }
    if db is None or not db.exists():
        return out
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for region, country, org, fmt in conn.execute(
            "SELECT region, country, organization, format FROM groups WHERE status != ?",
            (vocab.REMOVED,),
        ):
            place = "-".join(p for p in (country, region) if p)
            state = place if region else f"{place or 'no country'}, no state"
            out["state"][state] += 1
            out["organization"][org or "(none)"] += 1
            out["format"][fmt or "(none)"] += 1
    finally:
        conn.close()
    return out


def coverage_report(previous: Path | None, current: Path) -> dict[str, Any]:
    """Return the coverage of `current` against `previous`: {dimension: [[key, was, now]]}."""
    was, now = coverage(previous), coverage(current)
    return {
        dim: [
            [key, was[dim].get(key, 0), now[dim].get(key, 0)]
            for key in sorted(set(was[dim]) | set(now[dim]))
        ]
        for dim in now
    }


def coverage_markdown(report: dict[str, Any]) -> str:
    """Return the coverage report as Markdown tables (one per dimension)."""
    parts = ["# Coverage: listings against the last published catalog\n"]
    for dim, rows in report.items():
        parts.append(f"\n## By {dim}\n\n| {dim} | published | now | change |\n|---|---:|---:|---:|")
        for key, was, now in rows:
            safe = " ".join(str(key).replace("|", "/").split())[:200]  # one table cell
            parts.append(f"| {safe} | {was} | {now} | {now - was:+d} |")
    return "\n".join(parts) + "\n"
