"""The `publish` and `update` commands: share a catalog snapshot, and refresh from one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peerfind.cli.common import db_path, handled, note


@handled
def publish_cmd(
    out_dir: Annotated[
        Path,
        typer.Argument(
            help="Folder to write the snapshot (catalog-<sha256>.db.gz) and manifest.json into."
        ),
    ],
) -> None:
    """Write a compact snapshot of the catalog plus a manifest, for `peerfind update`.

    Example: peerfind publish site/snapshot
    """
    from peerfind.catalog.publish import MANIFEST, publish

    manifest = publish(db_path(), out_dir)
    print(
        f"Published {manifest['total']} listings from {len(manifest['counts'])} sources "
        f"to {out_dir / manifest['snapshot']} ({manifest['size']} bytes, sha256 "
        f"{manifest['sha256'][:16]}…) and {out_dir / MANIFEST}."
    )


@handled
def update_cmd(
    from_url: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Where the snapshot is: the URL or folder holding manifest.json "
            "(default: the channel in PEERFIND_CHANNEL, else the one built in, if any).",
        ),
    ] = None,
    rollback: Annotated[
        bool, typer.Option("--rollback", help="Go back to the catalog replaced by the last update.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Say how old the catalog is and whether a newer one is published; "
            "downloads nothing but the manifest.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Install a snapshot even when it is much smaller than the catalog "
            "or drops a source whole, e.g. peerfind update --force.",
        ),
    ] = False,
) -> None:
    """Replace the catalog with a published snapshot, verified; the old one is kept.

    Examples: peerfind update · peerfind update --check ·
    peerfind update --from https://example.org/snapshot/ · peerfind update --rollback
    """
    from peerfind.catalog import publish

    target = db_path()
    if rollback:
        if from_url or check or force:
            note("peerfind: --from, --check and --force are ignored with --rollback.")
        result = publish.rollback(target)
        print(f"Rolled back {target} to the previous catalog ({result.listings} listings).")
        return
    if check:
        found = publish.check(from_url, target)
        age = (
            f"from {found.installed} ({found.installed_age} days old)"
            if found.installed
            else "of unknown date"
        )
        verdict = (
            "A newer catalog is published: run `peerfind update`."
            if found.newer
            else "No newer catalog is published."
        )
        print(
            f"Installed catalog {age}. Published: {found.published[:10]}, "
            f"{found.listings} listings. {verdict}"
        )
        return
    result = publish.update(from_url, target, force=force)
    kept = f"; the previous one is kept as {result.previous}" if result.previous else ""
    print(
        f"Updated {target}: {result.listings} listings from the snapshot of "
        f"{result.date}{kept}. Undo with `peerfind update --rollback`."
    )


def register(app: typer.Typer) -> None:
    """Add `publish` and `update` to the peerfind app."""
    app.command(name="publish")(publish_cmd)
    app.command(name="update")(update_cmd)
