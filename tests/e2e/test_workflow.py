"""The scheduled refresh workflow is valid YAML and every step that runs something runs
scripts/refresh (issue 19); it cannot run here, so its shape is what is checked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "refresh.yml"


def load() -> dict[object, object]:
    """Return the parsed workflow."""
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_workflow_is_scheduled_and_manual() -> None:
    flow = load()
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert isinstance(triggers, dict)
    crons = [entry["cron"] for entry in triggers["schedule"]]
    assert len(crons) == 1 and len(crons[0].split()) == 5
    assert "workflow_dispatch" in triggers
    assert flow["permissions"] == {"contents": "write"}


def test_every_run_step_names_the_script() -> None:
    jobs = load()["jobs"]
    runs = [step["run"] for job in jobs.values() for step in job["steps"] if "run" in step]
    assert runs, "the workflow runs nothing"
    for script in runs:
        assert "scripts/refresh" in script, script
    assert any("--commit-report" in s for s in runs)  # what keeps the schedule alive
    assert not any("${{" in s for s in runs)  # inputs reach the shell only through env


def test_script_is_executable_and_helps() -> None:
    script = REPO / "scripts" / "refresh"
    assert os.access(script, os.X_OK)
    assert script.read_text(encoding="utf-8").startswith("#!/usr/bin/env python3\n")
    shown = subprocess.run(
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0 and "Example: scripts/refresh" in shown.stdout
    bad = subprocess.run(
        [sys.executable, str(script), "--max-loss", "7"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "--max-loss is a share between 0 and 1" in bad.stderr
