"""The tree follows DESIGN.md's layout: packages, imports one way, no circles (issue 18).

Every `import` and `from … import` in peerfind/ is read with ast, including those inside
functions (a lazy import is still a dependency). A module may import its own package, the ground
floor, and packages of a lower layer; never a higher one, and no set of modules may import each
other in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "peerfind"
# DESIGN.md: cli -> (search, export, sources, catalog) -> (schedule, places, fetch) -> ground;
# scrapers -> platforms -> ground. catalog sits under search/export/sources, which read it;
# platforms (and the scraper authoring API) use schedule and places.
LAYERS = {
    "cli": 6,
    "search": 5,
    "export": 5,
    "sources": 5,
    "catalog": 4,
    "platforms": 3,
    "scraping": 3,
    "schedule": 2,
    "places": 2,
    "fetch": 2,
}
GROUND = 1  # models, vocab, errors, clean, paths, evidence, feedback, fellowships, ...
GROUND_MODULES = {
    "models",
    "vocab",
    "errors",
    "clean",
    "scraping",
    "paths",
    "evidence",
    "feedback",
    "fellowships",
    "language_names",
    "shipped",
}
# Entry points above every layer: `python -m peerfind`, and the package root, which re-exports
# the scraper authoring API (Scraper, Group, …) lazily.
ENTRY = {"peerfind.__main__", "peerfind"}


def modules() -> dict[str, Path]:
    """Return every module of the package by dotted name."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        found[name] = path
    return found


def imports() -> dict[str, set[str]]:
    """Return, for each module, the peerfind modules it imports anywhere in its code."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:  # `from peerfind.catalog import db`: the module db
                    full = f"{node.module}.{alias.name}"
                    targets.append(full if full in known else node.module)
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            graph[name] |= {t for t in targets if t in known and t != name}
    return graph


def layer(name: str, importer: bool = False) -> int:
    """Return the layer of a module (the package root's constants are ground floor to others)."""
    parts = name.split(".")
    if name in ENTRY and importer:
        return 99
    return LAYERS.get(parts[1], GROUND) if len(parts) > 1 else GROUND


def test_the_tree_is_packages_and_a_small_ground_floor() -> None:
    flat = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert flat == GROUND_MODULES, "a new module belongs in one of DESIGN's packages"
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(LAYERS) - {"scraping"}


def test_no_import_goes_up_a_layer() -> None:
    upward = sorted(
        f"{a} -> {b}"
        for a, targets in imports().items()
        for b in targets
        if layer(b) > layer(a, importer=True)
    )
    assert upward == []


def test_no_import_circle() -> None:
    graph = imports()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                circles.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert circles == []


def test_the_checks_see_a_circle_and_an_upward_import() -> None:
    """The walk finds what it must: engine imports online lazily, catalog is under search."""
    graph = imports()
    assert "peerfind.search.online" in graph["peerfind.search.engine"]
    assert "peerfind.catalog.db" in graph["peerfind.search.near"]
    assert layer("peerfind.catalog.db") < layer("peerfind.search.near")


def test_package_inits_only_describe_and_re_export() -> None:
    for init in PACKAGE.glob("*/__init__.py"):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        kinds = {type(node).__name__ for node in tree.body}
        assert kinds <= {"Expr", "ImportFrom", "Import", "Assign", "FunctionDef"}, init
        assert ast.get_docstring(tree), f"{init} says what its package is for"
