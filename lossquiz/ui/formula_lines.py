"""A formula wrapped where a reader would break it, never where Rich would.

Rich wraps text at any space, so `1/(2 N)` became `1/(2` and `N)` on two lines and `log p(x)` lost
its `log` to the line above. Here a line too wide is cut, in this order of preference: after a
top-level `, ` or `; ` (between two formulas), before a top-level `=` or binary `+`/`−`, then the same one
bracket deeper, and so on; only a term wider than the line on its own is cut at a space, or last
anywhere. Continuation lines are indented two columns; nothing is dropped.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text

_OPEN, _CLOSE = "([{⟨⌊⌈", ")]}⟩⌋⌉"
_RELATIONS = "=≤≥≈≠<>←⇒"
_SIGNS = "+−-±∓"
INDENT = "  "
NARROWEST = 12  # below this no layout reads well: cut anyway, never loop


SHORT_SIDE = 12  # a left-hand side this narrow stays with its `=` (no `ℒ` alone on a line)


def _depths(line: str) -> list[int]:
    """The bracket depth of each character (a bracket itself at the depth outside it); -1 inside a
    sub- or superscript group such as `_(k≠i)`, which is never cut."""
    depths: list[int] = []
    stack: list[bool] = []  # each open bracket: is it a script group
    for i, ch in enumerate(line):
        if ch in _CLOSE and stack:
            stack.pop()
        depths.append(-1 if any(stack) else len(stack))
        if ch in _OPEN:
            stack.append(line[i - 1 : i] in ("_", "^"))
    return depths


def _cuts(line: str, depths: list[int], lo: int, hi: int, stage: int) -> list[int]:
    """Where line[lo:hi] may be cut at `stage`: even stages after `, ` or `; `, odd ones before a relation
    or a binary sign, both at bracket depth stage // 2."""
    depth, commas = stage // 2, stage % 2 == 0
    cuts = []
    for i in range(lo + 1, hi):
        if depths[i] != depth:
            continue
        ch = line[i]
        if commas:
            if ch in ",;" and line[i + 1 : i + 2] == " " and i + 2 < hi:
                cuts.append(i + 2)
        elif ch in _RELATIONS or ch in _SIGNS:
            before = line[lo:i].rstrip()
            if not before or before[-1] in _RELATIONS + _SIGNS + _OPEN + ",":
                continue  # a unary sign
            if ch in _RELATIONS and not cuts and cell_len(before) <= SHORT_SIDE:
                continue  # a short left-hand side stays with its relation
            cuts.append(i)
    return cuts


def _fold(piece: str, width: int) -> list[str]:
    """A term wider than a line: cut at its spaces where they fit, else every `width` cells."""
    out: list[str] = []
    current = ""
    for word in piece.split(" "):
        joined = f"{current} {word}" if current else word
        if cell_len(joined) <= width:
            current = joined
            continue
        if current:
            out.append(current)
        while cell_len(word) > width:
            cut = len(word)
            while cut > 1 and cell_len(word[:cut]) > width:
                cut -= 1
            out.append(word[:cut])
            word = word[cut:]
        current = word
    return [*out, current] if current else out


def _wrap_line(line: str, width: int) -> list[str]:
    if cell_len(line) <= width:
        return [line]
    depths = _depths(line)
    last_stage = 2 * max(depths, default=0) + 1
    lines: list[str] = []
    current = ""

    def place(lo: int, hi: int, stage: int) -> None:
        nonlocal current
        piece = line[lo:hi]
        if cell_len(current + piece) <= width:
            current += piece
            return
        if current.strip():
            lines.append(current.rstrip())
            current = "" if stage == 0 else INDENT  # after a top-level `, `: the next formula
            piece = piece.lstrip()
            lo = hi - len(piece)
            if cell_len(current + piece) <= width:
                current += piece
                return
        for deeper in range(stage + 1, last_stage + 1):
            cuts = _cuts(line, depths, lo, hi, deeper)
            if cuts:
                for a, b in zip([lo, *cuts], [*cuts, hi], strict=True):
                    place(a, b, deeper)
                return
        *full, rest = _fold(piece, width - len(INDENT)) or [""]
        for part in full:
            lines.append((current + part).rstrip())
            current = INDENT
        current += rest

    place(0, len(line), -1)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def wrap(text: str, width: int) -> list[str]:
    """`text` (a formula: one line, or the rows of a cases brace) as lines of at most `width` cells."""
    width = max(width, NARROWEST)
    return [out for line in text.splitlines() or [""] for out in _wrap_line(line, width)]


class Formula:
    """A formula as a renderable: wrapped by `wrap` at whatever width it is drawn."""

    def __init__(self, text: str, *, style: str = "") -> None:
        self.text, self.style = text, style

    def __rich_console__(self, console: Any, options: Any) -> Any:
        for line in wrap(self.text, options.max_width):
            yield Text(line, style=self.style, no_wrap=True, overflow="ignore", end="\n")

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        widest = max((cell_len(line) for line in self.text.splitlines()), default=0)
        return Measurement(min(widest, NARROWEST), widest)
