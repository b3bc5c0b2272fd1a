"""Publish the catalog as a compact snapshot with a manifest, and update a catalog from one.

`publish` writes `catalog.db.gz` (a VACUUM INTO copy, FTS-optimized, gzip) and `manifest.json`
(date, counts per source, sha256, schema and peerfind versions). `update` downloads both,
checks size, checksum, gzip integrity, schema version, SQLite integrity and that the file is a
peerfind catalog, then swaps it in with os.replace, keeping the old one as `<db>.previous`.
Anything wrong leaves the current catalog untouched and raises a PeerfindError saying why.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from peerfind import USER_AGENT, __version__, catalog, vocab
from peerfind.errors import CatalogError, FetchError, PeerfindError, UsageError

# PLACEHOLDER: the base URL (folder holding manifest.json) of the official published snapshot.
# Empty until the project publishes one; `peerfind update` then needs --from or
# PEERFIND_UPDATE_URL and never contacts any host on its own.
UPDATE_URL = ""
UPDATE_URL_ENV = "PEERFIND_UPDATE_URL"
MANIFEST = "manifest.json"
SNAPSHOT = "catalog.db.gz"
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


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Return the number of listings not marked removed, per source."""
    rows = conn.execute("SELECT source, count(*) FROM groups WHERE status != ? GROUP BY source "
                        "ORDER BY source", (vocab.REMOVED,))
    return {r[0]: r[1] for r in rows}


def publish(conn_path: Path | str, out_dir: Path | str) -> dict[str, Any]:
    """Write catalog.db.gz and manifest.json for the catalog at `conn_path`; return the manifest."""
    source, out = Path(conn_path), Path(out_dir)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"{out} is not a folder peerfind can publish into.")
    out.mkdir(parents=True, exist_ok=True)
    for name in (SNAPSHOT, MANIFEST):
        if (out / name).is_symlink():
            raise UsageError(f"{out / name} is a symbolic link; not writing through it.")
    conn = catalog.connect(source, readonly=True)
    raw = _tmp(out, "catalog.db")
    packed = _tmp(out, SNAPSHOT)
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
        with open(raw, "rb") as src, open(packed, "wb") as dst, \
                gzip.GzipFile(filename="catalog.db", fileobj=dst, mode="wb", mtime=0) as gz:
            shutil.copyfileobj(src, gz, _CHUNK)
        manifest = {
            "format": SNAPSHOT_FORMAT,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "schema_version": version,
            "peerfind_version": __version__,
            "snapshot": SNAPSHOT,
            "size": packed.stat().st_size,
            "sha256": _sha256(packed),
            "db_size": db_size,
            "db_sha256": db_sha,
            "last_confirmed": newest,
            "total": sum(counts.values()),
            "counts": counts,
        }
        os.replace(packed, out / SNAPSHOT)
        text = json.dumps(manifest, indent=2) + "\n"
        tmp_manifest = _tmp(out, MANIFEST)
        tmp_manifest.write_text(text, encoding="utf-8")
        os.replace(tmp_manifest, out / MANIFEST)
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"could not snapshot {source}: {exc}") from None
    finally:
        conn.close()
        raw.unlink(missing_ok=True)
        packed.unlink(missing_ok=True)
    return manifest


@dataclass
class UpdateResult:
    """What an update (or rollback) did."""

    db: Path
    previous: Path | None
    listings: int
    date: str = ""


def update_url(from_url: str | None = None) -> str:
    """Return the snapshot location: --from, else PEERFIND_UPDATE_URL, else UPDATE_URL."""
    url = from_url or os.environ.get(UPDATE_URL_ENV) or UPDATE_URL
    if not url:
        raise UsageError(f"no update source configured: pass --from URL (the folder holding "
                         f"{MANIFEST}) or set {UPDATE_URL_ENV}.")
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
            with httpx.stream("GET", location, headers={"User-Agent": USER_AGENT},
                              timeout=30.0, follow_redirects=True) as resp:
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
    if (not isinstance(name, str) or not name or "/" in name or "\\" in name
            or name.startswith(".") or not isinstance(digest, str) or len(digest) != 64
            or not isinstance(version, int) or not isinstance(size, int)):
        raise CatalogError(f"{location}: the manifest is incomplete or malformed.")
    if version > catalog.SCHEMA_VERSION:
        raise CatalogError(
            f"the snapshot has catalog schema {version}, newer than this peerfind understands "
            f"({catalog.SCHEMA_VERSION}); upgrade peerfind first. Your catalog was not changed.")
    if size > MAX_SNAPSHOT_BYTES:
        raise CatalogError(f"the snapshot is {size} bytes, over the {MAX_SNAPSHOT_BYTES} cap.")
    return data


def _gunzip(packed: Path, dest: Path) -> None:
    """Decompress a snapshot, raising CatalogError when it is truncated, corrupt or too big."""
    size = 0
    try:
        with gzip.open(packed, "rb") as src, open(dest, "wb") as dst:
            while chunk := src.read(_CHUNK):
                size += len(chunk)
                if size > MAX_DB_BYTES:
                    raise CatalogError("the snapshot unpacks to more than the size cap; refused.")
                dst.write(chunk)
    except (EOFError, OSError, zlib.error) as exc:
        raise CatalogError(f"the snapshot is truncated or not gzip data ({exc}).") from None


def check_catalog_file(path: Path) -> int:
    """Return the listing count of a catalog file after checking integrity, schema and shape."""
    try:
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA trusted_schema = OFF")
            conn.execute("PRAGMA journal_mode = DELETE")  # the file alone is then the catalog
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            cols = {r[1] for r in conn.execute("PRAGMA table_info(groups)")}
            count = conn.execute("SELECT count(*) FROM groups").fetchone()[0] if cols else 0
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"the snapshot is not a usable SQLite database ({exc}).") from None
    if verdict != "ok":
        raise CatalogError(f"the snapshot failed its integrity check: {verdict}.")
    if version > catalog.SCHEMA_VERSION:
        raise CatalogError(f"the snapshot has catalog schema {version}, newer than this peerfind "
                           f"understands ({catalog.SCHEMA_VERSION}); upgrade peerfind first.")
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
        os.link(db, tmp)
    except OSError:
        shutil.copy2(db, tmp)
    os.replace(tmp, dest)


def update(from_url: str | None, db_path: Path | str) -> UpdateResult:
    """Replace the catalog at `db_path` with the published snapshot, verified; keep the old one."""
    db = Path(db_path)
    location = _manifest_url(update_url(from_url))
    db.parent.mkdir(parents=True, exist_ok=True)
    man_tmp, packed, fresh = (_tmp(db.parent, n) for n in ("manifest", "snapshot", "catalog"))
    try:
        _download(location, man_tmp, MAX_MANIFEST_BYTES)
        manifest = _read_manifest(man_tmp, location)
        snap_url = (urljoin(location, manifest["snapshot"]) if _is_http(location)
                    else str(_local(location).parent / manifest["snapshot"]))
        if _is_http(location) and not _is_http(snap_url):  # a remote manifest: no local reads
            raise CatalogError(f"the manifest at {location} names a snapshot that is not on "
                               "the web; refused.")
        _download(snap_url, packed, min(manifest["size"], MAX_SNAPSHOT_BYTES))
        if packed.stat().st_size != manifest["size"]:
            raise CatalogError(f"the download of {snap_url} is incomplete "
                               f"({packed.stat().st_size} of {manifest['size']} bytes).")
        if _sha256(packed) != manifest["sha256"].lower():
            raise CatalogError(f"the checksum of {snap_url} does not match the manifest; the "
                               "download is damaged or was altered.")
        _gunzip(packed, fresh)
        count = check_catalog_file(fresh)
        _settle(db)
        previous = previous_path(db) if db.exists() else None
        if previous is not None:
            _keep_copy(db, previous)
        os.replace(fresh, db)
    except PeerfindError:
        raise
    except OSError as exc:
        raise CatalogError(f"update failed, catalog unchanged: {exc}") from None
    finally:
        for leftover in (man_tmp, packed, fresh, *_journals(fresh)):
            leftover.unlink(missing_ok=True)
    return UpdateResult(db=db, previous=previous, listings=count, date=str(manifest["date"]))


def rollback(db_path: Path | str) -> UpdateResult:
    """Swap the catalog with the one kept by the last update (running it twice undoes it)."""
    db = Path(db_path)
    previous = previous_path(db)
    if not previous.exists():
        raise CatalogError(f"no previous catalog to roll back to ({previous} does not exist).")
    count = check_catalog_file(previous)
    _settle(db)
    if db.exists():
        tmp = _tmp(db.parent, db.name)
        _keep_copy(db, tmp)
        os.replace(previous, db)
        os.replace(tmp, previous)
    else:
        os.replace(previous, db)
    return UpdateResult(db=db, previous=previous if previous.exists() else None, listings=count)
