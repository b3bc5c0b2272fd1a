"""Tell listings that are not support groups from those that are, with the reason.

A feed also lists meetings that no longer meet (`attendance_option: inactive`), records left by
a site's editors for testing ("Testing meeting Types"), and the business meetings of a group or
district (Meeting Guide type `BUS`, "Monthly Business Meeting District 19"). None of them is a
group a person can go to for support; the bundle and scrape reports count each with its reason.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from peerfind import vocab
from peerfind.models import Group

INACTIVE = "inactive meeting"
TEST = "test record"
BUSINESS = "business or service meeting"

# "Testing meeting Types", "25035 Test meeting", "TEST - do not use": a test word first.
_TEST = re.compile(r"^\W*(?:\d+\s+)?(?:test|testing|dummy|sample)\b(?!\s+(?:of|for)\b)", re.I)
_BUSINESS = re.compile(
    r"\bbusiness\s+meeting\b|\bdistrict\s+\d+\s+(?:business|service|committee)\b"
    r"|\b(?:intergroup|area|district)\s+(?:assembly|committee)\b",
    re.I,
)
_BUSINESS_TYPES = frozenset({"BUS"})


def not_a_group(group: Group, keep_closed: bool = False) -> str | None:
    """Return why a listing is not a support group to list, or None when it is one.

    With `keep_closed`, a temporarily closed meeting is kept (a scrape stores it as closed,
    so `--include-closed` still finds it); the bundle leaves it out.
    """
    closed = () if keep_closed else (vocab.TEMPORARILY_CLOSED,)
    if group.status in (vocab.INACTIVE, *closed):
        return INACTIVE
    if _TEST.search(group.name):
        return TEST
    if _BUSINESS.search(group.name) or _BUSINESS_TYPES.intersection(group.source_types):
        return BUSINESS
    return None


def screen(
    groups: Iterable[Group], skipped: Counter[str], keep_closed: bool = False
) -> list[Group]:
    """Return the listings that are support groups; count the others in `skipped` by reason."""
    kept = []
    for group in groups:
        reason = not_a_group(group, keep_closed)
        if reason is None:
            kept.append(group)
        else:
            skipped[reason] += 1
    return kept
