"""What a card says, read from Markdown: its formula, key points, title and id.

Key points are the answer's top-level bullets or lines when there are 2-5 of them, else its
sentences, else the clauses of a one-liner ("Huber (Robust)" -> Huber, Robust): the deck
validator needs 2-5 checkpoints on every card.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from lossquiz.deck import mathtext

GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}  # spelt out in ids and lookups: `β default` -> beta-default, and `beta` finds it
MAX_POINT = 160  # characters; longer key points are cut at a word
RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
SR_COMMENT = re.compile(r"(?<!\s)\s*<!--SR:.*?-->")  # (?<!\s): linear on a line of 80,000 spaces
CODE_SPAN = re.compile(r"(`+)[^\n]*?\1")
_ABBREVIATION = re.compile(
    r"(?:\b(?:vs|e\.g|i\.e|etc|cf|approx|eq|eqs|fig|al|resp|a\.k\.a|w\.r\.t|s\.t|incl|no|sec|ch))\.$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(\[])")
# an equation, not a lone symbol; not an inequality, which is a condition (`|r| \le \delta`), not a formula
_RELATION = re.compile(r"\S\s*(?:=|\\(?:approx|propto)(?![A-Za-z]))\s*\S")
# `Formula: $…$`: the line that states the card's formula (extract_formula takes its math)
_FORMULA_LINE = re.compile(r"(?i)^\W*(?:\*\*|__)?formula(?:\*\*|__)?\s*:")
_STOP_WORDS = frozenset(
    "a an the is are was were what whats do does did you your we our i explain describe define please of and".split()
)


def display_marks(line: str) -> int:
    """How many `$$` a line holds outside code spans (odd: a display block opens or closes)."""
    return CODE_SPAN.sub("", line).count("$$")


def title_of(question: str) -> str:
    """A short title: 'What is Focal Loss?' -> 'Focal Loss'; other questions stay as they are, on
    one line (a question written over two lines is one title: a header shows a title's first line)."""
    text = " ".join(mathtext.plain(strip_markup(question)).split())
    short = re.sub(r"(?i)^(?:what\s+(?:is|are)|explain|define|describe)\s+(?:the\s+|an?\s+)?", "", text)
    short = short.rstrip("?.").strip() if short != text else text
    if not short:
        return text
    first = short[:1]
    # Greek letters keep their case: "β default" is not "Β default" (a capital beta reads as B).
    return (first if first.lower() in GREEK else first.upper()) + short[1:]


# -- formula and key points ---------------------------------------------------------------


def extract_formula(answer: str) -> tuple[str | None, str]:
    """The answer's main formula, and the answer without the lines that held only it.

    Display math wins; else inline math on a "Formula:" line; else the first inline math
    with an equals sign. Inline math inside a sentence stays in the answer too.
    """
    found = mathtext.spans(answer)
    if not found:
        return None, answer
    display = [m for m in found if m.display]
    chosen = display[0] if display else None
    if chosen is None:
        for m in found:
            line_start = answer.rfind("\n", 0, m.start) + 1
            if re.match(r"\W*(?:\*\*|__)?formula", answer[line_start : m.start], re.IGNORECASE):
                chosen = m
                break
    if chosen is None:
        chosen = next((m for m in found if _RELATION.search(m.tex)), None)
    if chosen is None:
        return None, answer
    start = answer.rfind("\n", 0, chosen.start) + 1
    end = answer.find("\n", chosen.end)
    end = len(answer) if end < 0 else end
    around = answer[start : chosen.start] + answer[chosen.end : end]
    if _formula_only(around):
        rest = (answer[:start] + answer[end + 1 :]).strip("\n")
        if rest.strip():
            answer = re.sub(r"\n{3,}", "\n\n", rest)
    return chosen.tex, answer


def _formula_only(text: str) -> bool:
    """True if a line without its math says nothing (at most a 'Formula:' label)."""
    rest = re.sub(r"(?i)^\W*(?:\*\*|__)?formula(?:\*\*|__)?\s*:?", "", text.strip())
    return not re.search(r"[A-Za-z0-9]{2,}", rest)


def key_points(answer: str, *, formula: str | None = None) -> list[str]:
    """Up to 5 checkpoints taken from the answer itself (its bullets or lines, else its sentences or
    clauses) — never invented: a one-line answer may have none (see `recall_kind`)."""
    units = _units(answer)
    if len(units) > 5:
        items = [text for text, is_item in units if is_item]
        chosen = items if 2 <= len(items) <= 5 else [text for text, _ in units][:5]
        points = [_shorten(t) for t in chosen]
    elif len(units) >= 2:
        points = [_shorten(t) for t, _ in units]
    else:
        whole = units[0][0] if units else _clean(answer or (f"${formula}$" if formula else ""))
        points = [_shorten(p) for p in _split(whole)]
    points = list(dict.fromkeys(p for p in points if p))
    whole = _squash(_clean(answer))
    if len(points) < 2:  # one point that is the whole answer again says nothing
        points = [p for p in points if _squash(p) != whole]
    return points[:5]


def restates(answer: str, points: Sequence[str]) -> bool:
    """True if the key points are the answer's own lines or sentences word for word, and all of
    them: a reveal that printed both would show the answer twice."""
    units = " ".join(text for text, _ in _units(answer))
    return bool(points) and _squash(units) == _squash(" ".join(points))


def _squash(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def recall_kind(kind: str, points: list[str]) -> str:
    """A recall card with fewer than two checkpoints is a quickfire card (which needs none)."""
    return "quickfire" if kind == "concept" and len(points) < 2 else kind


def _units(answer: str) -> list[tuple[str, bool]]:
    """Top-level bullets and lines of an answer, cleaned; formula-only, `Formula:` and label-only lines dropped."""
    units: list[tuple[str, bool]] = []
    top: int | None = None
    in_math = False
    joinable = False  # the last unit's line ran on to this one (no blank line, no math between)
    last_line = ""
    lines = answer.splitlines()
    for n, line in enumerate(lines):
        if display_marks(line) % 2:
            in_math = not in_math  # a multi-line $$ block: the formula, not a checkpoint
            joinable = False
            continue
        if in_math:
            continue
        if not line.strip() or RULE.match(line):
            joinable = False
            continue
        if joinable and not LIST_ITEM.match(line) and _runs_on(last_line, line, lines[n:]):
            units[-1] = (units[-1][0] + " " + line.strip(), units[-1][1])  # a hard-wrapped sentence
            last_line = line
            continue
        joinable, last_line = True, line
        item = LIST_ITEM.match(line)
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        if item:
            top = indent if top is None else min(top, indent)
            if indent > top + 1:
                continue  # a nested bullet: its parent is the checkpoint
            units.append((item.group(2), True))
        elif indent >= 2 and units:
            units[-1] = (units[-1][0] + " " + line.strip(), units[-1][1])
        else:
            units.append((line.strip(), False))
    kept = []
    for text, is_item in units:
        without_math = mathtext.replace(text, lambda m: " ")
        if _formula_only(without_math) or _label_only(without_math):
            continue
        if _FORMULA_LINE.match(text) and mathtext.has_math(text):  # the card's formula, with a condition
            continue
        kept.append((_clean(text), is_item))
    return [(t, i) for t, i in kept if t]


WRAPPED_LINE = 40  # characters: a line this long that stops mid-sentence was hard-wrapped
_RUN_ON_WORDS = frozenset("a an and as at by for from in is are of on or than that the to which with".split())


def _runs_on(previous: str, line: str, rest: Sequence[str]) -> bool:
    """True if `line` continues the sentence the line `previous` ends (the answer's hard wrap, not a
    new line): the previous line stops on a comma, a dash or a word such as "and"; or it stops
    mid-sentence (no . ! ? :) and this one starts in lower case, when the previous line is long
    prose or, however short, the sentence then ends (. ! ?) before the paragraph does (`How many
    extra nats you pay` / `coding P with a code built for Q.`). `rest` is `line` and the lines after
    it. Short lines without a sentence end (`MSE: mean` / `MAE: median`, `mean` / `median`) are the
    author's own lines."""
    end = previous.rstrip()
    if not end or end[-1] in ".!?:":
        return False
    if end[-1] in ",;(—–-" or re.split(r"\s+", end)[-1].lower() in _RUN_ON_WORDS:
        return True
    if not line.strip()[:1].islower():
        return False
    return len(end) >= WRAPPED_LINE or _sentence_ends(rest)


def _sentence_ends(lines: Sequence[str]) -> bool:
    """True if one of `lines`, before a blank line or a list item, ends a sentence (. ! ?)."""
    for n, line in enumerate(lines):
        if not line.strip() or (n and LIST_ITEM.match(line)):
            return False
        if line.rstrip()[-1] in ".!?":
            return True
    return False


def _label_only(text: str) -> bool:
    plain = strip_markup(text).strip()
    return plain.endswith(":") and len(plain.split()) <= 5


def strip_markup(text: str) -> str:
    """Markdown emphasis, code ticks, links and wikilinks removed (math left alone)."""
    text = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)", r"\1", text)
    text = re.sub(r"`+([^`]*)`+", r"\1", text)
    return text


def _clean(text: str) -> str:
    """A key point as plain text: markup stripped, math as unicode, spaces collapsed."""
    text = SR_COMMENT.sub("", text)
    text = mathtext.plain(strip_markup(text))
    return re.sub(r"\s+", " ", text).strip()


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if parts and _ABBREVIATION.search(parts[-1]):
            parts[-1] += " " + piece
        else:
            parts.append(piece)
    return [p.strip() for p in parts if p.strip()]


def _split(text: str) -> list[str]:
    """One unit into its sentences (up to 5): split at sentence ends only, never at a comma, a
    semicolon or an abbreviation inside a sentence (one sentence is one point, not two)."""
    sentences = _sentences(text)
    return sentences[:5] if sentences else [text]


def _shorten(text: str) -> str:
    """Whole sentences up to MAX_POINT characters; a single long one is cut at a word."""
    sentences = _sentences(text)
    out = sentences[0] if sentences else text
    for sentence in sentences[1:]:
        if len(out) + 1 + len(sentence) > MAX_POINT:
            break
        out += " " + sentence
    if len(out) > MAX_POINT:
        out = out[: MAX_POINT - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return out


# -- ids ----------------------------------------------------------------------------------


def slug(text: str, *, max_words: int = 8, max_chars: int = 60) -> str:
    """A stable, readable id from question text: 'What is Focal Loss?' -> 'focal-loss'."""
    plain = mathtext.replace(strip_markup(text), lambda m: " ")
    plain = re.sub(r"(?<=\w)['’]s\b", "", plain)  # "loss's gamma" -> "loss gamma"
    plain = re.sub(r"(?<=\w)['’](?=\w)", "", plain)  # "isn't" -> "isnt", not "isn-t"
    plain = re.sub(r"(?<=\w)[\u2010-\u2015](?=\w)", "-", plain)  # "Bradley–Terry": two words, not "bradleyterry"
    plain = "".join(f" {GREEK[ch.lower()]} " if ch.lower() in GREEK else ch for ch in plain)
    ascii_text = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    kept = [w for w in words if w not in _STOP_WORDS] or words
    out = ""
    for word in kept[:max_words]:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > max_chars:
            break
        out = candidate
    return out or "card"


def normalise(question: str) -> str:
    """Question text reduced to lower-case words, for matching an edited question to its old id."""
    plain = mathtext.replace(strip_markup(question), lambda m: f" {m.tex} ")
    return " ".join(re.findall(r"\w+", plain.lower()))


def mask_code_spans(text: str) -> str:
    """`text` with each inline code span replaced by as many "x": one linear pass (a backtick run
    closes at the next run of the same length, as in CommonMark; a regex would rescan the line
    from every unclosed run)."""
    runs = [(m.start(), m.end()) for m in re.finditer(r"`+", text)]
    following: dict[int, int] = {}
    after = [-1] * len(runs)
    for i in range(len(runs) - 1, -1, -1):
        width = runs[i][1] - runs[i][0]
        after[i] = following.get(width, -1)
        following[width] = i
    out, pos, i = [], 0, 0
    while i < len(runs):
        j = after[i]
        if j < 0:
            i += 1
            continue
        out += [text[pos : runs[i][0]], "x" * (runs[j][1] - runs[i][0])]
        pos, i = runs[j][1], j + 1
    out.append(text[pos:])
    return "".join(out)


def separator_at(text: str) -> tuple[int, int] | None:
    """Where `::` or `:::` splits a one-line card (start, width); None if it does not.

    Outside code spans only, and not in code-like text: `torch.nn::HuberLoss` (a dotted name
    glued to it), `x[::2]` (inside brackets) are not cards.
    """
    searchable = mask_code_spans(text)
    at = searchable.find("::")
    while at >= 0:
        width = 3 if searchable.startswith(":::", at) else 2
        before, after = searchable[:at], searchable[at + width :]
        glued = bool(before) and not before[-1].isspace() and bool(after) and not after[0].isspace()
        token = re.search(r"[\w.]+$", before)
        dotted = glued and token is not None and "." in token.group(0).strip(".")
        bracketed = before.count("[") > before.count("]") or (bool(after) and after[0] in "])")
        bracketed = bracketed or before.count("{{") > before.count("}}")  # an Anki cloze {{c1::…}}
        if not (dotted or bracketed):
            return at, width
        at = searchable.find("::", at + width)
    return None


# -- cloze gaps the drill checks when typed (deck import decides it, the drill grades by it) ---

MAX_CLOZE_WORDS = 3  # a deletion this short (or a number) is typed and checked; longer ones are self-rated
_NUMBER = re.compile(r"^[-+−]?(?:\d+(?:[.,]\d+)?|\.\d+)(?:[eE][-+]?\d+)?%?$")


def is_number(text: str) -> bool:
    """True for 0.25, -3, 1e-3, 50% — a deletion the drill can check when typed."""
    return bool(_NUMBER.match(text.strip().replace(" ", "")))


_SIMPLE_TEX = re.compile(r"^(?:\\[A-Za-z]+ ?|[A-Za-z0-9.,+\-=<>()' ])+$")  # symbols and letters: no ^ _ { }
_STRUCTURE = frozenset(
    "frac dfrac tfrac sqrt sum prod int oint lim hat bar tilde vec dot ddot overline underline widehat widetilde "
    "mathbb mathbf mathcal mathrm mathit mathsf boldsymbol bm text textbf textit operatorname left right begin "
    "end".split()
)  # commands that take an argument or build structure: such a gap is a formula, not a symbol


def plain_deletion(deletion: str) -> str:
    """A deletion written as one simple LaTeX symbol or short expression (`$\\tau$`, `$\\beta$`,
    `$\\lambda = 0.1$`, Anki's `\\(\\tau\\)` once imported) as the unicode it renders to (τ, β,
    λ = 0.1), which the drill can check when typed; any other deletion as it is (`$e^{z_i}$`, a
    fraction: a real formula stays LaTeX, and self-rated)."""
    text = strip_markup(deletion).strip()
    found = mathtext.spans(text)
    if len(found) != 1 or found[0].display or found[0].start != 0 or found[0].end != len(text):
        return deletion
    tex = found[0].tex
    if not _SIMPLE_TEX.match(tex) or any(c in _STRUCTURE for c in re.findall(r"\\([A-Za-z]+)", tex)):
        return deletion
    shown = mathtext.unicode_math(tex).strip()
    return shown if shown and "\\" not in shown and len(shown.split()) <= MAX_CLOZE_WORDS else deletion


def checkable(deletion: str) -> bool:
    """A deletion typed and checked by the drill: a number or a short term, or one simple LaTeX symbol
    (`$\\tau$`, as its unicode τ) — never a formula (a typed `e^{z_i}` would be compared with its
    LaTeX source): a formula gap is self-rated."""
    deletion = plain_deletion(deletion)
    if any(mark in deletion for mark in ("\\", "$", "^", "_", "{")):
        return False
    text = mathtext.plain(strip_markup(deletion)).strip()
    return bool(text) and (is_number(text) or (len(text.split()) <= MAX_CLOZE_WORDS and len(text) <= 40))
