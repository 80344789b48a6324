"""Markdown Q&A notes -> questions with answers, topics, formulas and key points.

What becomes a card:
- a heading `Q: …` (any level): the question; everything up to the next heading is the answer;
- `question::answer` on one line, and `question:::answer` (both directions), as written for
  Obsidian's spaced-repetition plugin (its `<!--SR:…-->` scheduling comments are dropped);
- a bullet `**Question?** → answer` (also `$\\to$`, `->`, `=>`): a quick-fire card;
- a lowest-level section with text but no question under it (e.g. "### DPO"): one card,
  "Explain DPO." Sections whose text sits above sub-sections (a part's "Goal:") are
  introductions: they are reported as skipped, not imported.

Every other heading only sets the topic of the cards below it: the closest DESIGN.md topic
by keywords, else the question's own words, else `synthesis`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from lossquiz import mathtext
from lossquiz.cards import TOPICS
from lossquiz.errors import NotesError

FALLBACK_TOPIC = "synthesis"
PAD_POINT = "said in one line, without hedging"
MAX_POINT = 160  # characters; longer key points are cut at a word

# Keywords (lower case; "-" and " " are the same) that pull a heading towards a topic.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "regression": ("regression", "mse", "mae", "huber", "quantile", "pinball", "squared error", "absolute error"),
    "classification": (
        "classification",
        "cross entropy",
        "focal",
        "hinge",
        "label smoothing",
        "softmax",
        "logistic",
        "log loss",
    ),
    "metric": (
        "metric learning",
        "metric",
        "contrastive",
        "triplet",
        "infonce",
        "siamese",
        "simclr",
        "byol",
        "vicreg",
        "embedding",
        "self supervised",
    ),
    "regularization": ("regularization", "regularisation", "weight decay", "dropout", "lasso", "ridge", "l1", "l2"),
    "probabilistic": ("probabilistic", "kl", "divergence", "elbo", "vae", "likelihood", "variational", "bayesian"),
    "gan": ("gan", "gans", "wgan", "adversarial", "discriminator", "wasserstein"),
    "diffusion": ("diffusion", "score matching", "flow matching", "denoising", "ddpm"),
    "policy": ("policy", "reinforce", "ppo", "sac", "actor critic", "policy gradient", "trpo"),
    "value": ("value", "td", "temporal difference", "q learning", "dqn", "bellman", "distributional", "monte carlo"),
    "multiagent": ("multi agent", "multiagent", "quality diversity", "psro", "map elites", "self play", "game"),
    "alignment": ("alignment", "rlhf", "dpo", "grpo", "kto", "orpo", "ipo", "preference", "reward model"),
    "synthesis": ("synthesis", "cross cutting", "quick fire", "quick reference", "connections", "summary"),
}

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_QUESTION_HEADING = re.compile(r"^(?:Q|Question)\s*[:.]\s*(.*)$", re.IGNORECASE)
_FENCE = re.compile(r"^ {0,3}(```+|~~~+)")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_SR_COMMENT = re.compile(r"\s*<!--SR:.*?-->")
_CODE_SPAN = re.compile(r"(`+)[^\n]*?\1")
_ARROW = r"(?:\$\\to\$|\$\\rightarrow\$|→|->|=>)"
# A top-level bullet "question? → answer" (bold question optional); nested bullets are part of an answer.
_QUICKFIRE_BULLETS = (
    re.compile(r"^ ?[-*+]\s+\*\*(?P<q>[^*]+\?)\*\*\s*" + _ARROW + r"\s*(?P<a>\S.*)$"),
    re.compile(r"^ ?[-*+]\s+(?P<q>[^*][^→]*?\?)\s*" + _ARROW + r"\s*(?P<a>\S.*)$"),
)
_LINK_ONLY = re.compile(r"^\s*(?:[-*+]\s+)?(?:\[\[[^\]]*\]\]|\[[^\]]*\]\([^)]*\))\s*$")
_TAG = re.compile(r"(?<!\S)#[A-Za-z][\w/-]*")  # an Obsidian #tag in a heading
_TAGS_ONLY = re.compile(r"^\s*(?:#[\w/-]+\s*)+$")
_ABBREVIATION = re.compile(r"(?:\b(?:vs|e\.g|i\.e|etc|cf|approx|eq|fig|al|resp))\.$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(\[])")
_LABEL = re.compile(r"^\W*(?:\*\*|__)?[\w ()/&-]{1,40}?(?:\*\*|__)?\s*:\s*")
_RELATION = re.compile(r"\S\s*(?:=|\\(?:approx|propto|leq?|geq?)(?![A-Za-z]))\s*\S")  # an equation, not a lone symbol
_STOP_WORDS = frozenset(
    "a an the is are was were what whats do does did you your we our i explain describe define please of and".split()
)


@dataclass(frozen=True, slots=True)
class NoteCard:
    """One question from the notes, ready to become a card (the id is given later)."""

    question: str
    answer: str
    kind: str
    topic: str
    section: str  # the heading the card sits under, as written
    heading: str  # the card's own heading as written ("Q: …"), "" for one-liners
    line: int
    title: str
    key_points: tuple[str, ...]
    formula: str | None = None


@dataclass(frozen=True, slots=True)
class Notes:
    """Everything found in one notes file."""

    name: str
    cards: tuple[NoteCard, ...]
    fixed_lines: tuple[int, ...] = ()  # lines whose broken encoding (mojibake) was repaired
    skipped: tuple[tuple[int, str], ...] = ()  # sections with text but no question: (line, heading)


@dataclass
class _Block:
    """A heading and the lines under it, collected while scanning."""

    level: int
    text: str
    line: int
    context: list[str]  # enclosing headings, outermost first
    question: str | None = None  # set for `Q:` headings
    body: list[tuple[int, str]] = field(default_factory=list)
    leaf: bool = True


# -- reading ------------------------------------------------------------------------------


def read_notes(path: Path) -> tuple[list[str], list[int]]:
    """The file's lines, with broken encoding repaired by ftfy; and the numbers of the lines repaired."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotesError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise NotesError([f"{path}: is a folder, not a Markdown file"]) from None
    except OSError as e:
        raise NotesError([f"{path}: cannot read: {e.strerror}"]) from None
    if not data.strip():
        raise NotesError([f"{path}: the file is empty, nothing to import"])
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise NotesError([f"{path}:{line}: not a text file (NUL byte)"])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    raw_lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    problems = []
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            column = len(raw[: e.start].decode("utf-8", errors="replace")) + 1
            problems.append(f"{path}:{number}: not UTF-8 (byte 0x{raw[e.start]:02x} at column {column})")
    if problems:
        more = [f"... and {len(problems) - 10} more lines"] if len(problems) > 10 else []
        raise NotesError([*problems[:10], *more, "save the notes as UTF-8 and import again"])
    return _repair(lines)


def _repair(lines: list[str]) -> tuple[list[str], list[int]]:
    """Fix mojibake ("â€”" -> "—") line by line with ftfy, keeping line numbers."""
    import ftfy  # deferred: only `import` needs it

    config = ftfy.TextFixerConfig(uncurl_quotes=False, unescape_html=False, fix_line_breaks=False)
    fixed, changed = [], []
    for number, line in enumerate(lines, start=1):
        repaired = ftfy.fix_text(line, config=config) if not line.isascii() else line
        if repaired != line:
            changed.append(number)
        fixed.append(repaired)
    return fixed, changed


def load_notes(path: Path) -> Notes:
    """Read, repair and parse a notes file; raise NotesError listing every problem."""
    lines, fixed = read_notes(path)
    notes = parse_notes(lines, name=path.name)
    return Notes(notes.name, notes.cards, tuple(fixed), notes.skipped)


# -- parsing ------------------------------------------------------------------------------


def parse_notes(lines: list[str], *, name: str = "notes") -> Notes:
    """Turn the lines of a Markdown file into cards; raise NotesError listing every problem."""
    problems: list[str] = []
    blocks: list[_Block] = []
    liners: list[tuple[int, str, str, list[str]]] = []  # (line, question, answer, context)
    stack: list[tuple[int, str]] = []  # open (level, heading) pairs
    current: _Block | None = None
    fence: tuple[str, int] | None = None
    math_open: int | None = None
    start = _front_matter_end(lines)
    for number, line in enumerate(lines[start:], start=start + 1):
        if fence is not None:
            _add(current, number, line)
            mark = _FENCE.match(line)
            if mark and mark.group(1)[0] == fence[0][0] and len(mark.group(1)) >= len(fence[0]):
                fence = None
            continue
        if math_open is not None:
            _add(current, number, line)
            if _display_marks(line) % 2:
                math_open = None
            continue
        mark = _FENCE.match(line)
        if mark:
            fence = (mark.group(1), number)
            _add(current, number, line)
            continue
        heading = _HEADING.match(line)
        if heading:
            level, text = len(heading.group(1)), _TAG.sub("", heading.group(2)).strip()
            q = _QUESTION_HEADING.match(text)
            if current is not None and current.question is not None and level > current.level and not q:
                _add(current, number, line)  # a sub-heading inside an answer belongs to the answer
                continue
            if current is not None and current.question is None and level > current.level:
                current.leaf = False
            while stack and stack[-1][0] >= level:
                stack.pop()
            current = _Block(level, text, number, [h for _, h in stack], question=q.group(1).strip() if q else None)
            blocks.append(current)
            if not q:
                stack.append((level, text))
            continue
        if _display_marks(line) % 2:
            math_open = number
        liner = _one_liner(line)
        if liner is not None:
            context = [h for _, h in stack]
            for question, answer in liner:
                if not question or not answer:
                    side = "question" if not question else "answer"
                    problems.append(f"{name}:{number}: one-line card '{line.strip()}' has no {side}")
                else:
                    liners.append((number, question, answer, context))
            continue
        _add(current, number, line)
    if fence is not None:
        problems.append(f"{name}:{fence[1]}: code block opened here is never closed")
    if math_open is not None:
        problems.append(f"{name}:{math_open}: '$$' math opened here is never closed")
    cards, skipped = _cards(blocks, liners, name, problems)
    if problems:
        raise NotesError(problems)
    if not cards:
        raise NotesError([f"{name}: no questions found (write '#### Q: …' headings, or 'question::answer' lines)"])
    cards.sort(key=lambda c: c.line)
    return Notes(name, tuple(cards), (), tuple(skipped))


def _front_matter_end(lines: list[str]) -> int:
    """Index of the first line after YAML front matter (0 if there is none)."""
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                return i + 1
    return 0


def _add(block: _Block | None, number: int, line: str) -> None:
    if block is not None:
        block.body.append((number, line))


def _display_marks(line: str) -> int:
    return _CODE_SPAN.sub("", line).count("$$")


def _one_liner(line: str) -> list[tuple[str, str]] | None:
    """`q::a` -> [(q, a)]; `q:::a` -> [(q, a), (a, q)]; None if the line is not one."""
    text = _SR_COMMENT.sub("", line).strip()
    item = _LIST_ITEM.match(text)
    if item:
        text = item.group(2).strip()
    searchable = _CODE_SPAN.sub(lambda m: "x" * len(m.group(0)), text)
    if ":::" in searchable:
        at = searchable.index(":::")
        q, a = text[:at].strip(), text[at + 3 :].strip()
        return [(q, a), (a, q)] if q and a else [(q, a)]
    if "::" in searchable:
        at = searchable.index("::")
        return [(text[:at].strip(), text[at + 2 :].strip())]
    return None


def _cards(
    blocks: list[_Block], liners: list[tuple[int, str, str, list[str]]], name: str, problems: list[str]
) -> tuple[list[NoteCard], list[tuple[int, str]]]:
    cards: list[NoteCard] = []
    skipped: list[tuple[int, str]] = []
    for block in blocks:
        if block.question is not None:
            section = block.context[-1] if block.context else ""
            answer = _text(block.body)
            if not block.question:
                problems.append(f"{name}:{block.line}: '{block.text}' heading has no question text")
            elif not _meaningful(block.body):
                problems.append(f"{name}:{block.line}: question '{block.question}' has no answer")
            else:
                cards.append(_card(block.question, answer, "concept", block.context, section, block.text, block.line))
            continue
        context = [*block.context, block.text]
        quick = [(n, m) for n, line in block.body if (m := _quickfire(line))]
        for number, (question, answer) in quick:
            cards.append(_card(question, answer, "quickfire", context, block.text, "", number))
        rest = [(n, line) for n, line in block.body if not _quickfire(line)]
        if quick or not _meaningful(rest):
            continue
        if block.leaf:
            question = f"Explain {mathtext.plain(_strip_markup(block.text))}."
            card = _card(question, _text(rest), "concept", context, block.text, block.text, block.line)
            cards.append(replace(card, title=mathtext.plain(_strip_markup(block.text))))
        else:
            skipped.append((block.line, block.text))
    for number, question, answer, context in liners:
        section = context[-1] if context else ""
        kind = "quickfire" if "\n" not in answer else "concept"
        cards.append(_card(question, answer, kind, context, section, "", number))
    return cards, skipped


def _quickfire(line: str) -> tuple[str, str] | None:
    for pattern in _QUICKFIRE_BULLETS:
        m = pattern.match(line)
        if m:
            return m.group("q").strip(), m.group("a").strip()
    return None


def _meaningful(body: list[tuple[int, str]]) -> bool:
    """True if the lines hold more than blank lines, rules, link lists and #tags."""
    return any(
        line.strip() and not (_RULE.match(line) or _LINK_ONLY.match(line) or _TAGS_ONLY.match(line)) for _, line in body
    )


def _text(body: list[tuple[int, str]]) -> str:
    """The body lines as Markdown, without trailing rules or surrounding blank lines."""
    lines = [line.rstrip() for _, line in body]
    while lines and (not lines[-1].strip() or _RULE.match(lines[-1])):
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def _card(question: str, answer: str, kind: str, context: list[str], section: str, heading: str, line: int) -> NoteCard:
    formula, answer = extract_formula(answer)
    return NoteCard(
        question=question,
        answer=answer,
        kind=kind,
        topic=topic_for([*context], question),
        section=section,
        heading=heading,
        line=line,
        title=title_of(question),
        key_points=tuple(key_points(answer, formula=formula)),
        formula=formula,
    )


def title_of(question: str) -> str:
    """A short title: 'What is Focal Loss?' -> 'Focal Loss'; other questions stay as they are."""
    text = mathtext.plain(_strip_markup(question)).strip()
    short = re.sub(r"(?i)^(?:what\s+(?:is|are)|explain|define|describe)\s+(?:the\s+|an?\s+)?", "", text)
    short = short.rstrip("?.").strip() if short != text else text
    return short[:1].upper() + short[1:] if short else text


# -- topics -------------------------------------------------------------------------------


def _words(text: str) -> str:
    """' lower case words ' with '-' as a space, for keyword matching."""
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower().replace("-", " ")) + " "


def topic_score(text: str) -> tuple[str | None, int]:
    """The topic whose keywords a heading hits most (ties: curriculum order), with its score."""
    words = _words(mathtext.replace(text, lambda m: " "))
    best, score = None, 0
    for topic in TOPICS:
        hits = sum(1 for kw in TOPIC_WORDS[topic] if _words(kw) in words)
        if hits > score:
            best, score = topic, hits
    return best, score


def topic_for(headings: list[str], question: str) -> str:
    """The nearest heading that names a topic, else the question's own words, else synthesis."""
    for text in reversed(headings):
        topic, _ = topic_score(text)
        if topic is not None:
            return topic
    topic, _ = topic_score(question)
    return topic or FALLBACK_TOPIC


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
    """2-5 checkpoints: the answer's bullets or lines, else its sentences or clauses."""
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
    while len(points) < 2:
        points.append(PAD_POINT if PAD_POINT not in points else "recalled without looking")
    return points[:5]


def _units(answer: str) -> list[tuple[str, bool]]:
    """Top-level bullets and lines of an answer, cleaned; formula-only and label-only lines dropped."""
    units: list[tuple[str, bool]] = []
    top: int | None = None
    in_math = False
    for line in answer.splitlines():
        if _display_marks(line) % 2:
            in_math = not in_math  # a multi-line $$ block: the formula, not a checkpoint
            continue
        if in_math:
            continue
        if not line.strip() or _RULE.match(line):
            continue
        item = _LIST_ITEM.match(line)
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
        kept.append((_clean(text), is_item))
    return [(t, i) for t, i in kept if t]


def _label_only(text: str) -> bool:
    plain = _strip_markup(text).strip()
    return plain.endswith(":") and len(plain.split()) <= 5


def _strip_markup(text: str) -> str:
    """Markdown emphasis, code ticks, links and wikilinks removed (math left alone)."""
    text = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)", r"\1", text)
    text = re.sub(r"`+([^`]*)`+", r"\1", text)
    return text


def _clean(text: str) -> str:
    """A key point as plain text: markup stripped, math as unicode, spaces collapsed."""
    text = _SR_COMMENT.sub("", text)
    text = mathtext.plain(_strip_markup(text))
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
    """One unit into 2-5 parts: sentences, else clauses, else itself."""
    sentences = _sentences(text)
    if len(sentences) >= 2:
        return sentences[:5]
    body = text.rstrip(".")
    for pattern in (r";\s+", r"\s+\+\s+", r"\s+or\s+", r",\s+", r"\s+and\s+"):
        parts = [p.strip() for p in re.split(pattern, body) if p.strip()]
        if 2 <= len(parts) <= 5:
            return parts
    m = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", body)
    if m:
        return [m.group(1).strip(), m.group(2).strip()]
    return [text]


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
    plain = mathtext.replace(_strip_markup(text), lambda m: " ")
    plain = re.sub(r"(?<=\w)['’]s\b", "", plain)  # "loss's gamma" -> "loss gamma"
    plain = re.sub(r"(?<=\w)['’](?=\w)", "", plain)  # "isn't" -> "isnt", not "isn-t"
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
    plain = mathtext.replace(_strip_markup(question), lambda m: f" {m.tex} ")
    return " ".join(re.findall(r"\w+", plain.lower()))
