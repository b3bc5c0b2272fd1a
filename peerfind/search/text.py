"""Free text in a search: the FTS5 query for what the user typed, and matching it cheaply.

How a word is checked depends on how many listings contain it (counted once, capped): a few
thousand are filtered inside the SQL query, up to TEXT_SET_LIMIT are read once into a set, and
a more common word is checked only for the candidates a place search actually reaches.
Standard library only: this is on the search start-up path.
"""

from __future__ import annotations

import re
import sqlite3

TEXT_CAP = 2_000  # free text without a place: the newest this many matching listings compete
TEXT_SCAN_CAP = 20_000  # ... found among at most this many newest full-text matches
TEXT_SQL_LIMIT = 5_000  # up to this many free-text matches: filtered inside the SQL query
TEXT_SET_LIMIT = 20_000  # up to this many: read once into a Python set; more: checked one by one


def fts_query(text: str) -> str:
    """Return an FTS5 query for user text: words and "phrases" ANDed, OR kept, nothing else."""
    parts: list[str] = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', text):
        if word.upper() == "OR" and parts and parts[-1] != "OR":
            parts.append("OR")
            continue
        token = phrase if phrase else word
        terms = re.findall(r"\w+", token)
        if not terms:
            continue
        prefix = "*" if word.endswith("*") and len(terms) == 1 else ""
        parts.append('"' + " ".join(terms) + '"' + prefix)
    while parts and parts[-1] == "OR":
        parts.pop()
    return " ".join(parts)


class TextMatch:
    """The free-text part of one query, checked whichever way is cheaper for this word.

    A word with up to TEXT_SET_LIMIT matches is read once into a set of rowids; a more common
    one is checked only for the candidates a place search reaches (an FTS5 seek per rowid), so
    "recovery" in 40% of a million listings costs no more than a rare word.
    """

    def __init__(self, conn: sqlite3.Connection, text: str) -> None:
        """Count the matches (up to just past the limits that depend on the count)."""
        self.conn = conn
        self.expr = fts_query(text)
        sql = "SELECT count(*) FROM (SELECT rowid FROM groups_fts WHERE groups_fts MATCH ? LIMIT ?)"
        limit = max(TEXT_SET_LIMIT, TEXT_SCAN_CAP) + 1
        self.count = conn.execute(sql, (self.expr, limit)).fetchone()[0]
        self._ids: set[int] | None = None
        self._seen: dict[int, bool] = {}

    @property
    def ids(self) -> set[int] | None:
        """Return the set of matching rowids (read on first use), or None when too many."""
        if self._ids is None and self.count <= TEXT_SET_LIMIT:
            sql = "SELECT rowid FROM groups_fts WHERE groups_fts MATCH ?"
            self._ids = {r[0] for r in self.conn.execute(sql, (self.expr,))}
        return self._ids

    def check(self, rowids: list[int]) -> set[int]:
        """Return which of these rowids match the text."""
        if self.ids is not None:
            return self.ids.intersection(rowids)
        todo = [r for r in rowids if r not in self._seen]
        for i in range(0, len(todo), 500):
            chunk = todo[i : i + 500]
            sql = (
                "SELECT rowid FROM groups_fts WHERE groups_fts MATCH ? "
                f"AND rowid IN ({','.join('?' * len(chunk))})"
            )
            found = {r[0] for r in self.conn.execute(sql, [self.expr, *chunk])}
            self._seen.update((r, r in found) for r in chunk)
        return {r for r in rowids if self._seen[r]}

    def condition(self) -> tuple[str, list[object]]:
        """Return an SQL condition on groups.rowid for this text, with its parameter."""
        return text_condition(self.expr)


def text_condition(expr: str) -> tuple[str, list[object]]:
    """Return an SQL condition on groups.rowid for an FTS5 query, with its parameter."""
    return "rowid IN (SELECT rowid FROM groups_fts WHERE groups_fts MATCH ?)", [expr]
