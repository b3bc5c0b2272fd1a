"""How many listings match in all, for "Showing 20 of 102" under a full result table.

Called only when a search filled its --limit. Exact (every match built, checked against the time
filters and merged across sources) up to EXACT_MAX candidates; beyond that, the count of
candidates the filters match, said to be approximate. Standard library and peerfind only.
"""

from __future__ import annotations

import sqlite3

from peerfind import search as s
from peerfind import vocab
from peerfind.search_text import TextMatch

EXACT_MAX = 400


def total(conn: sqlite3.Connection, q: s.Query) -> tuple[int, bool]:
    """Return (how many listings match the query, whether that count is exact)."""
    if conn.in_transaction:
        return _total(conn, q)
    conn.execute("BEGIN")
    try:
        return _total(conn, q)
    finally:
        conn.rollback()


def _total(conn: sqlite3.Connection, q: s.Query) -> tuple[int, bool]:
    """Count inside the caller's read transaction."""
    text = TextMatch(conn, q.text) if q.text else None
    results: list[s.Result] = []
    approx = 0
    exact = True
    place_fmts = s.place_formats(q)
    if q.lat is not None and q.lon is not None and place_fmts:
        where, args = s._filters(q, place_based=True)
        hits = s._near(conn, q, q.radius_mi, place_fmts, where, args, text)
        if len(hits) > EXACT_MAX:
            exact, approx = False, len(hits)
        else:
            found, _ = s._collect(conn, q, hits, len(hits) + 1, text)
            results += found
    remote = s.remote_formats(q)
    if remote or q.lat is None:
        from peerfind.search_remote import remote_results

        fmts = remote or list(vocab.FORMATS)
        probe = s.Query(**{k: getattr(q, k) for k in _FIELDS})
        probe.limit = EXACT_MAX
        found, capped = remote_results(conn, probe, fmts, EXACT_MAX, text)
        results += found
        if capped or len(found) >= EXACT_MAX:
            exact = False
    if not exact:
        return max(approx, 0) + len(s._dedup(results)), False
    return len(s._dedup(results)), True


_FIELDS = tuple(
    f for f in s.Query.__dataclass_fields__ if s.Query.__dataclass_fields__[f].init
)
