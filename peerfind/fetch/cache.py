"""A small on-disk HTTP cache of validators and bodies, so unchanged feeds cost a 304."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CacheEntry:
    """What was stored for one URL: its validators, response headers and the body file."""

    url: str
    etag: str
    last_modified: str
    headers: dict[str, str]
    body_path: Path

    def body(self) -> bytes | None:
        """Return the stored body, or None when the file has gone."""
        try:
            return self.body_path.read_bytes()
        except OSError:
            return None

    def conditional_headers(self) -> dict[str, str]:
        """Return If-None-Match / If-Modified-Since headers for a revalidating request."""
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


class HttpCache:
    """Validators and bodies keyed by URL: one JSON file and one body file per URL in `folder`."""

    def __init__(self, folder: Path | str) -> None:
        """Use (and create when writing) `folder` for the cache files."""
        self.folder = Path(folder)

    def _paths(self, url: str) -> tuple[Path, Path]:
        """Return the (metadata, body) file paths of a URL."""
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        return self.folder / f"{key}.json", self.folder / f"{key}.body"

    def get(self, url: str) -> CacheEntry | None:
        """Return the entry stored for `url`, or None (also when the files are unreadable)."""
        meta_path, body_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("url") != url or not body_path.exists():
            return None
        headers = meta.get("headers")
        return CacheEntry(
            url=url,
            etag=str(meta.get("etag") or ""),
            last_modified=str(meta.get("last_modified") or ""),
            headers={str(k): str(v) for k, v in headers.items()}
            if isinstance(headers, dict)
            else {},
            body_path=body_path,
        )

    def put(self, url: str, headers: dict[str, str], body: bytes) -> bool:
        """Store a 200 response when it carries an ETag or Last-Modified; return True if stored."""
        etag = headers.get("etag", "")
        last_modified = headers.get("last-modified", "")
        if not (etag or last_modified) or "no-store" in headers.get("cache-control", "").lower():
            return False
        meta_path, body_path = self._paths(url)
        kept = {k: v for k, v in headers.items() if k in ("content-type", "etag", "last-modified")}
        meta = {"url": url, "etag": etag, "last_modified": last_modified, "headers": kept}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(body_path, body)
            _write_atomic(meta_path, json.dumps(meta, sort_keys=True).encode("utf-8"))
        except OSError:
            return False
        return True


def _write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file so readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
