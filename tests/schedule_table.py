"""The real-phrase table (tests/fixtures/schedule_phrases/phrases.tsv) and how a reading is scored.

A row whose expected reading states a rule is *read* when read_schedule returns that rule exactly
(kind, days, ordinals, times, zone, interval, anchor, until, and a note where one is expected),
*wrong* when it returns any other rule, and *unread* when it returns "unparsed". A row that states
no rule is wrong when any rule comes back. Used by tests/schedule/test_schedule_phrases.py and
bench/schedule_recall.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from peerfind.models import Schedule
from peerfind.schedule.phrases import read_schedule

TABLE = Path(__file__).parent / "fixtures" / "schedule_phrases" / "phrases.tsv"
_KINDS = {"weekly": "weekly", "nth": "monthly_nth", "date": "monthly_date"}


@dataclass(frozen=True)
class Row:
    """One phrase with where it comes from and its expected reading."""

    set: str
    kind: str
    url: str
    phrase: str
    expected: dict[str, str]

    @property
    def states_rule(self) -> bool:
        """Return True when the phrase states a rule the reader should read."""
        return self.expected["kind"] != "unread"


def load(path: Path = TABLE) -> list[Row]:
    """Return the table's rows (comment lines and the header skipped)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(("#", "set\t")):
            continue
        part, kind, url, phrase, expected = line.split("\t")
        fields = dict(f.strip().split("=", 1) for f in expected.split(";") if f.strip())
        rows.append(Row(part, kind, url, phrase.replace("\\n", "\n"), fields))
    return rows


def _ints(text: str | None) -> tuple[int, ...]:
    """Return '1,3' as (1, 3); None or '' as ()."""
    return tuple(int(x) for x in text.split(",")) if text else ()


def verdict(row: Row, got: Schedule) -> str:
    """Return 'read', 'unread', 'wrong' or 'ok' (a phrase without a rule left unread)."""
    if not row.states_rule:
        return "ok" if got.kind == "unparsed" else "wrong"
    if got.kind == "unparsed":
        return "unread"
    e = row.expected
    same = (
        got.kind == _KINDS[e["kind"]]
        and got.days == _ints(e.get("days"))
        and got.nths == _ints(e.get("nths"))
        and got.start == e.get("start")
        and got.end == e.get("end")
        and got.timezone == e.get("tz")
        and got.interval == int(e.get("interval", "1"))
        and got.anchor == e.get("anchor")
        and got.until == e.get("until")
        and (e.get("note") != "1" or bool(getattr(got, "note", "")))
    )
    return "read" if same else "wrong"


def score(rows: list[Row]) -> dict[str, dict[str, int]]:
    """Return counts per kind of organization (and 'all'): rules, read, unread, wrong."""
    out: dict[str, dict[str, int]] = defaultdict(
        lambda: {"rules": 0, "read": 0, "unread": 0, "wrong": 0}
    )
    for row in rows:
        v = verdict(row, read_schedule(row.phrase))
        for key in (row.kind, "all"):
            out[key]["rules"] += row.states_rule
            if v in ("read", "unread", "wrong"):
                out[key][v] += 1
    return dict(out)


def report(rows: list[Row], title: str) -> str:
    """Return a small text table of recall and wrong readings by kind of organization."""
    counts = score(rows)
    lines = [title, f"{'kind':<14}{'rules':>6}{'read':>6}{'recall':>8}{'wrong':>7}"]
    for kind in sorted(counts, key=lambda k: (k == "all", k)):
        c = counts[kind]
        recall = f"{100 * c['read'] / c['rules']:.0f}%" if c["rules"] else "-"
        lines.append(f"{kind:<14}{c['rules']:>6}{c['read']:>6}{recall:>8}{c['wrong']:>7}")
    return "\n".join(lines)
