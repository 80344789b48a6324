"""Markdown Q&A notes -> questions with answers, topics, formulas and key points.

What becomes a card:
- a heading `Q: …` (any level): the question; everything up to the next heading is the answer,
  but for the one-line cards below, which are cards of their own there too;
- `question::answer` on one line, and `question:::answer` (both directions), as written for
  Obsidian's spaced-repetition plugin (its `<!--SR:…-->` scheduling comments are dropped);
- a bullet `**Question?** → answer` (also `$\\to$`, `->`, `=>`): a quick-fire card;
- a paragraph (or list item) with a `==gap==` or an Anki `{{c1::gap}}`: a cloze card per gap (per `cN`)
  (read by deck/formats.py before this parser sees the lines);
- a lowest-level section with text but no question under it (e.g. "### DPO"): one card,
  "Explain DPO." (a heading that ends in "?" is the question as written). Sections whose text
  sits above sub-sections (a part's "Goal:") are introductions: they are reported as skipped,
  not imported.

Every other heading only sets the topic of the cards below it: the closest deck topic (deck/kinds.py)
by keywords, else the question's own words, else `synthesis`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from lossquiz.deck import mathtext
from lossquiz.deck.answers import (
    LIST_ITEM,
    RULE,
    SR_COMMENT,
    display_marks,
    extract_formula,
    key_points,
    recall_kind,
    separator_at,
    slug,
    strip_markup,
    title_of,
)
from lossquiz.deck.kinds import TOPIC_WORDS, TOPICS
from lossquiz.errors import NotesError

FALLBACK_TOPIC = "synthesis"


_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
QUESTION_HEADING = re.compile(r"^(?:Q|Question)\s*[:.]\s*(.*)$", re.IGNORECASE)
_FENCE = re.compile(r"^ {0,3}(```+|~~~+)")
_ARROW = r"(?:\$\\to\$|\$\\rightarrow\$|→|->|=>)"
# A top-level bullet "question? → answer" (bold question optional); nested bullets are part of an answer.
_QUICKFIRE_BULLETS = (
    re.compile(r"^ ?[-*+]\s+\*\*(?P<q>[^*]+\?)\*\*\s*" + _ARROW + r"\s*(?P<a>\S.*)$"),
    re.compile(r"^ ?[-*+]\s+(?P<q>[^*][^→]*?\?)\s*" + _ARROW + r"\s*(?P<a>\S.*)$"),
)
_LINK_ONLY = re.compile(r"^\s*(?:[-*+]\s+)?(?:\[\[[^\]]*\]\]|\[[^\]]*\]\([^)]*\))\s*$")
_TAG = re.compile(r"(?<!\S)#[A-Za-z][\w/-]*")  # an Obsidian #tag in a heading
_TAGS_ONLY = re.compile(r"^\s*(?:#[\w/-]+\s*)+$")


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
    family: str = ""  # cards that must not be shown back to back (a cloze's siblings); "" = by section
    source: str = ""  # where the card comes from; "" = its line and section in the notes (a package
    # lossquiz exported says the card's own: deck/anki_package.py)
    was: str = ""  # the kind a package lossquiz exported gave, when it cannot be that here (numeric: no snippet)


@dataclass(frozen=True, slots=True)
class Notes:
    """Everything found in one notes file."""

    name: str
    cards: tuple[NoteCard, ...]
    fixed_lines: tuple[int, ...] = ()  # lines whose broken encoding (mojibake) was repaired
    skipped: tuple[tuple[int, str], ...] = ()  # sections with text but no question: (its text's line, heading)
    format: str = "lossquiz"  # deck/formats.py
    unreadable: tuple[tuple[int, str], ...] = ()  # (line, why) of blocks that look like cards but cannot be read
    text_blocks: tuple[int, ...] = ()  # first lines of blocks that are notes, not cards
    unbulleted: tuple[int, ...] = ()  # skipped lines that a `- ` in front would make quick-fire cards


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
    for at, text in enumerate(lines, start=1):  # 5,000-level bullets: not notes, and quadratic to parse
        indent = len(text) - len(text.lstrip(" \t"))
        if indent > MAX_INDENT and text.strip():
            raise NotesError([f"{path}:{at}: indented {indent} columns (at most {MAX_INDENT}): not notes"])
    return _repair(lines)


MAX_INDENT = 200  # columns of leading whitespace: ~50 levels of nested bullets


def _repair(lines: list[str]) -> tuple[list[str], list[int]]:
    """Fix mojibake ("â€”" -> "—") line by line with ftfy, keeping line numbers."""
    import ftfy  # deferred: only `import` needs it
    from ftfy.badness import is_bad

    config = ftfy.TextFixerConfig(uncurl_quotes=False, unescape_html=False, fix_line_breaks=False)
    fixed, changed = [], []
    for number, line in enumerate(lines, start=1):
        # only what ftfy's heuristics call mojibake, and only where the fix round-trips: "Â = 0" (the
        # advantage) is a symbol; ftfy would read its space as a lost no-break space
        repaired = ftfy.fix_text(line, config=config) if not line.isascii() and is_bad(line) else line
        if repaired != line:
            repaired = _round_trips(line, repaired)
        if repaired != line:
            changed.append(number)
        fixed.append(repaired)
    return fixed, changed


_MAX_REPAIR = 2_000  # characters; a longer changed line is kept as written (difflib is quadratic)


def _round_trips(line: str, repaired: str) -> str:
    """`repaired`, keeping only the changed pieces that, encoded as UTF-8 and misread as
    Windows-1252 (or Latin-1), give back exactly what the line had there: mojibake, not a guess."""
    import difflib

    import ftfy.bad_codecs  # noqa: F401  (registers the "sloppy" codecs)

    if len(line) > _MAX_REPAIR:
        return line

    def misread(text: str) -> set[str]:
        data = text.encode("utf-8")
        return {data.decode("sloppy-windows-1252"), data.decode("latin-1")}

    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, line, repaired, autojunk=False).get_opcodes():
        fixed = repaired[j1:j2]
        out.append(fixed if op == "equal" or line[i1:i2] in misread(fixed) else line[i1:i2])
    return "".join(out)


def load_notes(path: Path) -> Notes:
    """Read, repair and parse a notes file; raise NotesError listing every problem."""
    lines, fixed = read_notes(path)
    notes = parse_notes(lines, name=path.name)
    return replace(notes, fixed_lines=tuple(fixed))


# -- parsing ------------------------------------------------------------------------------


def parse_notes(lines: list[str], *, name: str = "notes", allow_empty: bool = False) -> Notes:
    """Turn the lines of a Markdown file into cards; raise NotesError listing every problem (and
    if there is no card, unless `allow_empty`: the caller has found cards of its own)."""
    problems: list[str] = []
    blocks: list[_Block] = []
    liners: list[tuple[int, list[tuple[str, str]], list[str]]] = []  # (line, (question, answer) each way, context)
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
            if display_marks(line) % 2:
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
            q = QUESTION_HEADING.match(text)
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
        if display_marks(line) % 2:
            math_open = number
        liner = _one_liner(line)
        if liner is not None:
            question, answer = liner[0]
            if not question or not answer:
                side = "question" if not question else "answer"
                problems.append(f"{name}:{number}: one-line card '{line.strip()}' has no {side}")
            else:
                liners.append((number, liner, [h for _, h in stack]))
            continue
        quick = _quickfire(line) if current is not None and current.question is not None else None
        if quick is not None:  # a card of its own, as a `Q::A` line is, not a line of the answer above
            liners.append((number, [quick], [h for _, h in stack]))
            continue
        _add(current, number, line)
    if fence is not None:
        problems.append(f"{name}:{fence[1]}: code block opened here is never closed")
    if math_open is not None:
        problems.append(f"{name}:{math_open}: '$$' math opened here is never closed")
    cards, skipped, unbulleted = _cards(blocks, liners, name, problems)
    if problems:
        raise NotesError(problems)
    if not cards and not allow_empty:
        if name.lower().endswith((".csv", ".tsv")) or lines[:1] and lines[0].startswith("#separator:"):
            raise NotesError(  # `export --format anki` writes one; Anki reads it, import does not
                [
                    f"{name}: a CSV/TSV table is not a format import reads (Markdown notes or an Anki"
                    " .apkg/.colpkg); to bring cards from a table, import it into Anki and export an .apkg"
                ]
            )
        raise NotesError([f"{name}: no questions found (write '#### Q: …' headings, or 'question::answer' lines)"])
    cards.sort(key=lambda c: c.line)
    return Notes(name, tuple(cards), (), tuple(skipped), unbulleted=tuple(unbulleted))


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


def _one_liner(line: str) -> list[tuple[str, str]] | None:
    """`q::a` -> [(q, a)]; `q:::a` -> [(q, a), (a, q)]; None if the line is not one."""
    text = SR_COMMENT.sub("", line).strip()
    item = LIST_ITEM.match(text)
    if item:
        text = item.group(2).strip()
    where = separator_at(text)  # not in code spans, nor code-like text such as `torch.nn::HuberLoss`
    if where is None:
        return None
    at, width = where
    q, a = text[:at].strip(), text[at + width :].strip()
    return [(q, a), (a, q)] if width == 3 and q and a else [(q, a)]


def _cards(
    blocks: list[_Block], liners: list[tuple[int, list[tuple[str, str]], list[str]]], name: str, problems: list[str]
) -> tuple[list[NoteCard], list[tuple[int, str]], list[int]]:
    """The cards; the introductions skipped, by their text's first line; and the lines in them that
    would be quick-fire cards as bullets (`**Q?** → A` written without its `- `)."""
    cards: list[NoteCard] = []
    skipped: list[tuple[int, str]] = []
    unbulleted: list[int] = []
    notes_text = "\n".join([*(b.text for b in blocks), *(line for b in blocks for _, line in b.body)])
    for block in blocks:
        if block.question is not None:
            section = block.context[-1] if block.context else ""
            answer = _text(block.body)
            if not block.question:
                problems.append(f"{name}:{block.line}: '{block.text}' heading has no question text")
            elif not _meaningful(block.body):
                problems.append(f"{name}:{block.line}: question '{block.question}' has no answer")
            else:
                cards.append(
                    note_card(block.question, answer, "concept", block.context, section, block.text, block.line)
                )
            continue
        context = [*block.context, block.text]
        quick = [(n, m) for n, line in block.body if (m := _quickfire(line))]
        for number, (question, answer) in quick:
            cards.append(note_card(question, answer, "quickfire", context, block.text, "", number))
        rest = [(n, line) for n, line in block.body if not _quickfire(line)]
        if quick or not _meaningful(rest):
            continue
        if block.leaf:
            heading = mathtext.plain(strip_markup(block.text))
            question = heading if heading.rstrip().endswith("?") else f"Explain {_mid_sentence(heading, notes_text)}."
            card = note_card(question, _text(rest), "concept", context, block.text, block.text, block.line)
            cards.append(replace(card, title=mathtext.plain(strip_markup(block.text))))
        else:
            skipped.append((next(n for n, line in rest if _meaningful([(n, line)])), block.text))
            unbulleted += [n for n, line in rest if not LIST_ITEM.match(line) and _quickfire(f"- {line.strip()}")]
    for number, ways, context in liners:
        section = context[-1] if context else ""
        made = [note_card(q, a, "concept" if "\n" in a else "quickfire", context, section, "", number) for q, a in ways]
        cards += both_ways(*made) if len(made) == 2 else made
    return cards, skipped, unbulleted


_SMALL_WORDS = frozenset("a an and as at by for from in into of on or the to via vs with".split())


def _mid_sentence(heading: str, notes_text: str) -> str:
    """A heading as it reads after "Explain": `Temperature scaling` -> temperature scaling. Kept as
    written: an acronym or name-like first word (DPO, KL, RetinaNet, Cross-Cutting), a Title Case
    heading (Focal Loss), a single word (Huber or Regularization: no telling), and a first word the
    notes capitalise mid-sentence elsewhere (`… unlike Huber loss`, `(MSE, MAE, Huber)`)."""
    words = heading.split()
    first = words[0] if words else ""
    if len(words) < 2 or not re.fullmatch(r"[A-Z][a-z]+", first):
        return heading
    later = [w for w in words[1:] if w[:1].isalpha() and w.lower() not in _SMALL_WORDS and len(w) > 1]
    if later and all(w[:1].isupper() for w in later):  # a symbol (`Fitting T`) is no sign of Title Case
        return heading  # Title Case: every word capitalised, names and all
    if re.search(rf"[a-z,;(][ \t]*{first}\b", notes_text):
        return heading
    return first.lower() + heading[len(first) :]


def one_line_card(line: str) -> bool:
    """True if the line is a card on its own: `question::answer` or a quick-fire bullet."""
    return _one_liner(line) is not None or quickfire_bullet(line)


def quickfire_bullet(line: str) -> bool:
    """True if the line is a quick-fire bullet `**Question?** → answer`."""
    return _quickfire(line) is not None


def _quickfire(line: str) -> tuple[str, str] | None:
    for pattern in _QUICKFIRE_BULLETS:
        m = pattern.match(line)
        if m:
            return m.group("q").strip(), m.group("a").strip()
    return None


def _meaningful(body: list[tuple[int, str]]) -> bool:
    """True if the lines hold more than blank lines, rules, link lists and #tags."""
    return any(
        line.strip() and not (RULE.match(line) or _LINK_ONLY.match(line) or _TAGS_ONLY.match(line)) for _, line in body
    )


def _text(body: list[tuple[int, str]]) -> str:
    """The body lines as Markdown, without trailing rules or surrounding blank lines."""
    lines = [line.rstrip() for _, line in body]
    while lines and (not lines[-1].strip() or RULE.match(lines[-1])):
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def note_card(
    question: str, answer: str, kind: str, context: list[str], section: str, heading: str, line: int
) -> NoteCard:
    """One card of a notes file: its formula, key points, kind, topic and title, from its answer."""
    formula, answer = extract_formula(answer)
    points = key_points(answer, formula=formula)
    return NoteCard(
        question=question,
        answer=answer,
        kind=recall_kind(kind, points),
        topic=topic_for([*context], question),
        section=section,
        heading=heading,
        line=line,
        title=title_of(question),
        key_points=tuple(points),
        formula=formula,
    )


def both_ways(forward: NoteCard, back: NoteCard) -> tuple[NoteCard, NoteCard]:
    """The two cards of a note written both ways (`Q:::A`, a `??` card, Anki's reversed note), in one
    family, so a session keeps them apart as it does a cloze's siblings (the second would show the
    first's answer), and under one topic, so `--topic` keeps both: the forward card's, unless only
    the answer's words name a topic."""
    family = forward.family or slug(forward.section or forward.question)
    topic = back.topic if forward.topic == FALLBACK_TOPIC else forward.topic
    return replace(forward, family=family, topic=topic), replace(back, family=family, topic=topic)


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
