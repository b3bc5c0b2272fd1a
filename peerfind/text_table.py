"""Plain text tables that fit the terminal and wrap cells only between words."""

from __future__ import annotations

import textwrap


def wrap_cell(text: str, width: int) -> list[str]:
    """Return a cell's lines, wrapped at spaces only (a word never breaks)."""
    return textwrap.wrap(text, max(1, width), break_long_words=False,
                         break_on_hyphens=False) or [""]


def render(heads: list[str], rows: list[list[str]], width: int, right: set[int]) -> str:
    """Return `rows` under `heads` within `width` columns, wrapping cells between words.

    Columns shrink from the one with the most slack down to their longest word; when even that
    does not fit, each row becomes a block of labelled lines instead (no word is ever broken).
    """
    least = [max([len(h)] + [max((len(w) for w in r[i].split()), default=0) for r in rows])
             for i, h in enumerate(heads)]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    gap = 2
    if sum(least) + gap * (len(heads) - 1) > width:
        return _blocks(heads, rows, width)
    while sum(widths) + gap * (len(widths) - 1) > width:
        i = max(range(len(widths)), key=lambda k: widths[k] - least[k])
        widths[i] -= 1
    out = []
    for cells in [heads, *rows]:
        wrapped = [wrap_cell(c, w) for c, w in zip(cells, widths, strict=True)]
        for n in range(max(len(w) for w in wrapped)):
            parts = []
            for i, (lines, w) in enumerate(zip(wrapped, widths, strict=True)):
                text = lines[n] if n < len(lines) else ""
                parts.append(text.rjust(w) if i in right else text.ljust(w))
            out.append((" " * gap).join(parts).rstrip())
    return "\n".join(out)


def _blocks(heads: list[str], rows: list[list[str]], width: int) -> str:
    """Return each row as its first cell followed by indented "Head: value" lines."""
    out = []
    for cells in rows:
        out.append(cells[0])
        for head, cell in zip(heads[1:], cells[1:], strict=True):
            out += textwrap.wrap(f"{head}: {cell}", max(20, width), initial_indent="  ",
                                 subsequent_indent="    ", break_long_words=False,
                                 break_on_hyphens=False)
    return "\n".join(out)
