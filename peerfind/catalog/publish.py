"""Publish the catalog as a compact snapshot with a manifest, and update a catalog from one.

`publish` writes `catalog-<sha256 prefix>.db.gz` (a VACUUM INTO copy, FTS-optimized, gzip) and
then `manifest.json` (date, counts per source, the snapshot's name, sha256, schema and peerfind
versions). The snapshot's name follows its content, so the pair changes atomically: until the new
manifest replaces the old one, clients read the old manifest and the old snapshot, which is kept
(one generation) for clients mid-download. `update` downloads both, checks size, checksum, gzip
integrity, schema version, SQLite integrity, that the file is a peerfind catalog and that it does
not drop more than half the listings or a whole source (unless forced), then swaps it in with
os.replace, keeping the old one as `<db>.previous`. Anything wrong leaves the current catalog
untouched and raises a PeerfindError saying why; a full disk says "disk full". Both remove the
temporary files a killed run left behind (older than STALE_TMP_SECONDS).
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from peerfind import USER_AGENT, __version__, vocab
from peerfind.catalog import channel, freshness
from peerfind.catalog import db as catalog
from peerfind.errors import CatalogError, FetchError, PeerfindError, UsageError

MANIFEST = "manifest.json"
SNAPSHOT = "catalog.db.gz"  # the name older publishes used (still read, pruned when replaced)
SNAPSHOT_NAME = re.compile(r"catalog(-[0-9a-f]{16})?\.db\.gz")
MIN_SHARE = 0.5  # update refuses a snapshot with fewer than this share of the current listings
STALE_TMP_SECONDS = 3600  # a temporary file this old belongs to a run that was killed
SNAPSHOT_FORMAT = "peerfind-catalog-snapshot"
MAX_MANIFEST_BYTES = 1 << 20
MAX_SNAPSHOT_BYTES = 256 << 20  # compressed download cap
MAX_DB_BYTES = 2 << 30  # decompressed cap (a gzip bomb stops here)
_CHUNK = 1 << 16


def previous_path(db: Path) -> Path:
    """Return where the catalog replaced by the last update is kept."""
    return db.with_name(db.name + ".previous")


def _sha256(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _tmp(folder: Path, stem: str) -> Path:
    """Return an unused temporary file name in `folder` (same file system as the target)."""
    return folder / f".{stem}.{secrets.token_hex(6)}.tmp"


_TMP_NAME = re.compile(r"\..+\.[0-9a-f]{12}\.tmp(-wal|-shm|-journal)?")


def clean_stale_temps(folder: Path, max_age: float = STALE_TMP_SECONDS) -> list[Path]:
    """Remove temporary files (ours: `.<stem>.<12 hex>.tmp`) older than `max_age` seconds.

    A run killed mid-way leaves its temporary file; a later run removes it. Younger ones may
    belong to a run still going and are left alone. Returns what was removed.
    """
    removed: list[Path] = []
    cutoff = time.time() - max_age
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        try:
            if (
                _TMP_NAME.fullmatch(entry.name)
                and entry.is_file(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_mtime < cutoff
            ):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def disk_full(exc: BaseException) -> bool:
    """Return True when an error means the disk (or the user's quota) is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.DatabaseError) and "disk is full" in str(exc)


def snapshot_name(sha256: str) -> str:
    """Return the file name of a snapshot with this sha256 (its name follows its content)."""
    return f"catalog-{sha256[:16]}.db.gz"


def _published_snapshot(out: Path) -> str | None:
    """Return the snapshot name the manifest in `out` points at (None without a usable one)."""
    try:
        name = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("snapshot")
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) and SNAPSHOT_NAME.fullmatch(name) else None


def _prune(out: Path, keep: set[str]) -> None:
    """Remove snapshots in `out` that neither the manifest nor the one before it names."""
    for path in out.iterdir():
        if SNAPSHOT_NAME.fullmatch(path.name) and path.name not in keep and not path.is_symlink():
            path.unlink(missing_ok=True)


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Return the number of listings not marked removed, per source."""
    rows = conn.execute(
        "SELECT source, count(*) FROM groups WHERE status != ? GROUP BY source ORDER BY source",
        (vocab.REMOVED,),
    )
    return {r[0]: r[1] for r in rows}


def publish(conn_path: Path | str, out_dir: Path | str) -> dict[str, Any]:
    """Write the snapshot, then manifest.json, for the catalog at `conn_path`; return the manifest.

    The snapshot is `catalog-<sha256 prefix>.db.gz`; the one the old manifest named is kept
    (clients may be downloading it), older ones are removed.
    """
    source, out = Path(conn_path), Path(out_dir)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"{out} is not a folder peerfind can publish into.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {out}: {exc.strerror}.") from None
    if (out / MANIFEST).is_symlink():
        raise UsageError(f"{out / MANIFEST} is a symbolic link; not writing through it.")
    clean_stale_temps(out)
    conn = catalog.connect(source, readonly=True)
    raw = _tmp(out, "catalog.db")
    packed = _tmp(out, SNAPSHOT)
    placed: Path | None = None  # a new snapshot file not yet named by the manifest
    try:
        conn.execute("VACUUM INTO ?", (str(raw),))
        conn.close()
        snap = sqlite3.connect(raw)
        with snap:
            snap.execute("INSERT INTO groups_fts (groups_fts) VALUES ('optimize')")
            snap.execute("ANALYZE")
        snap.execute("PRAGMA journal_mode = DELETE")
        snap.execute("VACUUM")
        counts = _counts(snap)
        newest = snap.execute("SELECT max(last_seen) FROM groups").fetchone()[0] or ""
        version = snap.execute("PRAGMA user_version").fetchone()[0]
        snap.close()
        db_sha, db_size = _sha256(raw), raw.stat().st_size
        with (
            open(raw, "rb") as src,
            open(packed, "wb") as dst,
            gzip.GzipFile(filename="catalog.db", fileobj=dst, mode="wb", mtime=0) as gz,
        ):
            shutil.copyfileobj(src, gz, _CHUNK)
        packed_sha = _sha256(packed)
        name = snapshot_name(packed_sha)
        if (out / name).is_symlink():
            raise UsageError(f"{out / name} is a symbolic link; not writing through it.")
        manifest = {
            "format": SNAPSHOT_FORMAT,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "schema_version": version,
            "peerfind_version": __version__,
            "snapshot": name,
            "size": packed.stat().st_size,
            "sha256": packed_sha,
            "db_size": db_size,
            "db_sha256": db_sha,
            "last_confirmed": newest,
            "total": sum(counts.values()),
            "counts": counts,
        }
        before = _published_snapshot(out)
        if not (out / name).exists():
            placed = out / name
        _fsync(packed)
        os.replace(packed, out / name)  # clients still read the old manifest and snapshot
        text = json.dumps(manifest, indent=2) + "\n"
        tmp_manifest = _tmp(out, MANIFEST)
        try:
            with open(tmp_manifest, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_manifest, out / MANIFEST)  # the one step that switches the pair
        finally:
            tmp_manifest.unlink(missing_ok=True)
        placed = None
        _prune(out, {name, before or name})
    except sqlite3.DatabaseError as exc:
        if disk_full(exc):
            raise CatalogError(
                f"disk full while publishing into {out}; the published "
                "snapshot and manifest were not changed."
            ) from None
        raise CatalogError(f"could not snapshot {source}: {exc}") from None
    except OSError as exc:
        if disk_full(exc):
            raise CatalogError(
                f"disk full while publishing into {out}; the published "
                "snapshot and manifest were not changed."
            ) from None
        raise CatalogError(
            f"could not publish into {out}: {exc.strerror or exc}; the "
            "published snapshot and manifest were not changed."
        ) from None
    finally:
        conn.close()
        raw.unlink(missing_ok=True)
        packed.unlink(missing_ok=True)
        if placed is not None:
            placed.unlink(missing_ok=True)
    return manifest


def _fsync(path: Path) -> None:
    """Flush a file's bytes to disk before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class UpdateResult:
    """What an update (or rollback) did."""

    db: Path
    previous: Path | None
    listings: int
    date: str = ""


def update_url(from_url: str | None = None) -> str:
    """Return the channel: --from, else PEERFIND_CHANNEL, else channel.CHANNEL.

    Raises UsageError, saying how to set one, when none is configured.
    """
    url = channel.configured(from_url)
    if not url:
        raise UsageError(channel.how_to_set())
    return url


def _manifest_url(base: str) -> str:
    """Return the manifest URL or path for a base given as a folder, manifest URL or path."""
    if base.endswith(".json"):
        return base
    return base.rstrip("/") + "/" + MANIFEST


def _is_http(location: str) -> bool:
    """Return True for an http(s) URL (anything else is a local path or file: URL)."""
    return urlsplit(location).scheme in ("http", "https")


def _local(location: str) -> Path:
    """Return the local path of a file: URL or a plain path."""
    parts = urlsplit(location)
    return Path(parts.path) if parts.scheme == "file" else Path(location)


def _download(location: str, dest: Path, cap: int) -> None:
    """Copy `location` (URL or path) to `dest`, stopping with FetchError past `cap` bytes."""
    size = 0
    with open(dest, "wb") as fh:
        if not _is_http(location):
            try:
                src = open(_local(location), "rb")  # noqa: SIM115
            except OSError as exc:
                raise FetchError(f"cannot read {location}: {exc.strerror}.") from None
            with src:
                while chunk := src.read(_CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"{location} is larger than {cap} bytes; refused.")
                    fh.write(chunk)
            return
        import httpx

        try:
            with httpx.stream(
                "GET",
                location,
                headers={"User-Agent": USER_AGENT},
                timeout=30.0,
                follow_redirects=True,
            ) as resp:
                if resp.status_code != 200:
                    raise FetchError(f"{location} answered HTTP {resp.status_code}.")
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > cap:
                    raise FetchError(f"{location} is larger than {cap} bytes; refused.")
                for chunk in resp.iter_bytes(_CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"{location} is larger than {cap} bytes; refused.")
                    fh.write(chunk)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            host = urlsplit(location).hostname or location
            raise FetchError(f"no network: cannot reach {host} ({exc}).") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"could not download {location}: {exc}") from None


def _read_manifest(path: Path, location: str) -> dict[str, Any]:
    """Return a downloaded manifest after checking its shape and schema version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CatalogError(f"{location} is not a peerfind snapshot manifest (not JSON).") from None
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise CatalogError(f"{location} is not a peerfind snapshot manifest.")
    name, digest = data.get("snapshot"), data.get("sha256")
    version, size = data.get("schema_version"), data.get("size")
    if (
        not isinstance(name, str)
        or not name
        or "/" in name
        or "\\" in name
        or name.startswith(".")
        or not isinstance(digest, str)
        or len(digest) != 64
        or not isinstance(version, int)
        or not isinstance(size, int)
    ):
        raise CatalogError(f"{location}: the manifest is incomplete or malformed.")
    if version > catalog.SCHEMA_VERSION:
        raise CatalogError(
            f"the snapshot has catalog schema {version}, newer than this peerfind understands "
            f"({catalog.SCHEMA_VERSION}); upgrade peerfind first. Your catalog was not changed."
        )
    if size > MAX_SNAPSHOT_BYTES:
        raise CatalogError(f"the snapshot is {size} bytes, over the {MAX_SNAPSHOT_BYTES} cap.")
    return data


def _gunzip(packed: Path, dest: Path) -> None:
    """Decompress a snapshot, raising CatalogError when it is truncated, corrupt or too big."""
    size = 0
    with gzip.open(packed, "rb") as src, open(dest, "wb") as dst:
        while True:
            try:
                chunk = src.read(_CHUNK)
            except (EOFError, OSError, zlib.error) as exc:
                raise CatalogError(f"the snapshot is truncated or not gzip data ({exc}).") from None
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_DB_BYTES:
                raise CatalogError("the snapshot unpacks to more than the size cap; refused.")
            dst.write(chunk)  # an OSError here (a full disk) is the caller's to report


def check_catalog_file(path: Path) -> int:
    """Return the listings (not marked removed) of a catalog file, after checking it.

    Checked: SQLite integrity, schema version and that it is a peerfind catalog.
    """
    try:
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA trusted_schema = OFF")
            conn.execute("PRAGMA journal_mode = DELETE")  # the file alone is then the catalog
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            cols = {r[1] for r in conn.execute("PRAGMA table_info(groups)")}
            count = (
                conn.execute(
                    "SELECT count(*) FROM groups WHERE status IS NOT ?", (vocab.REMOVED,)
                ).fetchone()[0]
                if "status" in cols
                else 0
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"the snapshot is not a usable SQLite database ({exc}).") from None
    if verdict != "ok":
        raise CatalogError(f"the snapshot failed its integrity check: {verdict}.")
    if version > catalog.SCHEMA_VERSION:
        raise CatalogError(
            f"the snapshot has catalog schema {version}, newer than this peerfind "
            f"understands ({catalog.SCHEMA_VERSION}); upgrade peerfind first."
        )
    missing = set(catalog.COLUMNS) - cols if version == catalog.SCHEMA_VERSION else set()
    if version < 1 or not cols or missing:
        raise CatalogError("the snapshot is an SQLite file but not a peerfind catalog.")
    return count


def _journals(db: Path) -> tuple[Path, Path]:
    """Return the WAL and shared-memory files SQLite may keep beside a database file."""
    return Path(str(db) + "-wal"), Path(str(db) + "-shm")


def _settle(db: Path) -> None:
    """Fold a WAL-mode catalog's journal into its file so the file alone is the catalog."""
    if not db.exists():
        return
    try:
        conn = sqlite3.connect(db, timeout=10)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"cannot prepare {db} for replacement: {exc}") from None
    wal = Path(str(db) + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise CatalogError(f"{db} is in use by another program; close it and try again.")


def _keep_copy(db: Path, dest: Path) -> None:
    """Make `dest` a copy of `db` (a hard link when possible), replacing `dest` atomically."""
    tmp = _tmp(dest.parent, dest.name)
    try:
        try:
            os.link(db, tmp)
        except OSError:
            shutil.copy2(db, tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)  # a copy cut short (a full disk) leaves nothing behind


def counts_of(path: Path) -> dict[str, int]:
    """Return the listings not marked removed, per source, of a catalog file ({} if unreadable)."""
    try:
        # Read-write but query-only: closing it folds and removes a WAL catalog's companion
        # files, as any peerfind command does; a read-only connection would leave them.
        conn = sqlite3.connect(path, timeout=10)
        try:
            conn.execute("PRAGMA query_only = ON")
            return _counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}


def shrink_problem(old: dict[str, int], new: dict[str, int], min_share: float = MIN_SHARE) -> str:
    """Return why a catalog with `new` counts should not replace one with `old` ('' if fine).

    Refused: an empty catalog, fewer than `min_share` of the listings, or a source dropped whole.
    """
    before, after = sum(old.values()), sum(new.values())
    if before and not after:
        return f"the snapshot has no listings (your catalog has {before})"
    if before and after < before * min_share:
        return (
            f"the snapshot has {after} listings, fewer than {min_share:.0%} of your "
            f"catalog's {before}"
        )
    gone = sorted(src for src, n in old.items() if n and not new.get(src))
    if gone:
        shown = ", ".join(gone[:5]) + (f" and {len(gone) - 5} more" if len(gone) > 5 else "")
        return f"the snapshot drops every listing of {len(gone)} source(s): {shown}"
    return ""


def _stamp(fresh: Path, manifest: dict[str, Any]) -> None:
    """Record in the new catalog which published snapshot it is (its date and checksum)."""
    conn = sqlite3.connect(fresh)
    try:
        with conn:
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [
                    (freshness.PUBLISHED, str(manifest.get("date", ""))[:40]),
                    (freshness.SNAPSHOT_SHA, str(manifest["sha256"]).lower()),
                ],
            )
    finally:
        conn.close()


def _disk_full_error(db: Path) -> CatalogError:
    """Return the error a full disk during update gives."""
    return CatalogError(
        f"disk full: not enough space in {db.parent} to update; your catalog was not changed."
    )


def _fetch_manifest(location: str, folder: Path) -> dict[str, Any]:
    """Download and check the manifest at `location` (through a temporary file in `folder`)."""
    man_tmp = _tmp(folder, "manifest")
    try:
        _download(location, man_tmp, MAX_MANIFEST_BYTES)
        return _read_manifest(man_tmp, location)
    finally:
        man_tmp.unlink(missing_ok=True)


def update(from_url: str | None, db_path: Path | str, *, force: bool = False) -> UpdateResult:
    """Replace the catalog at `db_path` with the published snapshot, verified; keep the old one.

    Without `force`, a snapshot that is empty, has fewer than MIN_SHARE of the current listings
    or drops a source whole is refused (CatalogError) and nothing changes.
    """
    db = Path(db_path)
    location = _manifest_url(update_url(from_url))
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CatalogError(f"cannot create {db.parent}: {exc.strerror}.") from None
    clean_stale_temps(db.parent)
    packed, fresh = (_tmp(db.parent, n) for n in ("snapshot", "catalog"))
    try:
        manifest = _fetch_manifest(location, db.parent)
        snap_url = (
            urljoin(location, manifest["snapshot"])
            if _is_http(location)
            else str(_local(location).parent / manifest["snapshot"])
        )
        if _is_http(location) and not _is_http(snap_url):  # a remote manifest: no local reads
            raise CatalogError(
                f"the manifest at {location} names a snapshot that is not on the web; refused."
            )
        _download(snap_url, packed, min(manifest["size"], MAX_SNAPSHOT_BYTES))
        if packed.stat().st_size != manifest["size"]:
            raise CatalogError(
                f"the download of {snap_url} is incomplete "
                f"({packed.stat().st_size} of {manifest['size']} bytes)."
            )
        if _sha256(packed) != manifest["sha256"].lower():
            raise CatalogError(
                f"the checksum of {snap_url} does not match the manifest; the "
                "download is damaged or was altered."
            )
        _gunzip(packed, fresh)
        packed.unlink()
        count = check_catalog_file(fresh)
        if not force and db.exists():
            problem = shrink_problem(counts_of(db), counts_of(fresh))
            if problem:
                raise CatalogError(
                    f"refused: {problem}. Your catalog was not changed; "
                    "`peerfind update --force` installs it anyway."
                )
        _stamp(fresh, manifest)
        _settle(db)
        previous = previous_path(db) if db.exists() else None
        if previous is not None:
            _keep_copy(db, previous)
        os.replace(fresh, db)
    except PeerfindError:
        raise
    except (OSError, sqlite3.DatabaseError) as exc:
        if disk_full(exc):
            raise _disk_full_error(db) from None
        raise CatalogError(f"update failed, catalog unchanged: {exc}") from None
    finally:
        for leftover in (packed, fresh, *_journals(fresh)):
            leftover.unlink(missing_ok=True)
    return UpdateResult(db=db, previous=previous, listings=count, date=str(manifest["date"]))


@dataclass
class CheckResult:
    """What `update --check` found: the installed catalog's date and the published one."""

    installed: str | None  # YYYY-MM-DD, or None when unknown
    installed_age: int | None  # days
    published: str  # the manifest's date
    listings: int  # in the published snapshot
    newer: bool  # the published snapshot is not the installed one and is newer


def check(from_url: str | None, db_path: Path | str, today: datetime | None = None) -> CheckResult:
    """Say how old the installed catalog is and whether the channel has a newer one.

    Downloads the manifest only (a few kB), never the snapshot.
    """
    db = Path(db_path)
    location = _manifest_url(update_url(from_url))
    installed: str | None = None
    installed_sha = installed_when = ""
    if db.exists():
        try:
            conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
            try:
                installed = freshness.catalog_date(conn)
                rows = dict(
                    conn.execute(
                        "SELECT key, value FROM meta WHERE key IN (?, ?)",
                        (freshness.PUBLISHED, freshness.SNAPSHOT_SHA),
                    ).fetchall()
                )
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            rows = {}
        installed_sha = str(rows.get(freshness.SNAPSHOT_SHA) or "")
        installed_when = str(rows.get(freshness.PUBLISHED) or "")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="peerfind-check-") as folder:
        manifest = _fetch_manifest(location, Path(folder))
    published = str(manifest.get("date", ""))
    same = installed_sha == str(manifest["sha256"]).lower()
    reference = installed_when or (installed or "")
    newer = not same and published > reference  # ISO dates and times compare as text
    current = (today or datetime.now(UTC)).date()
    return CheckResult(
        installed=installed,
        installed_age=freshness.age_days(installed, current),
        published=published,
        listings=int(manifest.get("total") or 0),
        newer=newer,
    )


def rollback(db_path: Path | str) -> UpdateResult:
    """Swap the catalog with the one kept by the last update (running it twice undoes it)."""
    db = Path(db_path)
    previous = previous_path(db)
    if not previous.exists():
        raise CatalogError(f"no previous catalog to roll back to ({previous} does not exist).")
    count = check_catalog_file(previous)
    clean_stale_temps(db.parent)
    _settle(db)
    try:
        if db.exists():
            tmp = _tmp(db.parent, db.name)
            try:
                _keep_copy(db, tmp)
                os.replace(previous, db)
                os.replace(tmp, previous)
            finally:
                tmp.unlink(missing_ok=True)
        else:
            os.replace(previous, db)
    except OSError as exc:
        if disk_full(exc):
            raise _disk_full_error(db) from None
        raise CatalogError(f"rollback failed: {exc.strerror or exc}.") from None
    return UpdateResult(db=db, previous=previous if previous.exists() else None, listings=count)
