"""Borderless tables of text, drawn exactly as rich.table draws them, without laying out a Table.

Importing rich.table and rich.panel and laying out `stats`'s four tables cost more than
computing its figures over 100,000 reviews. A `Grid` is what `Table(box=None, pad_edge=False)`
draws: columns one space of padding either side of the gap between them, cells justified and
styled as the Table's column says. When every column fits at its widest cell (nearly always)
its lines are one Text with the Table's very characters and styles; otherwise (a narrow
terminal, where cells must wrap) the Table itself is drawn. `Boxed` is a `Panel(expand=False)`
with a title, around a Grid, the same way.

tests/test_grid.py compares both with Rich's own output, colours included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from rich.cells import cell_len
from rich.text import Span, Text

from lossquiz.ui.console import Phrases

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

Cell = str | Text | Phrases


class Column:
    """One column: its header, justification, style; no_wrap and min_width as rich.table.Column's."""

    __slots__ = ("header", "justify", "style", "no_wrap", "min_width")

    def __init__(
        self,
        header: str = "",
        *,
        justify: Literal["left", "right"] = "left",
        style: str = "",
        no_wrap: bool = False,
        min_width: int | None = None,
    ) -> None:
        self.header, self.justify, self.style, self.no_wrap, self.min_width = header, justify, style, no_wrap, min_width


# One line of a grid: its characters and its spans (offsets within the line).
_Line = tuple[str, list[Span]]


class Grid:
    """Rows of cells under columns; `header_style` set shows the headers in that style."""

    def __init__(self, columns: list[Column], rows: list[list[Cell]], *, header_style: str | None = None) -> None:
        self.columns, self.rows, self.header_style = columns, rows, header_style

    def table(self) -> RenderableType:
        """The rich Table this grid draws like (and draws, when it does not fit)."""
        from rich.table import Table

        if self.header_style is None:
            table = Table(box=None, pad_edge=False, show_header=False)
        else:
            table = Table(box=None, pad_edge=False, header_style=self.header_style)
        for c in self.columns:
            table.add_column(
                c.header, justify=c.justify, style=c.style or None, no_wrap=c.no_wrap, min_width=c.min_width
            )
        for row in self.rows:
            table.add_row(*row)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        laid = self.lines(console, options.max_width)
        if laid is None:
            yield self.table()
            return
        yield Fitted(_join(laid))

    def lines(self, console: Console, max_width: int) -> list[_Line] | None:
        """The grid's lines, or None when its columns do not fit in `max_width` at their widest."""
        last = len(self.columns) - 1
        pads = [(0 if i == 0 else 1, 0 if i == last else 1) for i in range(len(self.columns))]
        header = [[_text(console, c.header) for c in self.columns]] if self.header_style is not None else []
        rows = header + [[_text(console, cell) for cell in row] for row in self.rows]
        widths = []
        for i, column in enumerate(self.columns):
            widest = max((_measure(row[i]) for row in rows), default=0) + sum(pads[i])
            if column.min_width is not None:
                widest = max(widest, column.min_width + sum(pads[i]))
            widths.append(widest or 1)
        if sum(widths) > max_width:
            return None
        out: list[_Line] = []
        for n, row in enumerate(rows):
            styles = [self.header_style or "" if header and n == 0 else c.style for c in self.columns]
            cells = [
                _cell(cell, width - left - right, column.justify)
                for cell, width, (left, right), column in zip(row, widths, pads, self.columns, strict=True)
            ]
            for line_no in range(max(len(c) for c in cells)):
                plain, spans = "", []
                for cell, width, (left, right), style in zip(cells, widths, pads, styles, strict=True):
                    at = len(plain)
                    if line_no >= len(cell):  # a shorter cell: one blank run the column's width
                        plain += " " * width
                        if style:
                            spans.append(Span(at, at + width, style))
                        continue
                    chars, inner = cell[line_no]
                    if style:
                        spans += [Span(at, at + left, style)] if left else []
                        spans.append(Span(at + left, at + left + len(chars), style))
                        spans += [Span(at + left + len(chars), at + width, style)] if right else []
                    spans += [Span(at + left + s.start, at + left + s.end, s.style) for s in inner]
                    plain += " " * left + chars + " " * right
                out.append((plain, spans))
        return out


class Boxed:
    """`Panel(grid, title=title, title_align="left", expand=False)`, drawn as the Grid is."""

    def __init__(self, grid: Grid, title: str) -> None:
        self.grid, self.title = grid, title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        title = f" {self.title} "
        plain = not (options.ascii_only or options.legacy_windows or "[" in title or ":" in title)
        laid = self.grid.lines(console, width - 4) if plain and cell_len(title) <= width - 4 else None
        if laid is None:  # Rich's box characters may differ, or the table must wrap: Rich draws it
            from rich.panel import Panel

            yield Panel(self.grid.table(), title=self.title, title_align="left", expand=False)
            return
        inner = max(max((cell_len(line) for line, _ in laid), default=0), cell_len(title))
        box = _join(
            [("╭─" + title + "─" * (inner - cell_len(title)) + "─╮", [])]
            + [("│ " + line + " " * (inner - cell_len(line)) + " │", _shift(spans, 2)) for line, spans in laid]
            + [("╰" + "─" * (inner + 2) + "╯", [])]
        )
        yield Fitted(box)


class Fitted:
    """A Text none of whose lines is wider than the console: drawn as Rich draws a Text once it
    has wrapped it, without the wrapping (splitting every line into words to find none too long
    was most of drawing `stats`). A line too wide, or a justified print, goes to Rich's own."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        text = self.text
        justify = text.justify or options.justify or "default"
        fits = justify == "default" and not text.style and "\t" not in text.plain  # a base style: Rich's join spans it
        if fits and max(cell_len(line) for line in text.plain.split("\n")) <= options.max_width:
            yield from text.render(console, end=text.end)
        else:
            yield text


def _text(console: Console, cell: Cell) -> Text | Phrases:
    """A cell as the Table renders it: a string is console markup (only parsed when it could hold some)."""
    if not isinstance(cell, str):
        return cell
    if "[" in cell or ":" in cell:  # markup or an :emoji: code
        return console.render_str(cell, highlight=False)
    return Text(cell)


def _measure(cell: Text | Phrases) -> int:
    """The cell's widest line (rich.measure's maximum)."""
    if isinstance(cell, Phrases):
        return cell_len(cell.sep.join(cell.phrases))
    return max((cell_len(line) for line in cell.plain.splitlines()), default=0)


def _cell(cell: Text | Phrases, width: int, justify: str) -> list[_Line]:
    """The cell's lines, each padded to `width` as `justify` says, with its spans."""
    if isinstance(cell, Phrases):
        cell = Text("\n".join(cell.lines(width)), style=cell.style)
    out: list[_Line] = []
    for line in cell.split(allow_blank=True):
        chars, spans = line.plain, line.spans
        if justify == "right":
            chars = chars.rstrip()
            shift = width - cell_len(chars)
            chars, spans = " " * shift + chars, _shift(spans, shift)
        else:
            chars += " " * (width - cell_len(chars))
        out.append((chars, ([Span(0, len(chars), cell.style)] if cell.style else []) + spans))
    return out


def _shift(spans: list[Span], by: int) -> list[Span]:
    """The spans `by` characters further right."""
    return [Span(s.start + by, s.end + by, s.style) for s in spans]


def _join(lines: list[_Line]) -> Text:
    """The lines as one Text."""
    plain, spans, at = [], [], 0
    for line, line_spans in lines:
        plain.append(line)
        spans += _shift(line_spans, at)
        at += len(line) + 1
    text = Text("\n".join(plain))
    text.spans = spans
    return text
