"""LaTeX formulas to readable terminal unicode (ŷ, ∑ᵢ, ½r², √x, ‖x‖²) via pylatexenc.

pylatexenc does symbols and accents well but flattens structure (`\\frac12` -> "12",
`\\sum_{i=1}^N` -> "∑_i=1^N"), so fractions, sub/superscripts and `cases` are rewritten
here first, innermost first, into unicode that pylatexenc passes through untouched.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_SUP = dict(
    zip(
        "0123456789+-=()niaTbcdefghjklmoprstuvwxyzABDEGHIJKLMNOPRUVWβγδθφχ",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵃᵀᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵁⱽᵂᵝᵞᵟᶿᵠᵡ",
        strict=True,
    )
)
_SUB = dict(
    zip(
        "0123456789+-=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
_SUP["−"], _SUB["−"] = _SUP["-"], _SUB["-"]  # the minus sign the rendering ends with, in a script too
_SUP["⊤"] = _SUP["T"]  # the transpose, w^\top: wᵀ
# an optimum, π^\star: π*, as the deck's prose writes it (unicode has no superscript star)
_SUP["⋆"] = _SUP["∗"] = _SUP["*"] = "*"
_SCRIPT_CHARS = "".join(sorted(set(_SUP.values()) | set(_SUB.values())))
_VULGAR = {("1", "2"): "½", ("1", "3"): "⅓", ("1", "4"): "¼", ("3", "4"): "¾", ("1", "8"): "⅛"}
_BLACKBOARD = {"1": "𝟙", "E": "𝔼", "R": "ℝ", "N": "ℕ", "Z": "ℤ", "P": "ℙ"}
_TAKES_ARGUMENT = frozenset(
    "hat bar tilde vec dot ddot widehat widetilde overline underline mathrm mathbf mathcal mathit mathsf "
    "boldsymbol bm text textbf textit operatorname left right big Big bigg Bigg bigl bigr Bigl Bigr".split()
)
# operator names LaTeX sets upright, and the functions among them, which get a space from their argument
_FUNCTION_NAMES = "log|exp|ln|lg|sinh|cosh|tanh|coth|sin|cos|tan|cot|sec|csc|arcsin|arccos|arctan"
_NAMED_OPERATORS = re.compile(
    rf"\\({_FUNCTION_NAMES}|min|max|argmin|argmax|arg|det|dim|ker|deg|gcd|sup|inf|lim|Pr)(?![A-Za-z])\s*"
)
# A sized or \left bracket after an operator name opens its argument: `max(`, as `\max(` is shown
_OPENING = re.compile(r"\\(?:left|[bB]igg?l?)\s*[(\[]")
# ≤ ≥ ≠ = < > with the spaces around them; a space right after a command's name only ends the name
_RELATION = re.compile(r"([ \t]*)(\\(?:leq?|geq?|neq?|approx)(?![A-Za-z])|(?<!\\left)(?<!\\right)[=<>])([ \t]*)")
_OPERATOR = re.compile(r"[\s+\-−/·⋅=<>≤≥,]")
# Math's `-` is a minus sign, shown as the deck's prose writes it (−, U+2212); in words set as text
# (`\text{log-sum-exp}`) it is a hyphen, held through the rendering as _HYPHEN.
_WORDS = re.compile(r"\\(?:text|textrm|textit|textbf|mathrm|operatorname)\s*\{[^{}]*\}")
_HYPHEN = "\u2010"


@cache
def _converter() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text  # deferred: only `show` renders formulas

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


def _group(text: str, i: int) -> tuple[str, int]:
    """The argument starting at text[i]: a {balanced group}, a \\command, or one character."""
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return "", i
    if text[i] == "{":
        depth = 0
        for j in range(i, len(text)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                return text[i + 1 : j], j + 1
        return text[i + 1 :], len(text)
    if text[i] == "\\":
        m = re.match(r"\\([A-Za-z]+|.)", text[i:])
        assert m is not None
        return m.group(0), i + len(m.group(0))
    return text[i], i + 1


def _script(body: str, table: dict[str, str], mark: str) -> str:
    inner = re.sub(r" *([=<>≤≥≠≈]) *", r"\1", to_unicode(body))  # a script is set tight: ∑_(k≥0)
    if inner and all(ch in table for ch in inner):
        return "".join(table[ch] for ch in inner)
    if len(inner) <= 1 or inner.isalnum():
        return mark + inner
    return f"{mark}({inner})"


# One symbol, however decorated: π_ref, xᵢ², ŷ, θ^(k) (a base letter and its scripts and accents)
_SCRIPTS = re.compile(r"[_^](?:\([^()]*\)|\w+)|[\u0300-\u036f\u1d2c-\u1dbf\u2070-\u209f⁰¹²³]")
# A function name a fraction may directly follow: `log π(y|x)/π_ref(y|x)` reads as (log π)/π_ref
_APPLIED = re.compile(rf"(?:(?<![A-Za-z\\])(?:{_FUNCTION_NAMES})|\\sigma(?:\{{\}})?)(?:\s|\\[,;:! ])*$")
_SPACES = frozenset((" ", "\\,", "\\;", "\\:", "\\!", "\\ "))


def _symbol(part: str) -> bool:
    return len(_SCRIPTS.sub("", part)) <= 1


def _one_group(part: str, *, denominator: bool) -> bool:
    """Whether the part is one bracketed group, bare or applied (`(a+b)`, `exp(zᵀc/τ)`): already unambiguous.

    Below the bar a one-letter name is not taken as applied: `x/n(n−1)` would read as (x/n)(n−1)."""
    m = re.match(r"[^\W\d_]{2,}\(|\(" if denominator else r"[^\W\d_]*\(", part)
    if not m:
        return False
    depth = 0
    for i in range(m.end() - 1, len(part)):
        depth += {"(": 1, ")": -1}.get(part[i], 0)
        if depth == 0:
            return i == len(part) - 1
    return False


# −1 or −x over a bar reads as one term: (−1)/|P(i)| would bracket what cannot be misread.
_SIGNED_ATOM = re.compile(r"[−-](?:\d+(?:\.\d+)?|[^\W\d_])")


def _wrap(part: str, *, denominator: bool = False) -> str:
    """Parenthesise a fraction part that would read ambiguously: a+b, or an implicit product 2N or gᵀFg."""
    if _one_group(part, denominator=denominator) or _SIGNED_ATOM.fullmatch(part):
        return part
    implicit_product = part[:1].isdigit() and any(ch.isalpha() for ch in part)
    implicit_product |= bool(re.search(f"[{_SCRIPT_CHARS}](?![{_SCRIPT_CHARS}])[^\\W\\d_]", part))
    return f"({part})" if len(part) > 1 and (_OPERATOR.search(part) or implicit_product) else part


# What may follow a flattened fraction without reading as part of its denominator (`a/b + c`,
# `a/b)`): operators, relations, closing brackets, spacing, and the end of the formula.
_APART = frozenset("+-−=<>≤≥≠≈,;:.!?')]}&*/")
_APART_COMMANDS = frozenset(
    "cdot times div pm mp le leq ge geq neq approx propto sim simeq equiv to rightarrow Rightarrow leftarrow "
    "gets mapsto implies iff in notin subset subseteq right bigr Bigr biggr Biggr rangle rvert rVert end "
    "quad qquad ldots cdots dots".split()
)
_SIZES = frozenset("big Big bigg Bigg".split())
_SPACING = re.compile(r"(?:\\[,;:! ]|\\q?quad(?![A-Za-z])|\{\}|\s)+")


def _bars(text: str) -> int:
    """How many |/‖ bars the text holds (outside commands): an even count before a bar opens it."""
    return len(re.findall(r"(?<!\\)[|‖]", text))


def _glued(text: str, i: int, *, opening_bars: bool) -> str | None:
    """What to put between a flattened fraction ending at text[i] and what follows it, when that
    would read as part of its denominator (`1/nclip(r)` as 1/(n·clip(r))): the fraction is then
    parenthesised, with a space before a word or symbol, none before a bracket or a script.
    None when what follows keeps apart from the fraction (an operator, a closing bracket, the end)."""
    spacing = _SPACING.match(text, i)
    j = spacing.end() if spacing else i
    if j >= len(text):
        return None
    char = text[j]
    if char in "([^_":
        return ""
    if char in "|‖":
        return " " if opening_bars else None
    if char == "\\":
        name = re.match(r"\\([A-Za-z]+)", text[j:])
        if name is None or name.group(1) in _APART_COMMANDS:
            return None
        words = _WORDS.match(text, j)
        if words and not re.match(r"\\\w+\s*\{\w", words.group(0)):  # a note set as text: \text{ (ArcFace)}
            return None
        if name.group(1) in _SIZES:  # \big( opens a bracket, \big) closes one
            return "" if text[j + len(name.group(0)) : j + len(name.group(0)) + 1] in ("(", "[", "\\") else None
        return "" if name.group(1) in ("left", "bigl", "Bigl", "biggl", "Biggl") else " "
    return None if char in _APART else " "


def _structure(text: str) -> str:
    """Rewrite \\frac, \\sqrt, \\mathbb, _ and ^ (recursively) into unicode."""
    out: list[str] = []
    i = 0
    while i < len(text):
        m = re.match(r"\\([dt]?frac|sqrt|mathbb)(?![A-Za-z])", text[i:])
        if m:
            i += len(m.group(0))
            if m.group(1) == "sqrt":
                arg, i = _group(text, i)
                out.append("√" + _wrap(to_unicode(arg)))
            elif m.group(1) == "mathbb":
                arg, i = _group(text, i)
                out.append(_BLACKBOARD.get(arg.strip(), arg))
            else:
                start = i - len(m.group(0))
                num, i = _group(text, i)
                den, i = _group(text, i)
                n, d = to_unicode(num), to_unicode(den)
                vulgar = _VULGAR.get((n, d))
                glued = None if vulgar else _glued(text, i, opening_bars=_bars(text[:start]) % 2 == 0)
                applied = None if vulgar or glued is not None else _APPLIED.search("".join(out[-12:]))
                if applied and not (_symbol(n) and _symbol(d)):  # the function's argument, in brackets
                    while out[-1] in _SPACES:
                        out.pop()  # `log(a(x)/b)`, as `log(x)` is written
                    glued = ""
                bar = f"{_wrap(n)}/{_wrap(d, denominator=True)}"
                out.append(vulgar or (bar if glued is None else f"({bar}){glued}"))
            continue
        if text[i] in "_^":
            arg, j = _group(text, i + 1)
            table, mark = (_SUB, "_") if text[i] == "_" else (_SUP, "^")
            script = _script(arg, table, mark)
            out.append(script)
            i = j
            if arg.startswith("\\") and not script.startswith(mark):  # `w^\top x` is wᵀx: the space ended \top
                while i < len(text) and text[i] == " ":
                    i += 1
            continue
        if text[i] == "\\" and i + 1 < len(text):
            m = re.match(r"\\([A-Za-z]+|.)", text[i:])
            assert m is not None
            out.append(m.group(0))  # a command or escape, whole
            i += len(m.group(0))
            if m.group(1).isalpha() and m.group(1) not in _TAKES_ARGUMENT and i < len(text) and text[i] in "_^\\":
                out.append("{}")  # so what follows (often unicode we made) is not read as part of its name
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _cases(match: re.Match[str]) -> str:
    rows = [r for r in re.split(r"\\\\", match.group(1)) if r.strip()]
    cells = [[to_unicode(c) for c in row.split("&", 1)] for row in rows]
    width = max(_cells(c[0]) for c in cells)
    # The padding and the gap are figure spaces: the whitespace squeeze in to_unicode keeps them
    # (plain padding collapsed to one space and left the conditions out of line), then makes them spaces.
    lines = [f"{c[0]}{_PAD * (width - _cells(c[0]) + 2)}{c[1] if len(c) > 1 else ''}".rstrip(_PAD) for c in cells]
    return (
        "\n".join(("⎧ " if k == 0 else "⎩ " if k == len(lines) - 1 else "⎨ ") + line for k, line in enumerate(lines))
        + "\n"
    )


MAX_DEPTH = 100  # brace nesting; deeper (\frac nested 3,000 deep) is shown as written


def _too_deep(latex: str) -> bool:
    depth = 0
    for char in latex:
        if char == "{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char == "}":
            depth -= 1
    return False


def to_unicode(latex: str) -> str:
    """Readable unicode for a LaTeX formula (no raw backslashes left for known commands)."""
    if _too_deep(latex):
        return latex
    text = _WORDS.sub(lambda m: m[0].replace("-", _HYPHEN), latex)
    text = re.sub(r"\\\||\\[lr]Vert", "‖", text)
    text = _RELATION.sub(_relation, text)
    # log, exp, min ... as plain words, spaced from a following letter or command ("log r", "log a/b"),
    # and from a letter before them (`\sum p\log q`), but not from a bracket (`\max\big(` is max()
    text = _NAMED_OPERATORS.sub(lambda m: _operator_name(m, text), text)
    text = re.sub(r"\\begin\{cases\}(.*?)\\end\{cases\}", _cases, text, flags=re.S)
    text = _structure(text)
    out = _converter().latex_to_text(text)
    out = re.sub(r"[ \t]+", " ", out).replace("ϵ", "ε").replace("-", "−")
    # "β log π", not "βlogπ": pylatexenc drops the space around operator names (not a hyphen's: log-sum-exp)
    out = re.sub(rf"(?<![A-Za-z])({_FUNCTION_NAMES})(?=[^\s(\[{{_,)A-Za-z\u2010{_SCRIPT_CHARS}])", r"\1 ", out)
    out = re.sub(rf"(?<=[^\s(\[{{A-Za-z+\-−=/\u2010])({_FUNCTION_NAMES})(?![a-z])", r" \1", out)
    out = out.replace(_HYPHEN, "-")
    lines = [line.strip().replace(_PAD, " ") for line in out.strip().splitlines()]
    for k in range(1, len(lines)):  # align the rows of a cases brace under its first row
        column = lines[k - 1].find("⎧") if lines[k - 1].find("⎧") >= 0 else lines[k - 1].find("⎨")
        if column > 0 and lines[k][:1] in ("⎨", "⎩"):
            lines[k] = " " * _cells(lines[k - 1][:column]) + lines[k]  # columns on screen, not code points (x̂)
        elif "⎩" in lines[k - 1] and lines[k].startswith(","):
            lines[k] = lines[k][1:].lstrip()  # what follows the brace starts its own line: no stray comma
    return _one_subscript_style("\n".join(lines))


_PLAIN_SUB = re.compile(r"(?<![A-Za-z])([A-Za-z])_([A-Za-z0-9])(?![A-Za-z0-9])")
_UNSUB = {v: k for k, v in _SUB.items() if k.isalnum()}


def _one_subscript_style(text: str) -> str:
    """`y_w` beside `yₗ` reads as two kinds of index (unicode has no subscript w): where a letter has
    a subscript unicode cannot write, its other one-letter subscripts are written plain too (`y_l`)."""
    plain = {m[1] for m in _PLAIN_SUB.finditer(text)}
    if not plain:
        return text
    subs = "".join(_UNSUB)
    # not after ^: e^zⱼ would become e^z_j, which reads as (e^z)_j
    pattern = rf"(?<![A-Za-z^])([{''.join(sorted(plain))}])([{subs}])(?![{subs}])"
    return re.sub(pattern, lambda m: f"{m[1]}_{_UNSUB[m[2]]}", text)


def _operator_name(m: re.Match[str], text: str) -> str:
    """`\\log` as the word log, with "{}" first so that after another command (\\beta\\log) it does
    not join that command's name."""
    before = " " if re.search(r"(?<![\\A-Za-z])[A-Za-z]+$", text[: m.start()]) else ""
    spaced = re.match(r"[A-Za-z\\]", text[m.end() : m.end() + 1]) and not _OPENING.match(text, m.end())
    return before + "{}" + m.group(1) + (" " if spaced else "")


def _relation(m: re.Match[str]) -> str:
    """A relation sign, with a space each side when the source had one either side (`|r| ≤ δ`)."""
    sign = "≠" if m[2] == "\\ne" else m[2] + "{}" if m[2].startswith("\\") else m[2]  # pylatexenc lacks \ne
    after = m[3] and not (m[2].startswith("\\") and m.string[m.end() : m.end() + 1].isalpha())
    return f" {sign} " if m[1] or after else sign


_PAD = "\u2007"  # a figure space: holds a cases row's padding through the whitespace squeeze


def _cells(text: str) -> int:
    """Terminal columns of `text`: a combining accent (the hat of x̂) takes none."""
    import unicodedata

    return sum(not unicodedata.combining(ch) for ch in text)
