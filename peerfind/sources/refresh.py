"""The scheduled refresh: scrape into a copy of the last published catalog, gate, publish, report.

scripts/refresh runs this (on a laptop, in any CI, in cron); .github/workflows/refresh.yml runs
scripts/refresh nightly. Steps:

1. start from the last published catalog (`peerfind update --from CHANNEL --force` into a work
   folder), or from the bundled catalog (`--start bundled`, a first run) or an empty one;
2. `peerfind scrape --all` into it (a failed or suspicious source keeps its previous listings);
3. the quality gates (peerfind.sources.gates) against the catalog it started from;
4. when they pass, `peerfind publish` into the output folder (snapshot + manifest);
5. write run-report.md/.json and coverage.md/.json into the output folder, always;
6. optionally upload to a GitHub release (`--gh-repo`, with the gh CLI) and commit the run
   report into the repository (`--commit-report`, which keeps a scheduled workflow alive).

Exit status: 0 published, 1 stopped by a gate or a failed step (nothing published), 2 bad
arguments. Every failure is one clear line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import peerfind
from peerfind.catalog import channel
from peerfind.clean import terminal_safe
from peerfind.sources import gates

DESCRIPTION = """Refresh the catalog from its sources and publish it when it passes the gates.

Example: scripts/refresh --out site/channel --start https://example.org/channel/
First run: scripts/refresh --out site/channel --start bundled"""


class StepFailed(Exception):
    """A step of the refresh failed; the message says which and why."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Return the refresh options."""
    p = argparse.ArgumentParser(
        prog="scripts/refresh",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        default="refresh-out",
        help="Output folder: snapshot, manifest and "
        "reports; a static channel when served as is (default: refresh-out).",
    )
    p.add_argument(
        "--work", help="Work folder for the catalog and HTTP cache (default: <out>-work)."
    )
    p.add_argument(
        "--start",
        default="channel",
        help="What to refresh: 'channel' (the "
        f"configured one, {channel.CHANNEL_ENV}), a channel URL or folder, "
        "'bundled' (a first run) or 'empty'. Default: channel.",
    )
    p.add_argument("--sources", help="Sources file (TOML) instead of the bundled list.")
    p.add_argument(
        "--max-failed",
        type=float,
        default=gates.MAX_FAILED,
        help="Share of sources that may fail before publishing stops (default 0.25).",
    )
    p.add_argument(
        "--max-loss",
        type=float,
        default=gates.MAX_LOSS,
        help="Share of listings the catalog may lose (default 0.10).",
    )
    p.add_argument("--delay", type=float, default=1.0, help="Seconds between requests to a host.")
    p.add_argument("--concurrency", type=int, default=32, help="Sources fetched at once.")
    p.add_argument(
        "--gh-repo",
        default=os.environ.get("PEERFIND_GH_REPO", ""),
        help="Upload to a GitHub release of OWNER/REPO with the gh CLI "
        "(default: PEERFIND_GH_REPO; none: the output folder is the channel).",
    )
    p.add_argument(
        "--commit-report",
        help="Copy the run report to this path in the git "
        "checkout, commit and push it (keeps a scheduled workflow alive).",
    )
    args = p.parse_args(argv)
    for name in ("max_failed", "max_loss"):
        if not 0 <= getattr(args, name) <= 1:
            p.error(f"--{name.replace('_', '-')} is a share between 0 and 1")
    return args


def say(message: str) -> None:
    """Print a progress line on stderr."""
    print(f"refresh: {message}", file=sys.stderr, flush=True)


def _peerfind(db: Path, *args: str, log: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m peerfind --db DB ARGS` (this peerfind), capturing its output."""
    env = dict(os.environ)
    home = str(Path(peerfind.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (home, env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "peerfind", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if log is not None:
        log.write_text(
            f"$ peerfind {' '.join(args)}\n{done.stdout}\n{done.stderr}", encoding="utf-8"
        )
    return done


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    """Return the last non-empty line a command printed (its error, usually)."""
    lines = [ln for ln in (done.stderr + "\n" + done.stdout).splitlines() if ln.strip()]
    return terminal_safe(lines[-1]) if lines else f"exit {done.returncode}"


def _copy_catalog(src: Path, dest: Path) -> None:
    """Copy a catalog file consistently (SQLite's backup API), replacing `dest`."""
    for path in (dest, Path(f"{dest}-wal"), Path(f"{dest}-shm")):
        path.unlink(missing_ok=True)
    source = sqlite3.connect(src)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()
        source.close()


def start_catalog(start: str, db: Path, work: Path) -> str:
    """Put the catalog to refresh at `db`; return what it started from."""
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)
    if start == "empty":
        from peerfind.catalog import db as catalog

        catalog.connect(db, create=True).close()
        return "an empty catalog"
    if start == "bundled":
        from peerfind.sources import bundle

        bundle.build_file(db)
        return "the bundled catalog"
    where = channel.configured() if start == "channel" else start
    if not where:
        raise StepFailed(
            f"no channel to start from: set {channel.CHANNEL_ENV} or pass --start "
            "URL; for a first run, --start bundled."
        )
    done = _peerfind(db, "update", "--force", "--from", where, log=work / "start.log")
    if done.returncode != 0:
        raise StepFailed(
            f"cannot read the last published catalog from {where}: "
            f"{_last_line(done)} (for a first run, use --start bundled)."
        )
    return f"the catalog published at {where}"


def scrape(db: Path, work: Path, args: argparse.Namespace) -> str:
    """Run `peerfind scrape --all` into `db`; return its report table (failed sources are fine)."""
    cmd = [
        "scrape",
        "--all",
        "--delay",
        str(args.delay),
        "--concurrency",
        str(args.concurrency),
        "--cache",
        str(work / "http-cache"),
    ]
    if args.sources:
        cmd += ["--sources", str(args.sources)]
    done = _peerfind(db, *cmd, log=work / "scrape.log")
    if done.returncode not in (0, 1):  # 1: some sources failed or were suspicious
        raise StepFailed(
            f"peerfind scrape stopped: {_last_line(done)} (log: {work / 'scrape.log'})"
        )
    return done.stdout


def plain_cell(text: object) -> str:
    """Return text safe inside a Markdown table cell."""
    return terminal_safe(text).replace("|", "/").replace("\n", " ")[:300]


def run_report(facts: dict[str, Any]) -> str:
    """Return the run report as Markdown."""
    verdict = facts["gates"]
    lines = [
        f"# Catalog refresh {facts['started']}",
        "",
        f"- Result: **{facts['result']}**",
        f"- Started from: {plain_cell(facts['start'])}",
        f"- Listings: {verdict['before']} before, {verdict['after']} after",
        f"- peerfind {facts['peerfind_version']}",
    ]
    if facts.get("manifest"):
        m = facts["manifest"]
        lines.append(f"- Published: {m['snapshot']} ({m['total']} listings, sha256 {m['sha256']})")
    lines += ["", "## Gates", ""]
    lines += [f"- STOP: {plain_cell(f)}" for f in verdict["failures"]] or ["- all passed"]
    lines += ["", "## Sources that kept their previous listings", ""]
    lines += [f"- {plain_cell(n)}" for n in verdict["named"]] or ["- none"]
    lines += [
        "",
        "## Sources",
        "",
        "| source | status | added | updated | unchanged | removed |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in facts["sources"]:
        lines.append(
            f"| {plain_cell(r['name'])} | {r['status']} | {r['added']} | {r['updated']} | "
            f"{r['unchanged']} | {r['removed']} |"
        )
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    """Write a text file atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def upload(out: Path, repo: str, manifest: dict[str, Any], tag: str) -> None:
    """Create a GitHub release of `repo` holding the snapshot, manifest and reports (gh CLI)."""
    if shutil.which("gh") is None:
        raise StepFailed(
            "--gh-repo needs the GitHub CLI (gh) on PATH; the snapshot is in "
            f"{out} but was not uploaded."
        )
    files = [
        out / manifest["snapshot"],
        out / "manifest.json",
        out / "run-report.md",
        out / "run-report.json",
        out / "coverage.md",
        out / "coverage.json",
    ]
    done = subprocess.run(
        [
            "gh",
            "release",
            "create",
            tag,
            *map(str, files),
            "--repo",
            repo,
            "--title",
            f"Catalog {tag.removeprefix('catalog-')}",
            "--notes-file",
            str(out / "run-report.md"),
            "--latest",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise StepFailed(f"gh release create failed: {_last_line(done)}")


def commit_report(report: Path, dest: Path, message: str) -> str:
    """Copy the run report into the checkout at `dest`, commit and push; return what happened."""
    dest = dest.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(report, dest)
    steps = (
        ["git", "add", str(dest)],
        ["git", "commit", "-q", "-m", message, "--", str(dest)],
        ["git", "push", "-q"],
    )
    for cmd in steps:
        done = subprocess.run(cmd, cwd=dest.parent, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"run report not committed ({' '.join(cmd[:2])}: {_last_line(done)})"
    return f"run report committed as {dest}"


def refresh(args: argparse.Namespace) -> int:
    """Run every step; return the exit status."""
    out = Path(args.out)
    work = Path(args.work) if args.work else out.with_name(out.name + "-work")
    for folder in (out, work):
        folder.mkdir(parents=True, exist_ok=True)
    db, previous = work / "catalog.db", work / "previous.db"
    started = datetime.now(UTC)
    facts: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "peerfind_version": peerfind.__version__,
        "result": "",
        "start": args.start,
        "sources": [],
        "manifest": None,
        "gates": {"failures": [], "named": [], "before": 0, "after": 0},
    }
    code = 1
    try:
        say(f"starting from {args.start}")
        facts["start"] = start_catalog(args.start, db, work)
        _copy_catalog(db, previous)
        last = gates.last_run_id(db)
        say("scraping every enabled source")
        scrape(db, work, args)
        runs = gates.runs_since(db, last)
        facts["sources"] = [vars(r) for r in runs]
        verdict = gates.evaluate(
            previous, db, runs, max_failed=args.max_failed, max_loss=args.max_loss
        )
        facts["gates"] = {
            "failures": verdict.failures,
            "named": verdict.named,
            "before": verdict.before,
            "after": verdict.after,
        }
        cover = gates.coverage_report(previous, db)
        _write(out / "coverage.json", json.dumps(cover, indent=2) + "\n")
        _write(out / "coverage.md", gates.coverage_markdown(cover))
        for line in verdict.named:
            say(f"kept previous listings: {terminal_safe(line)}")
        if not verdict.passed:
            facts["result"] = "STOPPED: nothing published"
            for line in verdict.failures:
                say(f"gate: {terminal_safe(line)}")
        else:
            done = _peerfind(db, "publish", str(out), log=work / "publish.log")
            if done.returncode != 0:
                raise StepFailed(f"peerfind publish failed: {_last_line(done)}")
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            facts["manifest"] = {k: manifest[k] for k in ("snapshot", "sha256", "total", "date")}
            facts["result"] = "published"
            code = 0
    except StepFailed as exc:
        facts["result"] = f"FAILED: {exc}"
        say(str(exc))
    facts["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    _write(out / "run-report.json", json.dumps(facts, indent=2) + "\n")
    _write(out / "run-report.md", run_report(facts))
    say(f"{facts['result']} (report: {out / 'run-report.md'})")
    if code == 0 and args.gh_repo:
        tag = "catalog-" + started.strftime("%Y%m%d-%H%M%S")
        try:
            upload(out, args.gh_repo, facts["manifest"], tag)
            say(f"uploaded release {tag} to {args.gh_repo}")
        except StepFailed as exc:
            say(str(exc))
            code = 1
    if args.commit_report:
        say(
            commit_report(
                out / "run-report.md",
                Path(args.commit_report),
                f"Catalog refresh {facts['started']}: {facts['result'][:60]}",
            )
        )
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the refresh with command-line arguments; return the exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return refresh(args)
    except KeyboardInterrupt:
        say("interrupted; nothing more was published")
        return 130
    except OSError as exc:
        say(f"stopped: {exc.strerror or exc} ({getattr(exc, 'filename', '') or ''})")
        return 1
