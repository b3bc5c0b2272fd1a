"""Where `peerfind update` looks for published catalogs: the channel, named in one place.

A channel is the address of a folder holding `manifest.json` and the snapshot it names (written
by `peerfind publish`, hosted on GitHub Releases or any static host: docs/publishing.md). The
project has no published channel of its own yet, so CHANNEL is empty and `update` without
`--from` or PEERFIND_CHANNEL says how to name one; it never guesses a host. A build that ships
with a channel sets CHANNEL here and nowhere else.

This module imports nothing heavy: search reads it to word its old-catalog note.
"""

from __future__ import annotations

import os

CHANNEL = ""  # e.g. "https://github.com/OWNER/REPO/releases/latest/download/" once one exists
CHANNEL_ENV = "PEERFIND_CHANNEL"
LEGACY_ENV = "PEERFIND_UPDATE_URL"  # the older name of CHANNEL_ENV, still honoured


def configured(from_url: str | None = None) -> str:
    """Return the channel: --from, else PEERFIND_CHANNEL (or PEERFIND_UPDATE_URL), else CHANNEL.

    Returns "" when none is set.
    """
    return (
        from_url or os.environ.get(CHANNEL_ENV) or os.environ.get(LEGACY_ENV) or CHANNEL
    ).strip()


def how_to_set() -> str:
    """Return the sentence telling a user how to name a channel."""
    return (
        f"no update channel configured (this peerfind ships without one): pass --from URL "
        f"(the folder holding manifest.json) or set {CHANNEL_ENV}=URL; "
        "see docs/publishing.md."
    )
