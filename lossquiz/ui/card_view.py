"""Pieces of a card shared by every view: header, Markdown, formula, key points, worked example."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.text import Text

from lossquiz.deck.cards import Card
from lossquiz.deck.kinds import KIND_LIST
from lossquiz.numbers import fmt
from lossquiz.ui.formula_lines import Formula

KIND_STYLE = {k.name: k.style for k in KIND_LIST}


def card_table(cards: Iterable[Card], width: int | None = None) -> Text:
    """The deck as aligned columns: id, title, topic, kind, snippet.

    Plain padded lines rather than a rich Table: laying out a 100-row Table costs more than
    everything else `list` does. Within `width` (a terminal's) id, topic and kind are never cut:
    the snippet column goes first if the title would get too narrow (a dim last line says so
    when some card has a snippet), then the id column narrows, a longer id standing on a line of
    its own with its row under it (as argparse does a long option), and last the title wraps onto
    lines of its own in its column. Without a width (a pipe) every row is one whole line.
    """
    import textwrap

    from rich.cells import cell_len

    header = ("id", "title", "topic", "kind", "snippet")
    rows = [(c.id, " ".join(c.title.split()), c.topic, c.kind, c.snippet or "") for c in cards]
    widths = [max(cell_len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    columns = list(range(len(header)))
    hidden = ""
    if width is not None:

        def fixed() -> int:  # every column but the title, with its two spaces
            return sum(widths[k] + 2 for k in columns if k != 1)

        if width - fixed() < TITLE_MIN:
            columns.remove(4)  # the snippet is `show`'s business; the title says what the card is
            if any(row[4] for row in rows):  # an empty column goes without a word
                hidden = f"snippet column hidden at {width} columns; widen the terminal or use --json"
        short = min(widths[1], TITLE_WANT) - (width - fixed() - 2)
        if short > 0:  # the title would wrap: a few long ids each take a line instead
            widths[0] = max(widths[0] - short, ID_MIN)
        widths[1] = max(min(widths[1], width - fixed() - 2), TITLE_MIN)
    # One string and a few style spans: appending cell by cell to a Text costs more than the rest of `list`.
    lines: list[str] = []
    spans: list[tuple[int, int, str]] = []
    offset = 0
    for n, row in enumerate([header, *rows]):
        title = [row[1]]
        if width is not None and cell_len(row[1]) > widths[1]:
            title = textwrap.wrap(row[1], widths[1], break_on_hyphens=False) or [""]
        if width is not None and cell_len(row[0]) > widths[0]:  # the id alone, its row on the next line
            lines.append(row[0])
            offset += len(row[0]) + 1
            row = ("", *row[1:])
        for line_no, title_line in enumerate(title):
            cells = [(k, row[k] if k != 1 else title_line) for k in columns]
            if line_no:  # a wrapped title's next line: only the title column
                cells = [(k, "" if k != 1 else title_line) for k in columns]
            parts, at = [], offset
            for i, (k, cell) in enumerate(cells):
                style = KIND_STYLE.get(cell, "") if k == 3 and n else ""
                if style:
                    spans.append((at, at + len(cell), style))
                pad = " " * (widths[k] - cell_len(cell) + 2) if i < len(cells) - 1 else ""
                parts.append(cell + pad)
                at += len(cell) + len(pad)
            line = "".join(parts).rstrip()
            if n == 0:
                spans.append((offset, offset + len(line), "bold"))
            lines.append(line)
            offset += len(line) + 1
    if hidden:
        spans.append((offset, offset + len(hidden), "dim"))
        lines.append(hidden)
    text = Text("\n".join(lines))
    for start, end, style in spans:
        text.stylize(style, start, end)
    return text


TITLE_MIN = 20  # narrowest title column worth wrapping into; below it the snippet column is dropped
TITLE_WANT = 30  # a title column this wide holds most titles on one or two lines
ID_MIN = 16  # the id column narrows (longer ids on lines of their own) to no less than this


def markdown(text: str, *, plain: bool = False) -> RenderableType:
    """Card Markdown, rendered; `plain` (output is not a terminal) prints the source as is.

    markdown-it and Rich's Markdown cost ~0.1 s to import, the most of a drill's first card: piped
    output skips them, and so does prose (every question of the built-in deck), which needs only
    paragraphs, `code`, **bold** and *emphasis*.
    """
    if plain:  # math as plain unicode: escaped for Markdown (`P\\|\\|Q`) it would show its backslashes
        from lossquiz.deck.mathtext import plain as plain_math

        return _plain_markdown(plain_math(text))
    if "$" in text:  # $…$ math from imported notes as unicode
        from lossquiz.deck.mathtext import for_terminal

        text = for_terminal(text)
    text = _TERM_LINE.sub("  \n", text)  # each **Term** = … line keeps its line break
    if not _BLOCK_SYNTAX.search(text) and "\\" not in text and "<" not in text and "[" not in text:
        return _prose(text)
    from rich.markdown import Markdown

    first, *lists = _at_tight_lists(text)
    return Group(Markdown(first), *(_NoLeadingBlank(Markdown(part)) for part in lists)) if lists else Markdown(text)


_LIST_START = re.compile(r"^(?:[-*+]|1[.)])[ \t]+\S")  # an item that may start a list right under a paragraph


def _at_tight_lists(text: str) -> list[str]:
    """The text cut before each list that starts on the line right under a paragraph: Rich's
    Markdown puts a blank line above every list, one the notes do not have there. Only a paragraph
    and a list at the left margin are cut apart (an indented line may belong to a list item)."""
    parts, start, lines = [], 0, text.split("\n")
    paragraph: bool | None = None  # the block since the last blank line is all paragraph lines (None: empty)
    fence = False
    for i, line in enumerate(lines):
        if re.match(r"^ {0,3}(```|~~~)", line):
            fence, paragraph = not fence, False
        elif fence or not line.strip():
            paragraph = None if not fence else False
        elif paragraph and _LIST_START.match(line):
            parts.append("\n".join(lines[start:i]))
            start, paragraph = i, False
        else:
            paragraph = paragraph is not False and not line[0].isspace() and not _BLOCK_SYNTAX.match(line)
    return [*parts, "\n".join(lines[start:])]


class _NoLeadingBlank:
    """A renderable without the blank lines it starts with."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.segment import Segment

        lines = console.render_lines(self.renderable, options, pad=False)
        while lines and not "".join(seg.text for seg in lines[0]).strip():
            lines.pop(0)
        for line in lines:
            yield from line
            yield Segment.line()


_TERM_LINE = re.compile(r"\n(?=\*\*[^*\n]+\*\*\s*[=:(—–-])")
# Anything beyond paragraphs and inline marks goes to Rich's Markdown: lists, headings, quotes,
# fences, tables, indented code, rules, setext underlines.
_BLOCK_SYNTAX = re.compile(r"^ {0,3}(?:[-*+]\s|\d+[.)]\s|#|>|```|~~~|\||[-=_*]{3,}\s*$)|^ {4}", re.M)
_INLINE = re.compile(r"(`+)(.+?)\1|\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![*\w])\*(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![*\w])")


def _prose(text: str) -> RenderableType:
    """Paragraphs of inline Markdown as Rich's Markdown draws them: soft breaks joined, a blank line
    between paragraphs, a trailing two-space break kept, `code`/**strong**/*em* in its theme styles."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]
    rendered: list[RenderableType] = []
    for n, paragraph in enumerate(paragraphs):
        lines = [line.strip() for line in re.split(r"  \n", paragraph)]
        flowed = "\n".join(" ".join(line.split()) for line in lines)
        body = Text(justify="left")
        last = 0
        for m in _INLINE.finditer(flowed):
            body.append(flowed[last : m.start()])
            if m.group(2) is not None:
                body.append(m.group(2).strip(" ") or m.group(2), style="markdown.code")
            elif m.group(3) is not None:
                body.append(m.group(3), style="markdown.strong")
            else:
                body.append(m.group(4), style="markdown.em")
            last = m.end()
        body.append(flowed[last:])
        rendered += [Text()] if n else []
        rendered.append(body)
    return Group(*rendered)


_PLAIN_ITEM = re.compile(r"\s*([-*+•]|\d+[.)])\s+(.*)")


def _plain_markdown(text: str) -> RenderableType:
    """Markdown as plain text for a pipe: paragraphs reflowed (the console wraps them at its width,
    cutting nothing), list items as `•` bullets whose continuation lines join them and whose wrapped
    lines hang under their text (as the drill's Markdown draws them), `**Term** = …` lines kept on
    lines of their own, and the emphasis and code marks dropped."""
    blocks: list[tuple[str | None, str]] = []  # (bullet, text); None: a paragraph line
    for line in text.split("\n"):
        item = _PLAIN_ITEM.match(line)
        after_item = bool(blocks) and blocks[-1][0] is not None
        if item:
            bullet = "•" if item.group(1) in "-*+•" else item.group(1)
            blocks.append((bullet, item.group(2).strip()))
            continue
        term = re.match(r"\s*\*\*[^*\n]+\*\*\s*[=:(—–-]", line)  # a `**Term** = …` line
        own_line = not line.strip() or term or (line.startswith("    ") and not after_item)
        if blocks and blocks[-1][1].strip() and not own_line:  # a soft line break is a space
            blocks[-1] = (blocks[-1][0], blocks[-1][1].rstrip() + " " + line.strip())
        else:
            blocks.append((None, line))
    parts: list[RenderableType] = []
    items: list[tuple[str, str]] = []

    def flush() -> None:
        if items:
            from rich.table import Table

            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True)
            grid.add_column()
            for bullet, body in items:
                grid.add_row(bullet, Text(_unmark(body)))
            parts.append(grid)
            items.clear()

    for bullet, body in blocks:
        if bullet is None:
            flush()
            parts.append(Text(_unmark(body)))
        else:
            items.append((bullet, body))
    flush()
    return Group(*parts)


def _unmark(text: str) -> str:
    text = re.sub(r"\*\*([^*\n]+)\*\*", r"\1", text)
    text = re.sub(r"(?<![*\w])\*(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![*\w])", r"\1", text)  # *emphasis*
    return re.sub(r"`([^`\n]+)`", r"\1", text)


class CardHeader:
    """A card's header at whatever width it is drawn (`card_header` given that width): `cut` as the
    drill does, or with the title whole on a line of its own when the line would not fit, as `show`
    does (drawn as plain text, `… · probabilistic ·` ended one line and `concept` began the next)."""

    def __init__(self, card: Card, position: str = "", suffix: str = "", *, cut: bool = True) -> None:
        self.card, self.position, self.suffix, self.cut = card, position, suffix, cut

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield card_header(self.card, position=self.position, suffix=self.suffix, width=options.max_width, cut=self.cut)


def card_header(
    card: Card, *, position: str = "", suffix: str = "", width: int | None = None, cut: bool = True
) -> Text:
    """`Huber loss  huber · regression · numeric` with an optional position like `3/12`.

    A title folded over several lines in the YAML is joined. The id is never cut: it is what
    `--card`, `show` and `card info` take, and the cloze cards of one sentence differ only in it.
    Within `width` the title is cut with … first, down to TITLE_SHORT cells; below that the header
    wraps after the title, which then has a line of its own, and, when the id is too long to sit
    beside topic and kind, after the id too. Topic, kind and the suffix (the drill's time limit)
    stay whole. With `cut` False the title is never cut: it takes the line of its own at once.
    """
    from rich.cells import cell_len

    title = " ".join(card.name.split())
    lead = f"{position}  " if position else ""
    after_id = f" · {card.topic} · {card.kind}{suffix}"
    head = Text()
    head.append(lead, style="dim")
    if width is None or cell_len(f"{lead}{title}  {card.id}{after_id}") <= width:
        return _rest(head.append(title, style="bold").append("  "), card, suffix)
    room = width - cell_len(f"{lead}  {card.id}{after_id}")  # for the title beside the rest
    if cut and room >= min(cell_len(title), TITLE_SHORT):
        return _rest(head.append(_cut(title, room), style="bold").append("  "), card, suffix)
    indent = " " * cell_len(lead)
    head.append(_cut(title, width - len(indent)) if cut else title, style="bold")
    head.append("\n" + (indent if cell_len(indent + card.id) <= width else ""))  # else the id folds
    if cell_len(indent + card.id + after_id) <= width:
        return _rest(head, card, suffix)
    head.append(card.id, style="dim").append("\n" + indent)  # the id on a line of its own
    return _rest(head, card, suffix, with_id=False)


def _rest(head: Text, card: Card, suffix: str, *, with_id: bool = True) -> Text:
    """`id · topic · kind` and the suffix after the title, the kind in its colour."""
    head.append(f"{card.id} · {card.topic} · " if with_id else f"{card.topic} · ", style="dim")
    head.append(card.kind, style=KIND_STYLE.get(card.kind, ""))
    return head.append(suffix, style="dim")


def _cut(text: str, cells: int) -> str:
    from rich.cells import cell_len

    if cell_len(text) <= cells:
        return text
    cut = Text(text)
    cut.truncate(max(cells, 2), overflow="ellipsis")
    return cut.plain


TITLE_SHORT = 24  # cells: a title cut shorter than this gets a line of its own (12 left stubs like `Write the DD…`)


def formula(card: Card) -> RenderableType | None:
    """The card's formula as readable unicode, framed."""
    if not card.formula:
        return None
    from rich.panel import Panel  # here, not at the top: `list` needs neither Panel nor Table

    from lossquiz.deck.latex_cache import to_unicode

    return Panel(Formula(to_unicode(card.formula)), title=Text("formula"), title_align="left", expand=False)


def key_points(card: Card) -> RenderableType:
    """The checkpoints a complete answer must hit, as bullets whose wrapped lines hang under the text."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    from lossquiz.deck.mathtext import plain

    for point in card.key_points:
        grid.add_row("  •", Text(plain(point)))  # a deck imported before: `$\tau$` shows as τ
    return grid


def _own_points(card: Card) -> bool:
    """True if the card has key points that are not its answer again (an imported answer of
    bullets has them as its key points, word for word; a cloze's one point is its gap)."""
    if not card.key_points:
        return False
    if card.kind == "cloze" and len(card.key_points) == 1:
        from lossquiz.deck.mathtext import plain

        if plain(card.key_points[0]) in plain(card.answer):  # the gap, shown in the answer already
            return False
    # Points that restate the answer have no word the answer lacks: a point with one is the card's
    # own, decided without importing deck/answers.py (its tables cost `show` ~2% of start-up).
    if any(word not in card.answer for point in card.key_points for word in _WORDS.findall(point)):
        return True
    from lossquiz.deck.answers import restates

    return not restates(card.answer, card.key_points)


_WORDS = re.compile(r"[A-Za-z]{3,}")  # math becomes unicode in a point; its ASCII words stay


def answer(card: Card, *, plain: bool = False, text_lines: int | None = None, boxed: bool = True) -> RenderableType:
    """Answer, key points and formula: what a reveal shows. For a terminal too short for all of it,
    the answer text cut to `text_lines` (with where to read the rest), and the formula unboxed."""
    text = markdown(card.answer, plain=plain)
    parts: list[RenderableType] = [
        text if text_lines is None else _FirstLines(text, text_lines, f"lossquiz show {card.id}")
    ]
    if _own_points(card):  # a quickfire card's one-line answer is its own checkpoint
        parts += [Text("Key points", style="bold"), key_points(card)]
    box = formula(card) if boxed else _formula_line(card)
    if box is not None:
        parts.append(box)
    return Group(*parts)


def _formula_line(card: Card) -> RenderableType | None:
    """The formula as the card states it, unboxed: two rows fewer than its panel."""
    if not card.formula:
        return None
    from lossquiz.deck.latex_cache import to_unicode

    return labelled("formula:", Formula(to_unicode(card.formula)), label_style="bold")


def compact_answer(card: Card) -> RenderableType:
    """The answer under a formula verdict, in few lines (a 24-row terminal keeps the question in
    view): the answer text, its key points as bullets and the formula as the card states it, unboxed."""
    parts: list[RenderableType] = [_FirstLines(markdown(card.answer), ANSWER_LINES, f"lossquiz show {card.id}")]
    if _own_points(card):
        parts.append(key_points(card))
    line = _formula_line(card)
    if line is not None:
        parts.append(line)
    return Group(*parts)


def labelled(label: str, value: str | Formula, *, label_style: str = "", style: str = "") -> RenderableType:
    """`label value` with every further line of the value under its first: the rows of a cases
    brace keep their columns, and a line wrapped at the terminal's width gets a hanging indent
    (a Formula wraps at its operators)."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    shown = Text(value, style=style) if isinstance(value, str) else value
    grid.add_row(Text(label, style=label_style or style), shown)
    return grid


ANSWER_LINES = 4  # of the answer text under a formula verdict; `show` has the whole of it


def drawn_lines(console: Console, renderable: RenderableType, options: ConsoleOptions) -> list[list[Any]]:
    """The renderable's rows at `options`' width, without the trailing blank line Markdown ends with
    (it is not a row of text: counted, it made a reveal one row taller than it is)."""
    lines = console.render_lines(renderable, options, pad=False)
    while lines and not "".join(seg.text for seg in lines[-1]).strip():
        lines.pop()
    return lines


class _FirstLines:
    """A renderable's first `limit` lines at the width it is drawn, then where to read the rest."""

    def __init__(self, renderable: RenderableType, limit: int, rest: str) -> None:
        self.renderable, self.limit, self.rest = renderable, limit, rest

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.segment import Segment

        lines = drawn_lines(console, self.renderable, options)
        for line in lines[: self.limit]:
            yield from line
            yield Segment.line()
        if len(lines) > self.limit:
            yield Text(f"… (the whole answer: {self.rest})", style="dim")


def source(code: str, name: str, *, plain: bool = False) -> RenderableType:
    """The snippet's source, syntax-highlighted (as plain text when output is not a terminal:
    compiling Pygments' Python lexer costs ~0.1 s for colours nobody would see)."""
    title = f"snippets/{name}.py"
    if plain:  # unboxed, never wrapped or cut: a pipe gets every character of every line
        return Group(Text(f"# {title}", style="dim"), Text(code.rstrip("\n"), no_wrap=True, overflow="ignore"))
    from rich.panel import Panel
    from rich.syntax import Syntax

    return Panel(Syntax(code, "python", line_numbers=True, word_wrap=True), title=title, title_align="left")


def live_line(example: dict[str, Any], *, label: str, more: str, values: bool = True) -> RenderableType:
    """A snippet's result in a line, for a reveal a short terminal cannot hold with every step;
    `more` is the command that shows them all (`values` False: the agreement alone, shorter)."""
    ref, ok = example["reference"], example["agree"]
    if values:
        value = f"value {fmt(example['value'])} "
        agrees = f"= reference {fmt(ref['value'])} ✓" if ok else f"≠ reference {fmt(ref['value'])} ✗"
    else:
        value, agrees = "", "agrees with its reference ✓" if ok else "DISAGREES with its reference ✗"
    return Text.assemble(
        (f"{label}: ", "dim"),
        (value, "bold"),
        (agrees, "green" if ok else "bold red"),
        (f" · every step: {more}", "dim"),
    )


def worked_example(example: dict[str, Any], *, label: str = "worked example") -> RenderableType:
    """Inputs, every named step, the value and whether the reference agrees."""
    from rich.panel import Panel
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for name, value in example["inputs"].items():
        table.add_row(Text(name), Text(fmt(value)))  # Text: "[1, 2]" is data, not Rich markup
    table.add_row("", "")
    for step in example["steps"]:
        table.add_row(Text(step["name"], style="cyan"), Text(fmt(step["value"])))
    table.add_row(Text("value", style="bold green"), Text(fmt(example["value"]), style="bold"))
    ref = example["reference"]
    mark = Text("✓ agrees", style="green") if example["agree"] else Text("✗ DISAGREES", style="bold red")
    table.add_row(Text("reference", style="dim"), _Marked(Text(f"{fmt(ref['value'])}  ({ref['how']})"), mark))
    return Panel(table, title=label, title_align="left")


class _Marked:
    """Text wrapped at the width it is drawn, a word longer than that folded (never cut with …),
    then `mark` after its last line if it fits there whole, else on a line of its own."""

    def __init__(self, body: Text, mark: Text) -> None:
        self.body, self.mark = body, mark

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        whole = Text.assemble(self.body, "  ", self.mark)
        return Measurement(min(self.mark.cell_len, options.max_width), min(whole.cell_len, options.max_width))

    def __rich_console__(self, console: Any, options: Any) -> Any:
        width = options.max_width
        lines = self.body.wrap(console, width, overflow="fold")
        if lines[-1].cell_len + 2 + self.mark.cell_len <= width:
            lines[-1].append_text(Text.assemble("  ", self.mark))
        else:
            lines.append(self.mark.copy())
        yield lines
