"""Which notes format a file is written in, and the parsers of the formats other tools write.

Detected by content (`detect`), or named with `import --format`:
- lossquiz: headings, `Q::A`, `Q:::A` (deck/notes.py), quick-fire bullets, `==gap==` and `{{c1::gap}}`
  clozes (`_lossquiz_clozes`);
- obsidian: the Obsidian spaced-repetition plugin: `Q::A`, `Q:::A`, multi-line cards split by a `?`
  (or `??`, both ways) line, cloze `==…==`, `**…**`, `{{c1::…}}`; `<!--SR:…-->` scheduling comments
  and front matter are kept out of cards;
- hashcards: `Q:` / `A:` cards and `C:` cloze cards with `[…]` deletions;
- logseq: `#card` blocks (the children are the answer), `{{cloze …}}`; `key:: value` properties
  are ignored;
- apkg: Anki packages (deck/anki_package.py).

Nothing is dropped silently: a block that looks like a card but cannot be read is *unreadable*
(listed with its line; `import` stops unless told to skip them), and text that is not a card in a
format where notes and cards mix is listed as *text* in the summary. Every scan is one pass over
the lines; no regex here can backtrack more than linearly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from lossquiz.deck import mathtext
from lossquiz.deck.answers import (
    LIST_ITEM,
    mask_code_spans,
    plain_deletion,
    separator_at,
    slug,
    strip_markup,
)
from lossquiz.deck.notes import (
    QUESTION_HEADING,
    NoteCard,
    Notes,
    both_ways,
    note_card,
    one_line_card,
    parse_notes,
    quickfire_bullet,
    read_notes,
    topic_for,
)
from lossquiz.errors import NotesError

FORMATS = ("lossquiz", "obsidian", "hashcards", "logseq", "apkg")
GAP = "[…]"
MAX_DELETIONS = 20  # per block: more is not a flashcard (and would make cards quadratic in the text)

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_SR_LINE = re.compile(r"^[ \t]*<!--SR:[^>]{0,2000}-->[ \t]*$")
_SR_INLINE = re.compile(r"[ \t]?<!--SR:[^>]{0,2000}-->")
_HASH_MARK = re.compile(r"^(Q|A|C):(?:[ \t]+(.*))?$")
_SEPARATOR = re.compile(r"^\s*(\?\??)\s*$")
_HIGHLIGHT = re.compile(r"==([^=\n]{1,300})==")  # bounded: each start scans at most 300 characters
_MARKED_GAP = re.compile(r"==(?=[^\s=])[^=\n]{0,300}(?<=[^\s=])==")  # ==gap==, not `a == b and c == d`
_BOLD = re.compile(r"\*\*([^*\n]{1,300})\*\*")
_ANKI_CLOZE = re.compile(r"\{\{c(\d{1,3})::([^{}:]{0,300}(?::[^{}:]{1,300})*?)(?:::([^{}]{0,300}))?\}\}")
_CURLY_CLOZE = re.compile(r"\{\{(?!c\d+::|cloze\b)([^{}\n]{1,300})\}\}")
_LOGSEQ_CLOZE = re.compile(r"\{\{cloze[ \t]+([^{}]{0,300})\}\}")
_BRACKET = re.compile(r"(?<![!\\\[])\[([^\[\]\n]{1,300})\](?![(\[:])")
_SR_DECK_TAG = re.compile(r"(?:^|\s)#flashcards\b|^tags:.*\bflashcards\b")  # the plugin's deck tag
_CARD_TAG = re.compile(r"(?:^|\s)#(?:card|flashcard)\b")
_PROPERTY = re.compile(r"^\s*(?:[-*]\s+)?([A-Za-z0-9][A-Za-z0-9_-]*)::(?:\s|$)")
_BULLET = re.compile(r"^(\s*)[-*+][ \t]+(.*)$")
_REMNOTE = re.compile(r"\S\s*(?:>>>?|<<|<>|;;)\s*\S|\S\s*(?:>>>|;;)\s*$")
_TAGS_ONLY = re.compile(r"^\s*(?:#[\w/-]+\s*)+$")


class TooManyDeletions(Exception):
    """A block with more cloze deletions than a card can hold."""


def _clozes(
    out: list[NoteCard],
    unreadable: list[tuple[int, str]],
    text: str,
    dels: list[tuple[int, int, str, str, str]],
    context: list[str],
    line: int,
) -> None:
    try:
        out.extend(cloze_cards(text, dels, context=context, line=line))
    except TooManyDeletions as e:
        unreadable.append((line, f"{e.args[0]} cloze deletions in one block (at most {MAX_DELETIONS})"))


@dataclass(frozen=True, slots=True)
class Parsed:
    """Cards found in a file in one of the formats, what could not be read, and plain text."""

    cards: list[NoteCard]
    unreadable: list[tuple[int, str]]  # (line, why)
    text: list[int]  # first lines of blocks that are notes, not cards


# -- detection ----------------------------------------------------------------------------


def detect(lines: list[str]) -> str:
    """The format a file's content is written in (lossquiz when nothing else is recognisable).

    Each line votes for the format only it uses; `::` one-liners, `==gap==` and `{{c1::gap}}` clozes
    and `<!--SR:…-->` comments are common to lossquiz and Obsidian notes and do not vote (the plugin's
    `#flashcards` deck tag does).
    """
    votes = {"lossquiz": 0, "obsidian": 0, "hashcards": 0, "logseq": 0}
    fence = False
    for line in lines:
        if _FENCE.match(line):
            fence = not fence
            continue
        if fence:
            continue
        prop = _PROPERTY.match(line)
        if _CARD_TAG.search(line) or _LOGSEQ_CLOZE.search(line) or (prop and prop.group(1).startswith("card-")):
            votes["logseq"] += 3
        if _HASH_MARK.match(line):
            votes["hashcards"] += 2
        if _SEPARATOR.match(line) or _SR_DECK_TAG.search(line):
            votes["obsidian"] += 2
        if re.match(r"^ {0,3}#{1,6}\s+(?:Q|Question)\s*[:.]", line) or quickfire_bullet(line):
            votes["lossquiz"] += 2  # a quick-fire bullet is lossquiz's: Obsidian would read its **…** as a cloze
    best = max(votes, key=lambda k: votes[k])
    return best if votes[best] >= 2 else "lossquiz"


# -- shared helpers -----------------------------------------------------------------------


def _basic(question: str, answer: str, *, kind: str, context: list[str], line: int) -> NoteCard:
    """A question/answer card of another tool's notes, filed under its closest heading."""
    return note_card(question, answer, kind, context, context[-1] if context else "", "", line)


def cloze_cards(
    text: str, deletions: list[tuple[int, int, str, str, str]], *, context: list[str], line: int
) -> list[NoteCard]:
    """One card per deletion group: `deletions` are (start, end, group, answer, hint) spans of `text`.

    Deletions of one group (Anki's `c1`) are hidden together; the other groups show as plain text.
    Every card of the text shares one family, so a session does not show siblings back to back.
    """
    groups = list(dict.fromkeys(g for _, _, g, _, _ in deletions))
    if len(deletions) > MAX_DELETIONS:
        raise TooManyDeletions(len(deletions))
    plain = _fill(text, deletions, lambda d, own: d[3])
    family = "cloze-" + slug(mathtext.plain(strip_markup(plain)), max_words=6, max_chars=40)
    section = context[-1] if context else ""
    cards = []
    for group in groups:
        mine = [d for d in deletions if d[2] == group]
        question = _fill(text, deletions, lambda d, own: (f"[{d[4]}]" if d[4] else GAP) if own else d[3], group)
        answer = _fill(text, deletions, lambda d, own: f"**{d[3]}**" if own else d[3], group)
        hidden = " … ".join(plain_deletion(d[3]) for d in mine)  # `$\tau$` as τ: typed and checked
        cards.append(
            NoteCard(
                question=question,
                answer=answer,
                kind="cloze",
                topic=topic_for(context, plain),
                section=section,
                heading="",
                line=line,
                title=_short(mathtext.plain(strip_markup(question))),
                key_points=(hidden,),  # the answer is the sentence with the gap filled: no context point repeats it
                family=family,
            )
        )
    return cards


def _short(text: str, limit: int = 60) -> str:
    """A title: the sentence with its gap, cut at a word."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)].rstrip(",;:") + " …"


def _fill(text: str, deletions: list[tuple[int, int, str, str, str]], show, group: str | None = None) -> str:  # type: ignore[no-untyped-def]
    out, pos = [], 0
    for d in sorted(deletions):
        out.append(text[pos : d[0]])
        shown = show(d, d[2] == group)
        if text[: d[0]].count("$") % 2 and shown.startswith("**") and shown.endswith("**"):
            shown = shown[2:-2]  # inside $…$ math: bold marks would break the formula (and its MathJax)
        out.append(shown)
        pos = d[1]
    out.append(text[pos:])
    return "".join(out)


def _numbered(
    matches: list[re.Match[str]], answer: int, hint: int | None = None
) -> list[tuple[int, int, str, str, str]]:
    """Each match its own group (Obsidian, hashcards, Logseq: one card per deletion)."""
    return [
        (m.start(), m.end(), str(i), m.group(answer).strip(), (m.group(hint) or "").strip() if hint else "")
        for i, m in enumerate(matches, start=1)
    ]


def _heading(line: str, stack: list[tuple[int, str]]) -> bool:
    """Update the heading context with `line` if it is a heading."""
    m = _HEADING.match(line)
    if not m:
        return False
    level = len(m.group(1))
    while stack and stack[-1][0] >= level:
        stack.pop()
    stack.append((level, re.sub(r"(?<!\S)#[A-Za-z][\w/-]*", "", m.group(2)).strip()))
    return True


def _front_matter_end(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                return i + 1
    return 0


def _paragraphs(lines: list[str], start: int) -> list[tuple[list[str], list[tuple[int, str]]]]:
    """(heading context, lines) of each blank-line separated block; fenced code stays in its block."""
    out: list[tuple[list[str], list[tuple[int, str]]]] = []
    stack: list[tuple[int, str]] = []
    block: list[tuple[int, str]] = []
    fence = False

    def close() -> None:
        if block:
            out.append(([h for _, h in stack], list(block)))
            block.clear()

    for number, line in enumerate(lines[start:], start=start + 1):
        if _FENCE.match(line):
            fence = not fence
            block.append((number, line))
            continue
        if fence:
            block.append((number, line))
            continue
        if not line.strip():
            close()
            continue
        if _HEADING.match(line):
            close()
            _heading(line, stack)
            continue
        block.append((number, line))
    close()
    return out


def foreign(line: str) -> str | None:
    """Why a line is a card construct lossquiz does not read (RemNote arrows), or None."""
    text = mask_code_spans(line)
    if _REMNOTE.search(text) and not _FENCE.match(line):
        return "RemNote-style card (>>, <<, <>, ;;) is not a format lossquiz reads"
    return None


# -- obsidian -----------------------------------------------------------------------------


def parse_obsidian(lines: list[str]) -> Parsed:
    """The Obsidian spaced-repetition plugin's cards."""
    cards: list[NoteCard] = []
    unreadable: list[tuple[int, str]] = []
    text: list[int] = []
    for context, block in _paragraphs(lines, _front_matter_end(lines)):
        whole = [(n, _SR_INLINE.sub("", line)) for n, line in block if not _SR_LINE.match(line)]
        whole = [(n, line) for n, line in whole if not _TAGS_ONLY.match(line)]
        for body in _around_one_liners(whole):
            _obsidian_block(body, context, cards, unreadable, text)
    return Parsed(cards, unreadable, text)


def _around_one_liners(body: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """A paragraph cut at its `question::answer` lines: as in the plugin's own parser (src/parser.ts),
    such a line is a card of its own and ends the text before it, so a cloze or a `?` card written
    on the next line, with no blank line between, is not glued to it."""
    runs: list[list[tuple[int, str]]] = []
    run: list[tuple[int, str]] = []
    for n, line in body:
        if not _SEPARATOR.match(line) and separator_at(_line_content(line)) is not None:
            runs += [run] if run else []
            runs.append([(n, line)])
            run = []
        else:
            run.append((n, line))
    return runs + ([run] if run else [])


_GLUED = (
    "a ==cloze== sentence glued to the '?' card below it (no blank line between): the plugin reads"
    " both as one card, the cloze in its question; put a blank line after the cloze"
)


def _glued_clozes(question: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The leading lines of a multi-line card's question that are cloze sentences of their own.

    The plugin's parser (st3v3nmw/obsidian-spaced-repetition, src/parser.ts) does not split them
    off: a `==…==` line sets the card type to Cloze only while no type is set, and the `?` line
    below then sets it to MultiLineBasic, so the whole paragraph becomes one card whose question
    starts with the cloze sentence and its raw `==` marks. Rather than import that garbled card
    (or guess a split the plugin does not make), such lines are reported as not read: a line with a
    cloze mark that ends a sentence (".", "!") and is followed by more question text. A highlight
    inside the question itself ("What does ==Huber== do\nfor large residuals?") is kept."""
    glued: list[tuple[int, str]] = []
    for n, line in question[:-1]:
        text = mask_code_spans(line).rstrip()
        if not (_MARKED_GAP.search(text) or _ANKI_CLOZE.search(text)) or not text.endswith((".", "!")):
            break
        glued.append((n, line))
    return glued


def _line_content(line: str) -> str:
    """A line's text without its list bullet, where a one-line card's separator is looked for."""
    item = _BULLET.match(line)
    return item.group(2) if item else line.strip()


def _obsidian_block(
    body: list[tuple[int, str]],
    context: list[str],
    cards: list[NoteCard],
    unreadable: list[tuple[int, str]],
    text: list[int],
) -> None:
    """One block of an Obsidian note: a multi-line card, one-line cards, clozes, or plain text."""
    first = body[0][0]
    seps = [(i, m.group(1)) for i, (_, line) in enumerate(body) if (m := _SEPARATOR.match(line))]
    if seps:
        i, mark = seps[0]
        glued = _glued_clozes(body[:i])
        unreadable.extend((n, _GLUED) for n, _ in glued)
        question = "\n".join(line for _, line in body[len(glued) : i]).strip()
        answer = "\n".join(line.rstrip() for _, line in body[i + 1 :]).strip()
        if not question or not answer:
            unreadable.append((first, f"multi-line card with no {'question' if not question else 'answer'}"))
            return
        card = _basic(question, answer, kind="concept", context=context, line=first)
        if mark == "??":
            cards += both_ways(card, _basic(answer, question, kind="concept", context=context, line=first))
        else:
            cards.append(card)
        return
    found = False
    for n, line in body:
        content = _line_content(line)
        where = separator_at(content)
        if where is None:
            continue
        found = True
        q, a = content[: where[0]].strip(), content[where[0] + where[1] :].strip()
        if not q or not a:
            unreadable.append((n, f"one-line card with no {'question' if not q else 'answer'}"))
            continue
        card = _basic(q, a, kind="quickfire", context=context, line=n)
        if where[1] == 3:
            cards += both_ways(card, _basic(a, q, kind="quickfire", context=context, line=n))
        else:
            cards.append(card)
    if found:
        return
    joined = "\n".join(line for _, line in body)
    anki = list(_ANKI_CLOZE.finditer(joined))
    if anki:
        dels = [(m.start(), m.end(), m.group(1), m.group(2).strip(), (m.group(3) or "").strip()) for m in anki]
        _clozes(cards, unreadable, joined, dels, context, first)
        return
    marks = list(_HIGHLIGHT.finditer(joined)) or list(_BOLD.finditer(joined)) or list(_CURLY_CLOZE.finditer(joined))
    if marks:
        _clozes(cards, unreadable, joined, _numbered(marks, 1), context, first)
        return
    bad = next(((n, why) for n, line in body if (why := foreign(line))), None)
    if bad:
        unreadable.append(bad)
    else:
        text.append(first)


# -- hashcards ----------------------------------------------------------------------------


def parse_hashcards(lines: list[str]) -> Parsed:
    """hashcards: `Q:` question, `A:` answer (both may run over several lines), `C:` cloze with `[…]`."""
    cards: list[NoteCard] = []
    unreadable: list[tuple[int, str]] = []
    text: list[int] = []
    stack: list[tuple[int, str]] = []
    current: list[object] | None = None  # [mark, first line, {mark: [lines]}, context]
    fence = False

    def finish() -> None:
        nonlocal current
        if current is None:
            return
        mark, line, parts, context = current  # type: ignore[misc]
        current = None
        q = "\n".join(parts.get("Q", [])).strip()  # type: ignore[attr-defined]
        a = "\n".join(parts.get("A", [])).strip()  # type: ignore[attr-defined]
        c = "\n".join(parts.get("C", [])).strip()  # type: ignore[attr-defined]
        if mark == "C":
            dels = list(_BRACKET.finditer(c))
            if not dels:
                unreadable.append((line, "'C:' cloze card with no [deletion]"))  # type: ignore[arg-type]
            else:
                _clozes(cards, unreadable, c, _numbered(dels, 1), context, line)  # type: ignore[arg-type]
        elif mark == "A":
            unreadable.append((line, "'A:' answer with no 'Q:' question before it"))  # type: ignore[arg-type]
        elif not a:
            unreadable.append((line, "'Q:' question with no 'A:' answer"))  # type: ignore[arg-type]
        elif not q:
            unreadable.append((line, "'Q:' with no question text"))  # type: ignore[arg-type]
        else:
            cards.append(_basic(q, a, kind="concept" if "\n" in a else "quickfire", context=context, line=line))  # type: ignore[arg-type]

    part: str | None = None
    in_text = False
    for number, line in enumerate(lines[_front_matter_end(lines) :], start=_front_matter_end(lines) + 1):
        if _FENCE.match(line):
            fence = not fence
        if not fence and _HEADING.match(line):
            finish()
            _heading(line, stack)
            part = None
            continue
        m = _HASH_MARK.match(line) if not fence else None
        if m:
            mark = m.group(1)
            if mark == "A" and current is not None and current[0] == "Q" and "A" not in current[2]:  # type: ignore[operator]
                current[2]["A"] = [m.group(2) or ""]  # type: ignore[index]
            else:
                finish()
                current = [mark, number, {mark: [m.group(2) or ""]}, [h for _, h in stack]]
            part, in_text = mark, False
            continue
        if current is not None and part is not None and (line.strip() or fence or part != "C"):
            current[2][part].append(line)  # type: ignore[index]
            continue
        if current is not None and not line.strip():
            part = None if part == "C" else part
            continue
        if current is not None and part is None and line.strip():
            finish()
        if not line.strip():
            in_text = False
            continue
        finish()
        why = foreign(line)
        if why:
            unreadable.append((number, why))
        elif not in_text:
            text.append(number)
        in_text = True
    finish()
    return Parsed(cards, unreadable, text)


# -- logseq -------------------------------------------------------------------------------


@dataclass
class _LBlock:
    indent: int
    line: int
    text: list[str]
    children: list[_LBlock]


def _indent(spaces: str) -> int:
    return len(spaces.replace("\t", "    "))


def parse_logseq(lines: list[str]) -> Parsed:
    """Logseq: blocks tagged `#card` (children are the answer) and `{{cloze …}}` blocks."""
    roots: list[_LBlock] = []
    stack: list[_LBlock] = []
    for number, line in enumerate(lines, start=1):
        m = _BULLET.match(line)
        if m:
            block = _LBlock(_indent(m.group(1)), number, [m.group(2)], [])
            while stack and stack[-1].indent >= block.indent:
                stack.pop()
            (stack[-1].children if stack else roots).append(block)
            stack.append(block)
        elif line.strip() and stack:
            stack[-1].text.append(line.strip())
        elif line.strip() and not _PROPERTY.match(line):
            roots.append(_LBlock(0, number, [line.strip()], []))
    cards: list[NoteCard] = []
    unreadable: list[tuple[int, str]] = []
    text: list[int] = []
    context: list[str] = []

    def content(block: _LBlock) -> str:
        return "\n".join(t for t in block.text if not _PROPERTY.match(t)).strip()

    def render(blocks: list[_LBlock]) -> list[str]:
        """The blocks and their children as nested Markdown bullets (iterative: any depth)."""
        out: list[str] = []
        todo = [(b, 0) for b in reversed(blocks)]
        while todo:
            b, depth = todo.pop()
            body = content(b)
            if body:
                first, *rest = body.split("\n")
                pad = "  " * min(depth, 20)
                out.append(pad + "- " + first)
                out += [pad + "  " + r for r in rest]
            todo += [(c, depth + 1) for c in reversed(b.children)]
        return out

    todo = list(reversed(roots))
    while todo:
        block = todo.pop()
        body = content(block)
        children = list(reversed(block.children))
        if not body:
            todo += children
            continue
        head = _HEADING.match(body)
        if head:
            context[:] = [re.sub(r"(?<!\S)#[A-Za-z][\w/-]*", "", head.group(2)).strip()]
        tagged = bool(_CARD_TAG.search(body))
        clean = re.sub(r"(?:^|\s)#(?:card|flashcard)\b", "", body).strip()
        clozes = list(_LOGSEQ_CLOZE.finditer(clean))
        if clozes:
            _clozes(cards, unreadable, clean, _numbered(clozes, 1), list(context), block.line)
            todo += children
            continue
        if tagged:
            answer = "\n".join(render(block.children)).strip()
            if not answer:
                unreadable.append((block.line, "#card block with no child blocks (the answer)"))
            else:
                kind = "quickfire" if len(block.children) == 1 and "\n" not in answer else "concept"
                if kind == "quickfire":
                    answer = answer[2:]
                cards.append(_basic(clean, answer, kind=kind, context=list(context), line=block.line))
            continue
        why = foreign(body)
        if why:
            unreadable.append((block.line, why))
        elif not head:
            text.append(block.line)
        todo += children
    return Parsed(cards, unreadable, text)


PARSERS = {"obsidian": parse_obsidian, "hashcards": parse_hashcards, "logseq": parse_logseq}


# -- lossquiz notes: constructs of other tools are not read as text ------------------------

_ANKI_TEXT_HEADERS = ("#separator:", "#html:", "#notetype:", "#deck:", "#columns:", "#guid column:", "#tags column:")
_LOGSEQ_KEYS = re.compile(r"^(?:id|title|tags|alias|collapsed|heading|template|public|filters|icon|card-[a-z-]+)$")


def _cloze_marks(line: str) -> bool:
    """True if a line of lossquiz notes holds a `==gap==` (not `a == b`) or an Anki `{{c1::gap}}`,
    outside code spans."""
    text = mask_code_spans(line)
    return bool(_MARKED_GAP.search(text) or _ANKI_CLOZE.search(text))


def _lossquiz_clozes(lines: list[str]) -> tuple[list[str], list[NoteCard], list[tuple[int, str]]]:
    """The cloze cards of lossquiz notes, and the lines with those paragraphs blanked out for
    deck/notes.py; plus (line, why) of clozes that cannot be cards (too many gaps).

    A paragraph (or a list item, with its continuation lines) holding a `==gap==` or `{{c1::gap}}`
    is a cloze card, wherever it sits: under a section heading or inside a `Q:` card's text, as a
    `question::answer` line is. A `::` line or a quick-fire bullet stays the card it is; a paragraph
    with a code block in it is left to the screen (its code may hold `==`). The topic comes from
    the headings above, as for every other card (`Q:` headings are cards, not topics)."""
    out = list(lines)
    cards: list[NoteCard] = []
    unreadable: list[tuple[int, str]] = []
    for context, block in _paragraphs(lines, _front_matter_end(lines)):
        if any(_FENCE.match(line) for _, line in block):
            continue
        topics = [h for h in context if not QUESTION_HEADING.match(h)]
        for run in _cloze_runs(block):
            item = LIST_ITEM.match(run[0][1])
            first = item.group(2) if item else run[0][1]  # a list item's card starts at its text
            text = "\n".join(line.strip() for line in [first, *(line for _, line in run[1:])])
            dels = _lossquiz_deletions(text)
            if not dels:  # a code span running over lines hid the marks: left to the screen
                continue
            _clozes(cards, unreadable, text, dels, topics, run[0][0])
            for n, _ in run:
                out[n - 1] = ""
    return out, cards, unreadable


def _lossquiz_deletions(text: str) -> list[tuple[int, int, str, str, str]]:
    """The deletions of a lossquiz cloze paragraph: each `{{cN::…}}` in its group `N`, and each
    `==gap==` outside them a group of its own (numbered after the paragraph's highest `cN`), so a
    paragraph mixing both styles has a card per gap of either (none is left showing its marks)."""
    masked = mask_code_spans(text)  # as long as the text: match positions are the text's
    anki = list(_ANKI_CLOZE.finditer(masked))
    dels = [(m.start(), m.end(), m.group(1), _group(text, m, 2), _group(text, m, 3)) for m in anki]
    taken = [(m.start(), m.end()) for m in anki]
    gaps = [m for m in _MARKED_GAP.finditer(masked) if not any(a < m.end() and m.start() < b for a, b in taken)]
    after = max((int(m.group(1)) for m in anki), default=0)
    dels += [
        (m.start(), m.end(), str(after + i), text[m.start() + 2 : m.end() - 2].strip(), "")
        for i, m in enumerate(gaps, 1)
    ]
    return sorted(dels)


def _group(text: str, m: re.Match[str], group: int) -> str:
    """What a group of a match on the masked text spans in the text itself ("" if it did not match)."""
    return text[m.start(group) : m.end(group)].strip() if m.group(group) is not None else ""


def _cloze_runs(block: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """A paragraph's runs that may be cloze cards: each list item (with the lines under it), or the
    lines between them; `::` lines and quick-fire bullets are cards of their own and end a run."""
    runs: list[list[tuple[int, str]]] = []
    run: list[tuple[int, str]] = []
    for n, raw in block:
        if _SR_LINE.match(raw):  # the plugin's scheduling comment is kept out of the card
            continue
        line = _SR_INLINE.sub("", raw)
        if one_line_card(line) or LIST_ITEM.match(line):
            runs += [run] if run else []
            run = []
            if one_line_card(line):
                continue
        run.append((n, line))
    return [r for r in [*runs, run] if r and any(_cloze_marks(line) for _, line in r)]


def _screen_lossquiz(lines: list[str]) -> tuple[list[str], list[tuple[int, str]]]:
    """Blank the lines lossquiz's own parser must not read: SR scheduling comments and Logseq
    properties (kept out of cards), and other tools' card syntax (unreadable, with its line)."""
    out, unreadable = [], []
    fence = False
    for number, line in enumerate(lines, start=1):
        if _FENCE.match(line):
            fence = not fence
        if fence or _FENCE.match(line):
            out.append(line)
            continue
        prop = _PROPERTY.match(line)
        if _SR_LINE.match(line) or (prop and _LOGSEQ_KEYS.match(prop.group(1))):
            out.append("")
            continue
        why = foreign(line)
        if why is None and _SEPARATOR.match(line):
            why = "an Obsidian multi-line '?' card in a file read as lossquiz notes (try --format obsidian)"
        elif why is None and _HASH_MARK.match(line):
            why = "a hashcards 'Q:'/'A:'/'C:' line in a file read as lossquiz notes (try --format hashcards)"
        elif why is None and (_CARD_TAG.search(line) or _LOGSEQ_CLOZE.search(line)):
            why = "a Logseq #card block or {{cloze}} in a file read as lossquiz notes (try --format logseq)"
        elif why is None and _cloze_marks(line):
            # _lossquiz_clozes took every cloze paragraph: this one shares its lines with other syntax
            why = (
                "a cloze on a line that is also a one-line card, or in a paragraph with a code block:"
                " give the cloze a paragraph of its own"
            )
        if why:
            unreadable.append((number, why))
            out.append("")
        else:
            out.append(line)
    return out, unreadable


def load(path: Path, fmt: str | None = None) -> Notes:
    """Read a notes file in its format (detected unless given); raise NotesError if nothing is read."""
    lines, fixed = read_notes(path)
    header = next((n for n, line in enumerate(lines[:20], start=1) if line.startswith(_ANKI_TEXT_HEADERS)), None)
    if header is not None and fmt is None:
        raise NotesError(
            [
                f"{path.name}:{header}: an Anki text export (tab-separated notes), not notes; in Anki, export a deck"
                " package (.apkg) and import that"
            ]
        )
    fmt = fmt or detect(lines)
    if fmt == "lossquiz":
        rest, clozes, unreadable = _lossquiz_clozes(lines)
        screened, foreign_lines = _screen_lossquiz(rest)
        unreadable = sorted([*unreadable, *foreign_lines])
        try:
            notes = parse_notes(screened, name=path.name, allow_empty=bool(clozes))
        except NotesError as e:
            if not unreadable:
                raise
            raise NotesError([*(f"{path.name}:{n}: {why}" for n, why in unreadable), *e.problems]) from None
        cards = sorted([*notes.cards, *clozes], key=lambda c: c.line)  # not empty: parse_notes saw to that
        return replace(notes, cards=tuple(cards), fixed_lines=tuple(fixed), unreadable=tuple(unreadable))
    parsed = PARSERS[fmt](lines)
    if not parsed.cards and not parsed.unreadable:
        raise NotesError([f"{path.name}: no cards found in {fmt} format (see `lossquiz import --help`)"])
    cards = sorted(parsed.cards, key=lambda c: c.line)
    return Notes(path.name, tuple(cards), tuple(fixed), (), fmt, tuple(parsed.unreadable), tuple(parsed.text))
