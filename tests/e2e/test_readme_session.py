"""README.md's "A short session" is the real tool's output (docs/make_readme.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():  # type: ignore[no-untyped-def]
    """Load docs/make_readme.py as a module."""
    spec = importlib.util.spec_from_file_location("make_readme", ROOT / "docs" / "make_readme.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_session_matches_the_tool() -> None:
    script = _script()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.BEGIN in readme and script.END in readme
    fresh = script.replaced(readme, script.session())
    assert fresh == readme, "README.md's session drifted: run python docs/make_readme.py"


def test_replaced_touches_only_the_generated_part() -> None:
    script = _script()
    text = f"intro\n{script.BEGIN}\nold\n{script.END}\noutro\n"
    assert script.replaced(text, "new") == f"intro\n{script.BEGIN}\nnew\n{script.END}\noutro\n"
