"""`$…$` and `$$…$$` math inside Markdown text: find it, replace it, make it readable.

Shared by the importer (formula extraction, key points), the exporters (MathJax for Anki)
and the terminal rendering (unicode instead of raw LaTeX). Code spans and fenced code are
skipped, so a `$HOME` in backticks is not math.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass

_TOKENS = re.compile(
    r"""
    (?P<fence>^[ ]{0,3}(?P<mark>```+|~~~+).*?(?:^[ ]{0,3}(?P=mark)[ \t]*$|\Z))  # fenced code, kept as is
    | (?P<tick>`+)[^\n]*?(?P=tick)                                            # inline code, kept as is
    | \\\$                                                                    # an escaped dollar
    | \$\$(?P<display>.+?)\$\$                                                # display math
    | (?<!\$)\$(?P<inline>[^\s$](?:[^$\n]*?[^\s\\$])?)\$(?![\d$])             # inline math
    """,
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)
_MARKDOWN_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


@dataclass(frozen=True, slots=True)
class Math:
    """One math span: its LaTeX, whether it is display math, and where it sits in the text."""

    tex: str
    display: bool
    start: int
    end: int


def spans(text: str) -> list[Math]:
    """Every math span in Markdown text, in order (code is skipped)."""
    found = []
    for m in _TOKENS.finditer(text):
        if m.group("display") is not None:
            found.append(Math(m.group("display").strip(), True, m.start(), m.end()))
        elif m.group("inline") is not None:
            found.append(Math(m.group("inline").strip(), False, m.start(), m.end()))
    return found


def replace(text: str, render: Callable[[Math], str]) -> str:
    """The text with each math span replaced by `render(span)`."""
    out, at = [], 0
    for span in spans(text):
        out.append(text[at : span.start])
        out.append(render(span))
        at = span.end
    out.append(text[at:])
    return "".join(out)


def has_math(text: str) -> bool:
    """True if the text holds at least one math span."""
    return "$" in text and bool(spans(text))


def unicode_math(tex: str) -> str:
    """One formula as readable unicode (pylatexenc is imported only for math not rendered before)."""
    from lossquiz.deck.latex_cache import to_unicode

    return to_unicode(tex)


def plain(text: str) -> str:
    """Math spans as unicode, for plain-text places (titles, key points)."""
    if "$" not in text:
        return text
    return replace(text, lambda m: unicode_math(m.tex))


def for_terminal(markdown: str) -> str:
    """Markdown with its math turned into unicode, escaped so Markdown leaves it alone."""
    if "$" not in markdown:
        return markdown

    def render(m: Math) -> str:
        lines = [_MARKDOWN_PUNCTUATION.sub(r"\\\1", line) for line in unicode_math(m.tex).splitlines()]
        if m.display:
            return "\n\n" + "  \n".join(lines) + "\n\n"
        return " ".join(lines)

    return replace(markdown, render)
