"""`peerfind new-scraper NAME`: write a scraper module, its fixture folder and a failing test.

Like City Scrapers' `genspider`: the module has the shape of docs/writing-a-scraper.md, the test
fails on purpose until a real response is recorded in the fixture folder and the parser reads
it. Nothing here fetches anything.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from peerfind.errors import UsageError

NAME = re.compile(r"[a-z][a-z0-9_]{0,29}")  # a module name, short enough for one line
MAX_ORGANIZATION = 80
PLACEHOLDER_URL = "https://example.org/support-groups/"


@dataclass(frozen=True)
class Scaffold:
    """The files of one new scraper, relative to the checkout they belong in."""

    name: str
    organization: str
    url: str

    @property
    def class_name(self) -> str:
        """Return the scraper's class name: example_center -> ExampleCenter."""
        return "".join(part.capitalize() for part in self.name.split("_") if part)

    def files(self) -> dict[str, str]:
        """Return {relative path: text} of every file to write."""
        folder = f"tests/fixtures/{self.name}"
        return {
            f"scrapers/{self.name}.py": self.module(),
            f"{folder}/README.md": self.fixture_readme(),
            f"{folder}/pages.json": "{}\n",
            f"tests/scrapers/test_scraper_{self.name}.py": self.test(),
        }

    def docstring(self) -> str:
        """Return the first line of the module's docstring."""
        plain = self.organization.replace("\\", "/").replace('"', "'")
        return f"{plain}: support groups listed on its website."

    def module(self) -> str:
        """Return the scraper module: identity as data and a parse() to finish."""
        return f'''"""{self.docstring()}

Say here what the pages look like: where the groups are listed, what each listing holds, and any
page parse() follows. See docs/writing-a-scraper.md. Made by `peerfind new-scraper`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from peerfind import Follow, Group, Page, Scraper
from peerfind.platforms.htmltools import lines, soup, split_address
from peerfind.schedule.phrases import read_schedule

GROUP = "article.group"  # the CSS selector of one group's block on the page: change it
TIMEZONE: str | None = None  # the IANA zone of the groups, e.g. "America/Chicago", if one


class {self.class_name}(Scraper):
    """One listing per group block of the start page (see the module docstring)."""

    name = "{self.name}"  # = the module name
    organization = {_quoted(self.organization)}
    start_urls = (
        {_quoted(self.url)},
    )
    enabled_by_default = False  # delete once the tests pass on a recorded page

    def parse(self, page: Page) -> Iterator[Group | Follow]:
        """Yield a Group per group block on the page (and a Follow per further page to read)."""
        for block in soup(page).select(GROUP):
            name = _text(block.select_one("h2, h3"))
            if not name:
                self.report.skip("group without a name")
                continue
            text = block.get_text(" ", strip=True)
            yield self.group(
                page,
                source_key=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),  # or the site's id
                name=name,
                description=_text(block.select_one("p")),
                schedule=read_schedule(_text(block.select_one(".when")), TIMEZONE),
                format=self.detect_format(text),
                **split_address(lines(block.select_one(".where"))),
            )


def _text(tag: Any) -> str:
    """Return the stripped text of an element ('' when missing)."""
    return tag.get_text(" ", strip=True) if tag is not None else ""
'''

    def test(self) -> str:
        """Return the test module, which fails until a recorded page yields a group."""
        return f'''"""Tests of the {self.name} scraper.

They parse the pages recorded in its fixture folder (see the README.md there), never the network.
"""

from __future__ import annotations

import pytest
from scraper_fixtures import run_offline

from scrapers.{self.name} import {self.class_name}

AREA = "{self.name}"


@pytest.fixture(scope="module")
def crawl():
    """Parse every recorded page, following links through the fixtures only."""
    scraper = {self.class_name}()
    groups, missing = run_offline(scraper, AREA)
    return scraper, groups, missing


def test_the_recorded_pages_yield_groups(crawl):
    _, groups, _ = crawl
    assert groups, (f"no group parsed: record a real response in tests/fixtures/{{AREA}}/ "
                    "(see its README.md), then make parse() read it")


def test_every_page_followed_is_recorded(crawl):
    assert crawl[2] == [], "record these pages too (and list them in pages.json)"


# Next: one test per field of a concrete record, with the values the recorded page shows, e.g.
# def test_first_group_name(crawl):
#     assert crawl[1][0].name == "…"
'''

    def fixture_readme(self) -> str:
        """Return the fixture folder's README: record a real response here."""
        from peerfind import USER_AGENT

        return f"""# Recorded pages for the {self.name} scraper

Record a real response here: the tests of `scrapers/{self.name}.py` parse these files, never the
network (see docs/writing-a-scraper.md, "Tests").

1. Save each page the scraper reads (its start URL, then each page `parse()` follows) exactly as
   the site served it, after checking that the site's robots.txt allows it, e.g.

       curl -sS -A "{USER_AGENT}" -o index.html "{self.url}"

2. List every file in `pages.json` with the URL it stands for, when it was fetched and its
   headers:

       {{"index.html": {{"url": "{self.url}",
                       "fetched_at": "2026-01-02T16:00:00+00:00",
                       "headers": {{"Content-Type": "text/html; charset=utf-8"}}}}}}

3. Add a line per file (and one for `pages.json`) to `tests/fixtures/ATTRIBUTION.md`: where it
   came from and its licence. Replace people's names and personal phone numbers or e-mails with
   placeholders; keep organizations' public details as published.

Then run:

    python -m pytest tests/scrapers/test_scraper_{self.name}.py \\
        tests/scrapers/test_scrapers_meta.py -q

It fails until parse() reads a group from the recorded page.
"""


def check_name(name: str) -> str:
    """Return `name` if it can name a scraper module; raise UsageError saying why not."""
    if not NAME.fullmatch(name) or keyword.iskeyword(name) or name.endswith("_"):
        raise UsageError(
            f"{name!r} cannot name a scraper: use lower-case letters, digits and _, "
            "starting with a letter, e.g. example_center"
        )
    return name


def check_organization(text: str) -> str:
    """Return the organization's name cleaned for code; raise UsageError when empty or long."""
    from peerfind.clean import clean_text

    name = clean_text(text, limit=10_000)
    if not name or len(name) > MAX_ORGANIZATION:
        raise UsageError(
            f"--organization {text!r}: give the organization's name (at most "
            f'{MAX_ORGANIZATION} characters), e.g. "Example Community Center"'
        )
    return name


def _quoted(text: str) -> str:
    """Return a double-quoted Python string literal of `text`."""
    return json.dumps(text, ensure_ascii=False)


def check_url(url: str) -> str:
    """Return `url` if it is an https:// start URL; raise UsageError otherwise."""
    if not re.fullmatch(r"https://[^\s/?#]+[^\s]*", url):
        raise UsageError(f"--url {url!r}: give the https:// page the scraper starts from")
    return url


def write(root: Path, scaffold: Scaffold, known: Collection[str] = ()) -> list[Path]:
    """Write the scaffold's files under the checkout `root` and return their paths.

    Refuses, writing nothing, when `root` is not a peerfind checkout, or when the name is in
    `known` (the sources the registry knows) or any of the files already exists.
    """
    if not (root / "scrapers" / "__init__.py").is_file() or not (root / "tests").is_dir():
        raise UsageError(
            f"{root} has no scrapers/ package and tests/ folder: run this in a "
            "peerfind checkout, or give --root"
        )
    name = scaffold.name
    if name in known:
        raise UsageError(
            f"a source named {name!r} exists already: choose another name (see `peerfind sources`)"
        )
    targets = {root / path: text for path, text in scaffold.files().items()}
    taken = [p for p in (*targets, root / "tests" / "fixtures" / name) if p.exists()]
    if taken:
        raise UsageError(f"{taken[0]} exists already: choose another name, or finish that one")
    for path, text in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(targets)
