"""`show`: a card as a worked example, and `show --plot`'s curves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from lossquiz.deck.cards import Card
from lossquiz.ui.card_view import CardHeader, answer, labelled, markdown, source, worked_example
from lossquiz.ui.console import page

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    from lossquiz.study.plots import Plot


def worked_card(
    card: Card, code: str | None, example: dict[str, Any] | None, *, seed: int | None, plain: bool = False
) -> RenderableType:
    """Everything `show` prints for one card, as a worked example: question, answer, key points,
    formula, the live numbers, then the code (`plain`: no Markdown rendering, code unboxed and whole)."""
    parts: list[RenderableType] = [
        CardHeader(card, cut=False),
        Text("Question", style="bold"),
        markdown(card.question, plain=plain),
        Text("Answer", style="bold"),
        answer(card, plain=plain),
    ]
    if example is not None:
        label = "worked example" if seed is None else f"random problem (seed {seed})"
        parts.append(worked_example(example, label=label))
    if code is not None and card.snippet:
        parts.append(source(code, card.snippet, plain=plain))
    parts.append(labelled("source:", card.source, style="dim"))  # a long source wraps under itself
    return Group(*parts)


def print_show(console: Console, shown: RenderableType, *, pager: str | None) -> None:
    """Print `show`'s output; through a pager when it is taller than the terminal (as git does)."""
    if pager is None or not console.is_terminal:
        console.print(shown, crop=False)  # code lines are never cut (they do not wrap either)
        return
    lines = console.render_lines(shown, console.options, pad=False)
    if len(lines) <= console.height:
        console.print(shown)
        return
    with console.capture() as captured:
        console.print(shown)
    page(captured.get(), pager)


PLAIN_MARKERS = ("•", "x", "+", "o", "*", "#", "%", "@")  # told apart without colour


def plot_text(plot: Plot, *, width: int, height: int, color: bool) -> str:
    """One plot drawn by plotext into a string (no terminal needed).

    Without colour (not a TTY, or NO_COLOR) the theme is plotext's colourless "clear" and
    each curve gets its own marker character, so the legend still tells them apart.
    """
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("pro" if color else "clear")
    for i, series in enumerate(plot.series):
        points = [(x, y) for x, y in zip(series.x, series.y, strict=True) if y is not None]
        marker = "braille" if color else PLAIN_MARKERS[i % len(PLAIN_MARKERS)]
        plt.plot([p[0] for p in points], [p[1] for p in points], label=series.name, marker=marker)
    plt.title(plot.title)
    plt.xlabel(plot.x_label)
    plt.ylabel(plot.y_label)
    if plot.y_lim is not None:
        plt.ylim(*plot.y_lim)
    built = str(plt.build())
    return built if color else str(plt.uncolorize(built))  # "clear" still ends lines with a reset code


def plots(card: Card, drawn: list[tuple[Plot, str]]) -> RenderableType:
    """A card's header, then each plot (drawn text) with its note."""
    parts: list[RenderableType] = [CardHeader(card, cut=False)]
    for plot, text in drawn:
        parts.append(Text.from_ansi(text, no_wrap=True, overflow="ignore"))
        if plot.note:
            parts.append(Text(plot.note, style="dim"))
    return Group(*parts)


# -- optimize ---------------------------------------------------------------------------------
