"""Turn a result dict (Group.to_dict() plus search extras) back into a Group with its Schedule."""

from __future__ import annotations

from typing import Any

from peerfind.models import Group, Schedule


def schedule_of(row: dict[str, Any]) -> Schedule:
    """Return the Schedule of a result dict (`schedule` dict, or `schedule_detail` when the
    search result put the published text in `schedule`)."""
    for key in ("schedule", "schedule_detail"):
        value = row.get(key)
        if isinstance(value, dict):
            return Schedule.from_dict(value)
    text = row.get("schedule_text") or row.get("schedule") or ""
    return Schedule(text=str(text))


def group_of(row: dict[str, Any]) -> Group:
    """Return the Group a result dict was made from."""
    return Group.from_dict({**row, "schedule": schedule_of(row).to_dict()})
