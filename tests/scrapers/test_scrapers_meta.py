"""Meta-tests: every scraper in the `scrapers` package has a test module and recorded fixtures."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path

import pytest

import scrapers
from peerfind.scraping import Scraper

TESTS = Path(__file__).parents[1]
NOT_FIXTURES = {"pages.json", "README.md"}  # the manifest, and how to record (new-scraper)


def scraper_classes() -> list[tuple[str, type[Scraper]]]:
    """Return (module name, class) for every Scraper subclass defined in the scrapers package."""
    found = []
    for info in pkgutil.iter_modules(scrapers.__path__, prefix="scrapers."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Scraper) and obj.__module__ == info.name:
                found.append((info.name.rpartition(".")[2], obj))
    return found


CLASSES = scraper_classes()


def test_the_package_has_scrapers():
    assert {name for name, _ in CLASSES} >= {
        "nami_affiliates",
        "pathminder",
        "pflag",
        "mha_affiliates",
    }


@pytest.mark.parametrize(("module", "cls"), CLASSES, ids=[c.__name__ for _, c in CLASSES])
def test_name_is_the_module_name(module, cls):
    assert cls.name == module


@pytest.mark.parametrize(("module", "cls"), CLASSES, ids=[c.__name__ for _, c in CLASSES])
def test_identity_is_data(module, cls):
    assert cls.organization and cls.start_urls
    assert all(url.startswith("https://") for url in cls.start_urls)


@pytest.mark.parametrize(("module", "cls"), CLASSES, ids=[c.__name__ for _, c in CLASSES])
def test_has_a_test_module(module, cls):
    assert (TESTS / "scrapers" / f"test_scraper_{cls.name}.py").is_file(), (
        f"tests/scrapers/test_scraper_{cls.name}.py"
    )


@pytest.mark.parametrize(("module", "cls"), CLASSES, ids=[c.__name__ for _, c in CLASSES])
def test_has_fixtures_with_a_manifest(module, cls):
    folder = TESTS / "fixtures" / cls.name
    files = [p for p in folder.glob("*") if p.name not in NOT_FIXTURES] if folder.is_dir() else []
    assert files, f"no fixture under tests/fixtures/{cls.name}/"
    manifest = json.loads((folder / "pages.json").read_text(encoding="utf-8"))
    assert sorted(manifest) == sorted(p.name for p in files)


@pytest.mark.parametrize(("module", "cls"), CLASSES, ids=[c.__name__ for _, c in CLASSES])
def test_fixtures_are_attributed(module, cls):
    attribution = (TESTS / "fixtures" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for path in (TESTS / "fixtures" / cls.name).glob("*"):
        if path.name not in NOT_FIXTURES:
            assert f"{cls.name}/{path.name}" in attribution
