"""Fast conversions between Groups and their catalog / JSON forms, with the models' results.

Group.from_dict and Group.to_dict go through dataclasses machinery (field lookups, deep copies)
that costs tens of microseconds a row; search and export convert thousands of rows, so these
produce exactly the same values with per-query column plans and memoised schedules. Imported by
catalog (which re-exports them); standard library and peerfind.models only.
"""

from __future__ import annotations

import functools
import json
import operator
import re
import sqlite3
from dataclasses import fields

from peerfind import vocab
from peerfind.catalog import schema as catalog_schema
from peerfind.models import LIST_FIELDS, URL_FIELDS, Group, Schedule

_GROUP_FIELDS = tuple(f.name for f in fields(Group))
_SCHEDULE_FIELDS = tuple(f.name for f in fields(Schedule))


def schedule_dict(sched: Schedule) -> dict[str, object]:
    """Return sched.to_dict(), without the deep copies of dataclasses.asdict (same result)."""
    try:
        cached = _schedule_dict(sched)
    except TypeError:  # unhashable (lists instead of tuples): not memoised
        return _schedule_dict.__wrapped__(sched)
    return {k: (list(v) if type(v) is list else v) for k, v in cached.items()}  # a fresh copy


@functools.lru_cache(maxsize=4_096)
def _schedule_dict(sched: Schedule) -> dict[str, object]:
    """Return sched.to_dict() (memoised; callers get copies)."""
    out: dict[str, object] = {}
    for name in _SCHEDULE_FIELDS:
        value = getattr(sched, name)
        if value is None or value == () or value == "" or (name == "interval" and value == 1):
            continue
        if type(value) is tuple and set(map(type, value)) <= _SCALAR_TYPES:
            value = list(value)
        elif type(value) not in _SCALAR_TYPES:
            return sched.to_dict()  # something unusual: let the model do it
        out[name] = value
    return out


_GET_ALL = operator.attrgetter(*_GROUP_FIELDS)
_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))


def group_dict(group: Group) -> dict[str, object]:
    """Return group.to_dict() several times faster (no dataclasses.asdict deep copies)."""
    values = _GET_ALL(group)
    data: dict[str, object] = {"id": group.id}
    data.update(zip(_GROUP_FIELDS, values, strict=True))
    for name in LIST_FIELDS:
        tags = data[name]
        if type(tags) is not tuple or not {type(v) for v in tags} <= _SCALAR_TYPES:
            return group.to_dict()
        data[name] = list(tags)
    data["schedule"] = schedule_dict(group.schedule)
    others = {type(v) for v in values} - {tuple, Schedule}
    if not others <= _SCALAR_TYPES:
        return group.to_dict()
    return data


def row_group(row: sqlite3.Row | dict[str, object]) -> Group:
    """Return the Group stored in a catalog row (what Group.from_dict(dict(row)) returns).

    Done here with a per-query plan of the columns and memoised schedule parsing: search and
    export turn many rows into Groups, and from_dict looks up every field name each time.
    """
    if isinstance(row, sqlite3.Row):
        keys, values = tuple(row.keys()), tuple(row)
    else:
        keys, values = tuple(row), tuple(row.values())
    plan = _PLANS.get(keys)
    if plan is None:
        plan = _PLANS[keys] = _plan(keys)
    fields_: dict[str, object] = {}
    for i, key, kind in plan:
        value = values[i]
        if kind == _TAGS:
            value = _tags_of(value) if isinstance(value, str) else tuple(value or ())
        elif kind == _SCHEDULE:
            value = _schedule_of(value) if isinstance(value, str) else Schedule.from_dict(value)
        elif value is None and kind == _TEXT:
            value = ""
        fields_[key] = value
    if len(fields_) == len(_GROUP_FIELDS):  # every field given: what __init__ would store
        group = object.__new__(Group)
        group.__dict__.update(fields_)  # frozen: __init__ sets each through object.__setattr__
    else:
        group = Group(**fields_)  # type: ignore[arg-type]
    return group if _looks_clean(group) else group.cleaned()


_LINKS = operator.attrgetter(*URL_FIELDS)
_LISTS = operator.attrgetter(*LIST_FIELDS)
_TEXTS = operator.attrgetter(
    *(
        f
        for f in _GROUP_FIELDS
        if f not in URL_FIELDS
        and f not in LIST_FIELDS
        and f not in ("schedule", "latitude", "longitude")
    )
)
_SAFE_LINK = ("http://", "https://", "tel:", "mailto:")


def _looks_clean(group: Group) -> bool:
    """Return True when a stored listing holds only printable text and safe links.

    Listings are cleaned when scraped, but a catalog may come from elsewhere (a tampered
    snapshot, another program): a row failing this quick check is cleaned again when read, so
    every renderer and exporter gets safe text and links.
    """
    sched = group.schedule
    try:
        text = " ".join(
            (*_TEXTS(group), *map(" ".join, _LISTS(group)), sched.text, sched.timezone or "")
        )
    except TypeError:  # not text where text belongs
        return False
    if not text.isprintable() and not text.replace("\n", " ").isprintable():
        return False
    return all(not link or link.startswith(_SAFE_LINK) for link in _LINKS(group))


@functools.lru_cache(maxsize=4_096)
def _tags_of(stored: str) -> tuple[str, ...]:
    """Return the tags stored as '|a|b|' as a tuple (memoised: few distinct values)."""
    return tuple(vocab.decode_tags(stored))


_TEXT, _COORD, _TAGS, _SCHEDULE = 0, 1, 2, 3
_PLANS: dict[tuple[str, ...], list[tuple[int, str, int]]] = {}


def _plan(keys: tuple[str, ...]) -> list[tuple[int, str, int]]:
    """Return (position, field, kind) for the columns of a row that are Group fields."""
    plan, seen = [], set()
    for i, key in enumerate(keys):
        if key not in _GROUP_FIELDS or key in seen:  # dict(row) keeps a name's first column
            continue
        seen.add(key)
        kind = (
            _TAGS
            if key in LIST_FIELDS
            else _SCHEDULE
            if key == "schedule"
            else _COORD
            if key in ("latitude", "longitude")
            else _TEXT
        )
        plan.append((i, key, kind))
    return plan


@functools.lru_cache(maxsize=4_096)
def _schedule_of(text: str) -> Schedule:
    """Return the Schedule stored as JSON text (immutable, so one object serves every row)."""
    return Schedule.from_dict(json.loads(text))


# --- encoding a Group into a catalog row (what upsert writes) ---

_ALNUM = re.compile(r"[^\W_]+")  # runs of letters and digits (what str.isalnum() accepts)
CELL = 0.25  # degrees per grid cell side
LON_CELLS = int(360 / CELL)

COLUMNS = tuple(catalog_schema.GROUP_COLUMNS)  # the listings table's columns, in order
# Columns compared to tell an updated listing from an unchanged one (not the seen-dates).
CONTENT_COLUMNS = tuple(c for c in COLUMNS if c not in ("id", "first_seen", "last_seen"))


def cell_of(lat: float | None, lon: float | None) -> int | None:
    """Return the grid cell number of a point (None without coordinates)."""
    if lat is None or lon is None:
        return None
    row = int((lat + 90.0) / CELL)
    col = int((lon + 180.0) / CELL) % LON_CELLS
    return row * LON_CELLS + col


def dedup_key(group: Group) -> str:
    """Return the key under which one real meeting published by several sources collides."""
    words = "".join(_ALNUM.findall(group.name.lower()))  # the characters that are isalnum()
    days = "".join(str(d) for d in group.schedule.days)
    return f"{words}|{days}|{group.schedule.start or ''}"


_GROUP_FIELDS = tuple(f.name for f in fields(Group))
_LIST_COLUMNS = ("populations", "topics", "languages", "accessibility", "source_types")
_SCHEDULE_COLUMNS = ("schedule", "schedule_text", "days", "start_time", "timezone")
_DIRECT = tuple(c for c in COLUMNS if c in _GROUP_FIELDS and c not in ("schedule", *_LIST_COLUMNS))
_GET_DIRECT = operator.attrgetter(*_DIRECT)
_GET_TAGS = operator.attrgetter(*_LIST_COLUMNS)
_GET_SCHEDULE = operator.attrgetter(*(f.name for f in fields(Schedule)))  # the memo's key
# row_values joins these parts into one tuple, then puts it in COLUMNS order with one itemgetter.
_PARTS = (*_DIRECT, *_LIST_COLUMNS, *_SCHEDULE_COLUMNS, "id", "cell", "dedup_key")
assert sorted(_PARTS) == sorted(COLUMNS), "row_values must produce every column once"
_IN_ORDER = operator.itemgetter(*(_PARTS.index(c) for c in COLUMNS))
_SCHEDULE_JSON = json.JSONEncoder(sort_keys=True).encode  # = json.dumps(..., sort_keys=True)
_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())  # ASCII bytes dedup drops


class _Encoded(dict):
    """Map tag lists to their catalog text ('|a|b|'), computing each on first use."""

    def __missing__(self, tags: tuple[str, ...]) -> str:
        text = self[tags] = vocab.encode_tags(tags) if tags else ""
        return text


class RowMemo:
    """Columns already computed for schedules and tag lists (many listings share them)."""

    __slots__ = ("schedules", "tags")

    def __init__(self) -> None:
        self.schedules: dict[tuple[object, ...], tuple[tuple[object, ...], str]] = {}
        self.tags: dict[tuple[str, ...], str] = _Encoded()


def group_row(group: Group) -> dict[str, object]:
    """Return the catalog row for a Group."""
    return dict(zip(COLUMNS, row_values(group), strict=True))


def row_values(
    group: Group, memo: RowMemo | None = None, ident: str | None = None
) -> tuple[object, ...]:
    """Return the catalog row for a Group as a tuple in COLUMNS order (what upsert writes).

    `memo` keeps the columns of schedules and tag lists already seen; `ident` is group.id when
    the caller has computed it already.
    """
    if memo is None:
        memo = RowMemo()
    sched = group.schedule
    try:
        tags = tuple(map(memo.tags.__getitem__, _GET_TAGS(group)))
        key = _GET_SCHEDULE(sched)
        found = memo.schedules.get(key)
        if found is None:
            found = memo.schedules[key] = _schedule_columns(sched)
    except TypeError:  # unhashable values (lists instead of tuples): not memoised
        tags = tuple(vocab.encode_tags(t) if t else "" for t in _GET_TAGS(group))
        found = _schedule_columns(sched)
    columns, day_start = found
    cell = cell_of(group.latitude, group.longitude) if group.geo_precision != "none" else None
    name = group.name.lower()
    if name.isascii():
        words = name.encode().translate(None, _NOT_ALNUM).decode()
    else:
        words = "".join(_ALNUM.findall(name))  # as dedup_key() does
    extra = (ident or group.id, cell, words + day_start)
    return _IN_ORDER(_GET_DIRECT(group) + tags + columns + extra)


def _schedule_columns(sched: Schedule) -> tuple[tuple[object, ...], str]:
    """Return the schedule's columns (JSON, text, days tags, start, zone) and the dedup key's
    end ('|' day digits '|' start)."""
    days = vocab.encode_tags([str(d) for d in sched.days])
    digits = "".join(str(d) for d in sched.days)
    text = _SCHEDULE_JSON(schedule_dict(sched))
    return (text, sched.text, days, sched.start, sched.timezone), f"|{digits}|{sched.start or ''}"
