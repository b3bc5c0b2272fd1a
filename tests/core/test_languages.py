"""Language names for --language come from data/languages.tsv, which build_languages writes."""

from __future__ import annotations

import ast
from pathlib import Path

from peerfind import vocab
from peerfind.paths import data_path

DATA = Path(__file__).resolve().parents[2] / "data"


def test_names_in_english_and_their_own_resolve_to_codes() -> None:
    named = {"spanish": "es", "Español": "es", "espanol": "es", "  Haitian   Creole ": "ht"}
    assert {name: vocab.language_named(name) for name in named} == named
    assert vocab.language_named("klingon") is None


def test_the_data_file_is_the_generators_output() -> None:
    """The generator writes the file vocab reads; each line is name<TAB>code after the header."""
    tree = ast.parse((DATA / "build_languages.py").read_text(encoding="utf-8"))
    out = next(
        ast.unparse(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "OUT"
    )
    assert out.endswith("/ 'languages.tsv'") and data_path("languages.tsv").is_file()
    lines = data_path("languages.tsv").read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    assert "build_languages.py" in " ".join(header) and "CLDR" in " ".join(header)
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    assert rows == sorted(rows) and len(rows) > 100
    assert all(len(r) == 2 and r[0] == r[0].lower() and len(r[1]) == 2 for r in rows)
