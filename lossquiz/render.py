"""Plain data -> Rich renderables. The only module besides cli.py that imports rich."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lossquiz.cards import Card
from lossquiz.check import SnippetReport

KIND_STYLE = {"concept": "cyan", "numeric": "magenta", "gradient": "yellow", "quickfire": "green"}


def fmt(value: Any, digits: int = 4) -> str:
    """Numbers rounded for reading; nested lists and dicts kept readable."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value == 0 or not 1e-3 <= abs(value) < 1e6:
            return f"{value:.{digits}g}"
        return f"{value:.{digits}f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v, digits) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {fmt(v, digits)}" for k, v in value.items())
    if value is None:
        return "nan"
    return str(value)


def card_table(cards: Iterable[Card]) -> Table:
    """The deck as a table: id, title, topic, kind, snippet."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("id", "title", "topic", "kind", "snippet"):
        table.add_column(column)
    for card in cards:
        table.add_row(
            card.id,
            card.title,
            card.topic,
            Text(card.kind, style=KIND_STYLE.get(card.kind, "")),
            card.snippet or "",
        )
    return table


def markdown(text: str) -> RenderableType:
    """Card Markdown (imported lazily: markdown-it is not free at start-up)."""
    from rich.markdown import Markdown

    return Markdown(text)


def card_header(card: Card, *, position: str = "") -> Text:
    """`huber · regression · numeric` with an optional position like `3/12`."""
    head = Text()
    if position:
        head.append(f"{position}  ", style="dim")
    head.append(card.name, style="bold")
    head.append(f"  {card.id} · {card.topic} · ", style="dim")
    head.append(card.kind, style=KIND_STYLE.get(card.kind, ""))
    return head


def formula(card: Card) -> RenderableType | None:
    """The card's formula as readable unicode, framed."""
    if not card.formula:
        return None
    from lossquiz.latex import to_unicode

    return Panel(Text(to_unicode(card.formula)), title="formula", title_align="left", expand=False)


def key_points(card: Card) -> RenderableType:
    """The checkpoints a complete answer must hit."""
    text = Text()
    for i, point in enumerate(card.key_points):
        text.append(("\n" if i else "") + "  • " + point)
    return text


def answer(card: Card) -> RenderableType:
    """Answer, key points and formula: what a reveal shows."""
    parts: list[RenderableType] = [
        markdown(card.answer),
        Text("Key points", style="bold"),
        key_points(card),
    ]
    box = formula(card)
    if box is not None:
        parts.append(box)
    return Group(*parts)


def source(code: str, name: str) -> RenderableType:
    """The snippet's source, syntax-highlighted."""
    from rich.syntax import Syntax

    return Panel(
        Syntax(code, "python", line_numbers=True, word_wrap=True),
        title=f"snippets/{name}.py",
        title_align="left",
    )


def worked_example(example: dict[str, Any], *, label: str = "worked example") -> RenderableType:
    """Inputs, every named step, the value and whether the reference agrees."""
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for name, value in example["inputs"].items():
        table.add_row(f"{name}", fmt(value))
    table.add_row("", "")
    for step in example["steps"]:
        table.add_row(Text(step["name"], style="cyan"), fmt(step["value"]))
    table.add_row(Text("value", style="bold green"), Text(fmt(example["value"], 6), style="bold"))
    ref = example["reference"]
    mark = (
        Text("✓ agrees", style="green")
        if example["agree"]
        else Text("✗ DISAGREES", style="bold red")
    )
    table.add_row(
        Text("reference", style="dim"),
        Text.assemble(f"{fmt(ref['value'], 6)}  ({ref['how']})  ", mark),
    )
    return Panel(table, title=label, title_align="left")


def show(
    card: Card, code: str | None, example: dict[str, Any] | None, *, seed: int | None
) -> RenderableType:
    """Everything `show` prints for one card."""
    parts: list[RenderableType] = [
        card_header(card),
        Text("Question", style="bold"),
        markdown(card.question),
        Text("Answer", style="bold"),
        answer(card),
    ]
    if code is not None and card.snippet:
        parts.append(source(code, card.snippet))
    if example is not None:
        label = "worked example" if seed is None else f"random problem (seed {seed})"
        parts.append(worked_example(example, label=label))
    parts.append(Text(f"source: {card.source}", style="dim"))
    return Group(*parts)


def check_report(reports: list[SnippetReport]) -> RenderableType:
    """One line per snippet, then the failing cases in full."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("", "snippet", "cases", "cards"):
        table.add_column(column)
    failures: list[RenderableType] = []
    for r in reports:
        mark = Text("✓", style="green") if r.ok else Text("✗", style="bold red")
        table.add_row(mark, r.snippet, str(r.cases), ", ".join(r.cards))
        if not r.ok:
            failures.append(
                Text(f"✗ {r.snippet} (cards: {', '.join(r.cards)}): {r.problem}", style="red")
            )
            if r.case is not None:
                ref = r.case["reference"]
                lines = (
                    f"    inputs: {fmt(r.case['inputs'])}",
                    f"    value: {fmt(r.case['value'], 8)}",
                    f"    reference: {fmt(ref['value'], 8)} ({ref['how']})",
                )
                failures.append(Text("\n".join(lines)))
    passed = sum(r.ok for r in reports)
    cases = sum(r.cases for r in reports)
    style = "green" if passed == len(reports) else "bold red"
    summary = Text(
        f"{passed}/{len(reports)} snippets agree with their references ({cases} cases)", style=style
    )
    return Group(table, *failures, summary)
