"""Write data/languages.tsv: language names, in English and in the language itself -> codes.

The names come from the Unicode CLDR data shipped in the Babel package (BSD; run with Babel
installed, e.g. `pip install --target /tmp/babel babel` and PYTHONPATH=/tmp/babel). The codes are
those the feeds use (peerfind/platforms/mg_types.py) plus the most common other languages of
US peer support listings. peerfind.vocab.language_named reads the file when a --language
word is resolved. Re-run after adding a code:

    PYTHONPATH=/tmp/babel python data/build_languages.py
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import babel
from babel import Locale

CODES = (
    "af am ar bg cs da de el en es fa fi fr he hi hr ht hu hy is it ja ka km ko lt ml mt ne nl no",
    "pa pl pt ro ru sk sl so sv sw th tl tr uk ur vi zh",
)
OUT = Path(__file__).resolve().parent / "languages.tsv"


def _plain(text: str) -> str:
    """Return text lower-cased without accents (the lookup also accepts that spelling)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def main() -> None:
    """Write the table of names -> code, one `name<TAB>code` line each, sorted by name."""
    english = Locale("en")
    names: dict[str, str] = {}
    for code in " ".join(CODES).split():
        own = Locale.parse(code).get_display_name(code) or ""
        for name in (english.languages.get(code, ""), own):
            for key in {name.lower(), _plain(name)}:
                if key and key not in names:
                    names[key] = code
    lines = [
        "# Language names (English and the language's own, lower case, also without accents)",
        "# -> ISO 639-1 codes: name<TAB>code. Written by data/build_languages.py from the Unicode",
        f"# CLDR data in Babel {babel.__version__}; do not edit by hand.",
        *(f"{k}\t{v}" for k, v in sorted(names.items())),
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
