"""`peerfind new-scraper NAME` writes a working skeleton whose test fails until a page is recorded;
the authoring API is importable from `peerfind` itself, lazily."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peerfind.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
NAME = "example_center"
BARE = ["scrapers/__init__.py", "tests/conftest.py", "tests/scraper_fixtures.py"]  # before
FILES = [
    f"scrapers/{NAME}.py",
    f"tests/fixtures/{NAME}/README.md",
    f"tests/fixtures/{NAME}/pages.json",
    f"tests/scrapers/test_scraper_{NAME}.py",
]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """Return a folder shaped like a peerfind checkout: a scrapers package and tests/."""
    (tmp_path / "scrapers").mkdir()
    (tmp_path / "scrapers" / "__init__.py").write_text('"""Scrapers."""\n')
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "scraper_fixtures.py", tmp_path / "tests")
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "tests")  # puts tests/ on the path
    return tmp_path


def _new(root: Path, *args: str):  # type: ignore[no-untyped-def]
    """Run `peerfind new-scraper ARGS --root ROOT`."""
    return CliRunner().invoke(app, ["new-scraper", *args, "--root", str(root)])


def _files(root: Path) -> list[str]:
    """Return every file under root, relative."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _pytest(root: Path) -> subprocess.CompletedProcess[str]:
    """Run the generated test module in its checkout, with its scrapers package first."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(root),
            f"tests/scrapers/test_scraper_{NAME}.py",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_writes_the_module_the_fixture_folder_and_the_test(checkout: Path) -> None:
    result = _new(
        checkout,
        NAME,
        "--organization",
        "Example Community Center",
        "--url",
        "https://community.example.org/support-groups/",
    )
    assert result.exit_code == 0, result.output
    assert all((checkout / f).is_file() for f in FILES)
    module = (checkout / FILES[0]).read_text()
    assert "class ExampleCenter(Scraper):" in module and 'name = "example_center"' in module
    assert '"https://community.example.org/support-groups/",' in module
    assert "from peerfind import Follow, Group, Page, Scraper" in module
    assert "record a real response here" in (checkout / FILES[1]).read_text().lower()
    assert json.loads((checkout / FILES[2]).read_text()) == {}


def test_the_generated_files_are_ruff_clean(checkout: Path) -> None:
    assert _new(checkout, NAME).exit_code == 0
    shutil.copy(ROOT / "pyproject.toml", checkout)  # the project's rules, this folder's imports
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *FILES[::3]],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_generated_test_fails_until_a_recorded_page_yields_a_group(checkout: Path) -> None:
    assert _new(checkout, NAME).exit_code == 0
    first = _pytest(checkout)
    assert first.returncode == 1 and "no group parsed: record a real response" in first.stdout
    # A page in the shape the skeleton reads (made up here, never shipped) makes it pass.
    folder = checkout / "tests" / "fixtures" / NAME
    (folder / "index.html").write_text(
        '<article class="group"><h3>Grief Circle</h3><p class="when">Every Tuesday 7 pm</p>'
        '<p class="where">500 Example Street, Salem, OR 97301</p></article>'
    )
    (folder / "pages.json").write_text(
        json.dumps(
            {
                "index.html": {
                    "url": "https://example.org/support-groups/",
                    "fetched_at": "2026-01-02T16:00:00+00:00",
                    "headers": {"Content-Type": "text/html; charset=utf-8"},
                }
            }
        )
    )
    second = _pytest(checkout)
    assert second.returncode == 0, second.stdout[-3000:]


def test_an_existing_name_is_refused_and_nothing_is_written(checkout: Path) -> None:
    assert _new(checkout, NAME).exit_code == 0
    (checkout / FILES[0]).write_text("# the author's work\n")
    before = _files(checkout)
    again = _new(checkout, NAME)
    assert again.exit_code == 2 and "exists already" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert _files(checkout) == before
    assert (checkout / FILES[0]).read_text() == "# the author's work\n"


def test_a_name_the_registry_knows_is_refused(checkout: Path) -> None:
    result = _new(checkout, "pflag")
    assert result.exit_code == 2 and "a source named 'pflag' exists already" in result.stderr
    assert _files(checkout) == BARE


@pytest.mark.parametrize(
    "bad",
    [
        "Example",
        "example-center",
        "1center",
        "class",
        "x" * 31,
        "with space",
        "trailing_",
        "café",
        "../escape",
        "",
    ],
)
def test_a_bad_identifier_is_one_line_and_exit_2(checkout: Path, bad: str) -> None:
    result = _new(checkout, bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("peerfind: ") and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert _files(checkout) == BARE


def test_a_bad_url_or_organization_is_refused(checkout: Path) -> None:
    assert "--url" in _new(checkout, NAME, "--url", "http://plain.example.org/").stderr
    assert "--organization" in _new(checkout, NAME, "--organization", " ").stderr
    assert not (checkout / FILES[0]).exists()


def test_a_folder_that_is_no_checkout_is_refused(tmp_path: Path) -> None:
    result = _new(tmp_path, NAME)
    assert result.exit_code == 2 and "peerfind checkout" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_authoring_api_is_importable_from_peerfind() -> None:
    from peerfind import Follow, Group, Page, Schedule, Scraper, models, scraping

    assert (Scraper, Group, Schedule, Page, Follow) == (
        scraping.Scraper,
        models.Group,
        models.Schedule,
        models.Page,
        models.Follow,
    )
    with pytest.raises(ImportError):
        from peerfind import NoSuchThing  # noqa: F401


def test_importing_peerfind_loads_no_authoring_module() -> None:
    code = (
        "import sys, peerfind\n"
        "print(sorted(m for m in sys.modules if m.startswith('peerfind.')))\n"
        "from peerfind import Scraper\n"
        "print(Scraper.__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.stdout.splitlines() == ["[]", "peerfind.scraping"], done.stderr
