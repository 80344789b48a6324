"""ui/grid.py draws the very characters and colours rich.table and rich.panel draw."""

from __future__ import annotations

import io

import pytest
from rich.console import Console, RenderableType
from rich.panel import Panel
from rich.text import Text

from lossquiz.ui.console import Phrases, inline
from lossquiz.ui.grid import Boxed, Cell, Column, Fitted, Grid

WIDTHS = (20, 40, 60, 80, 100, 120, 200)


def _drawn(renderable: RenderableType, width: int, *, color: bool) -> str:
    out = io.StringIO()
    console = Console(
        file=out, width=width, force_terminal=color, color_system="truecolor" if color else None, highlight=False
    )
    console.print(renderable)
    return out.getvalue()


def _grids() -> list[Grid]:
    phrases = Phrases(["273 total", "248 new", "0 learning", "1 relearning", "24 review"])
    summary: list[list[Cell]] = [
        ["cards", phrases],
        ["due", "6 now · 6 today"],
        ["leeches", inline("7 (gaussian-nll, huber …) — `lossquiz card suspend ID` sets one aside")],
        ["markup", "[bold]bold[/bold] and :smile: as a Table reads a string"],
        ["empty", ""],
    ]
    bars: list[list[Cell]] = [
        ["today", "6", Text("█" * 30, style="cyan").append("  (overdue included)", style="dim")],
        ["Thu 3 Dec", "12", Text("█" * 4, style="cyan")],
        ["Fri 4 Dec", "0", Text("", style="cyan")],
    ]
    header = [Column("topic"), Column("seen", justify="right"), Column("recall now", justify="right")]
    topics: list[list[Cell]] = [["regression", "18/18", "100%"], ["llm", "1/10", "—"]]
    weak = [Column("card", no_wrap=True, min_width=24), Column("lapses", justify="right", no_wrap=True)]
    return [
        Grid([Column(style="bold"), Column()], summary),
        Grid([Column(), Column(justify="right"), Column()], bars),
        Grid(header, topics, header_style="bold"),
        Grid(weak, [[Text("policy-entropy (leech)"), "3"], [Text("mse"), "12"]], header_style="bold"),
        Grid([Column(style="bold")], [["one column"]]),
    ]


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
def test_a_grid_is_the_table(width: int, color: bool) -> None:
    for grid in _grids():
        assert _drawn(grid, width, color=color) == _drawn(grid.table(), width, color=color)


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("title", ["progress · Wed 2 Dec 2026", "progress · a title longer than the table in it is"])
def test_a_boxed_grid_is_the_panel(width: int, color: bool, title: str) -> None:
    for grid in _grids():
        panel = Panel(grid.table(), title=title, title_align="left", expand=False)
        assert _drawn(Boxed(grid, title), width, color=color) == _drawn(panel, width, color=color)


def test_a_grid_that_fits_lays_out_no_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of a Grid: when its columns fit, no rich Table is built (a narrow one is)."""
    grid = _grids()[0]
    built: list[int] = []
    real = Grid.table
    monkeypatch.setattr(Grid, "table", lambda self: built.append(1) or real(self))
    _drawn(grid, 120, color=True)
    _drawn(Boxed(grid, "title"), 120, color=True)
    assert built == []
    _drawn(grid, 40, color=True)
    assert built == [1]


def test_phrases_end_without_room_for_a_separator_they_do_not_print() -> None:
    """Eleventh newcomer pass F10: `… · 0 relearning ·` / `1 review` at 120 columns: the last phrase
    wrapped because room was kept for a separator after it, which is never printed."""
    phrases = Phrases(["273 total", "255 new", "17 learning", "0 relearning", "1 review"])
    whole = " · ".join(phrases.phrases)
    assert phrases.lines(len(whole)) == [whole]
    assert phrases.lines(len(whole) - 1) == ["273 total · 255 new · 17 learning · 0 relearning ·", "1 review"]
    assert _drawn(phrases, len(whole), color=False) == whole + "\n"  # measured at its width, drawn on one line


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("color", [True, False])
def test_fitted_draws_a_text_as_rich_does(width: int, color: bool) -> None:
    """Fitted skips Rich's wrapping only when no line is too wide; either way the output is Rich's."""
    heat = Text("Mon ")
    for i in range(18):
        heat.append("▓▒·█"[i % 4], style=("bold green", "green", "dim", "bold green")[i % 4]).append(" ")
    texts = [
        heat,
        Text("\n").join([Text("reviews, last 18 weeks", style="bold"), heat, Text("    less ", style="dim")]),
        Text("a line with a   run of spaces   and a tail   "),
        Text("long " * 30, style="dim"),  # wider than most widths: Rich wraps it
        Text("tab\there"),
        Text(""),
    ]
    for text in texts:
        assert _drawn(Fitted(text), width, color=color) == _drawn(text, width, color=color), (text.plain, width)
