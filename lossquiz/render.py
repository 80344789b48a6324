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
        return "non-finite"
    return str(value)


def card_table(cards: Iterable[Card]) -> Table:
    """The deck as a table: id, title, topic, kind, snippet."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("id", "title", "topic", "kind", "snippet"):
        table.add_column(column)
    for card in cards:
        table.add_row(
            Text(card.id),
            Text(card.title),
            card.topic,
            Text(card.kind, style=KIND_STYLE.get(card.kind, "")),
            Text(card.snippet or ""),
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
        table.add_row(Text(name), Text(fmt(value)))  # Text: "[1, 2]" is data, not Rich markup
    table.add_row("", "")
    for step in example["steps"]:
        table.add_row(Text(step["name"], style="cyan"), Text(fmt(step["value"])))
    table.add_row(Text("value", style="bold green"), Text(fmt(example["value"], 6), style="bold"))
    ref = example["reference"]
    mark = Text("✓ agrees", style="green") if example["agree"] else Text("✗ DISAGREES", style="bold red")
    table.add_row(
        Text("reference", style="dim"),
        Text.assemble(f"{fmt(ref['value'], 6)}  ({ref['how']})  ", mark),
    )
    return Panel(table, title=label, title_align="left")


def show(card: Card, code: str | None, example: dict[str, Any] | None, *, seed: int | None) -> RenderableType:
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
            failures.append(Text(f"✗ {r.snippet} (cards: {', '.join(r.cards)}): {r.problem}", style="red"))
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
    summary = Text(f"{passed}/{len(reports)} snippets agree with their references ({cases} cases)", style=style)
    return Group(table, *failures, summary)


RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
RATING_STYLE = {1: "red", 2: "yellow", 3: "green", 4: "cyan"}


def drill_card(card: Card, position: str, time_limit: float) -> RenderableType:
    """A card as the drill asks it: position, topic, limit, question."""
    limit = f"⏱ {time_limit:g}s" if time_limit > 0 else "untimed"
    head = card_header(card, position=position)
    head.append(f"  {limit}", style="dim")
    return Group(head, markdown(card.question))


def problem(inputs: dict[str, Any], card: Card) -> RenderableType:
    """The random problem's inputs and how the answer is graded."""
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for name, value in inputs.items():
        table.add_row(Text(name), Text(fmt(value)))
    what = f"grading '{card.grade}'; " if card.grade else ""
    rule = Text(f"{what}give at least 3 decimals; accepted within ±{card.tolerance:g} (or 1%)", style="dim")
    return Group(table, rule)


def graded(
    correct: bool,
    typed: float,
    expected: float,
    card: Card,
    rating: int,
    seconds: float,
    limit: float,
    due: Any,
) -> RenderableType:
    """✓/✗ with the live value, the time taken and the resulting rating."""
    mark = Text("✓ right", style="bold green") if correct else Text("✗ wrong", style="bold red")
    line = Text.assemble(mark, f"  you typed {fmt(typed, 6)}, the live value is {fmt(expected, 6)}")
    timing = f"{seconds:.0f}s" + (f" of {limit:g}s" if limit > 0 else "")
    return Group(line, recorded(rating, due, cram=due is None, extra=timing))


def rating_choices(intervals: dict[Any, Any], *, cram: bool) -> RenderableType:
    """`1 Again 10m · 2 Hard 2d · 3 Good 5d · 4 Easy 12d`."""
    from lossquiz.scheduling import format_interval

    text = Text()
    for i, (rating, delta) in enumerate(sorted(intervals.items(), key=lambda kv: int(kv[0]))):
        n = int(rating)
        text.append(" · " if i else "")
        text.append(f"{n} {RATING_NAMES[n]}", style=RATING_STYLE[n])
        text.append(f" {format_interval(delta)}")
    if cram:
        text.append("   (cram: the schedule will not change)", style="dim")
    return text


def recorded(rating: int, due: Any, *, cram: bool, extra: str = "") -> Text:
    """`recorded Good · next in 5d`."""
    from lossquiz.scheduling import format_interval

    text = Text("recorded ", style="dim")
    text.append(RATING_NAMES[int(rating)], style=RATING_STYLE[int(rating)])
    if extra:
        text.append(f" · {extra}", style="dim")
    if cram or due is None:
        text.append(" · cram: schedule unchanged", style="dim")
    else:
        text.append(f" · next in {format_interval(due)}", style="dim")
    return text


def summary(s: Any, *, interrupted: bool, cram: bool) -> RenderableType:
    """End of session: cards, accuracy, time, what is due next."""
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("cards answered", str(s.reviews))
    if s.graded:
        table.add_row("numeric accuracy", f"{s.correct}/{s.graded} ({100 * s.correct / s.graded:.0f}%)")
    if s.ratings:
        table.add_row("ratings", " · ".join(f"{RATING_NAMES[k]} {v}" for k, v in sorted(s.ratings.items())))
    table.add_row("time answering", f"{s.seconds / 60:.1f} min" if s.seconds >= 60 else f"{s.seconds:.0f} s")
    table.add_row("due within a day", str(s.due_next_day))
    if s.next_due:
        table.add_row("next due", s.next_due[:16].replace("T", " ") + " UTC")
    title = "session interrupted — everything answered is saved" if interrupted else "session summary"
    if cram:
        title += " (cram: schedule unchanged)"
    return Panel(table, title=title, title_align="left", expand=False)


def nothing_due(s: Any) -> Text:
    """The kind message when the queue is empty."""
    text = Text("Nothing is due right now.")
    if s.next_due:
        text.append(f" Next card due {s.next_due[:16].replace('T', ' ')} UTC.")
    text.append("\nReview ahead with `lossquiz drill --cram`, or raise `--new`.", style="dim")
    return text


# -- implement-it practice (`lossquiz code`) ---------------------------------------------------


def practice_list(rows: list[Any]) -> RenderableType:
    """Practicable cards: passed ✓, attempted ✗, untried ·, with attempts and the function to write."""
    from datetime import datetime

    ids = max((len(r.card.id) for r in rows), default=2)
    functions = max((len(r.task.function) + 2 for r in rows), default=9)
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("", min_width=1, no_wrap=True)
    table.add_column("id", no_wrap=True, min_width=ids)  # ids and names are what the user types: never cut
    table.add_column("implement", no_wrap=True, min_width=functions)
    table.add_column("tries", justify="right", min_width=5, no_wrap=True)
    table.add_column("last", no_wrap=True, min_width=15)
    table.add_column("title")  # the one column that gives way on a narrow terminal
    passed = 0
    for row in rows:
        h = row.history
        if h and h.passed:
            mark, passed = Text("✓", style="green"), passed + 1
        elif h:
            mark = Text("✗", style="red")
        else:
            mark = Text("·", style="dim")
        last = Text("")
        if h:
            day = datetime.fromisoformat(h.last_checked).astimezone().strftime("%Y-%m-%d")
            last = Text.assemble(("pass" if h.last_passed else "fail", "green" if h.last_passed else "red"), f" {day}")
        table.add_row(
            mark,
            Text(row.card.id),
            Text(f"{row.task.function}()"),
            str(h.attempts) if h else "",
            last,
            Text(row.card.name, style="dim", no_wrap=True, overflow="ellipsis"),
        )
    note = Text(
        f"{passed}/{len(rows)} passed · start one: lossquiz code CARD · check it: lossquiz code CARD --check",
        style="dim",
    )
    return Group(table, note)


def _unwrapped(text: str, style: str = "") -> Text:
    """A line that is never wrapped (paths and commands are copied, not read)."""
    return Text(text, style=style, no_wrap=True, overflow="ignore")


def practice_started(card: Card, task: Any, path: Any, *, created: bool, editor: bool) -> RenderableType:
    """Where the practice file is, and the next command."""
    if created:
        lines = [_unwrapped(f"wrote {path}", "bold"), Text(f"implement {task.function}() in it")]
    else:
        lines = [
            _unwrapped(f"your attempt is at {path}", "bold"),
            Text(f"(kept as is; delete it to start over) — continue with {task.function}()"),
        ]
    if editor:
        lines.append(Text("opening your editor; the attempt is checked when the editor closes", style="dim"))
    else:
        lines += [Text("then check it:"), _unwrapped(f"  lossquiz code {card.id} --check", "bold")]
    return Group(*lines)


def _shown(value: Any) -> str:
    """A value from the practice checker: tensors as shape, dtype and (some) values."""
    if isinstance(value, dict) and "repr" in value:
        return str(value["repr"])
    if isinstance(value, dict) and "shape" in value:
        more = " …" if value.get("truncated") else ""
        if not value["shape"]:
            return f"{fmt(value['values'], 6)}  ({value['dtype']}, 0-dim)"
        shape = "(" + ", ".join(str(n) for n in value["shape"]) + ("," if len(value["shape"]) == 1 else "") + ")"
        return f"{fmt(value['values'], 5)}{more}  ({value['dtype']}, shape {shape})"
    return fmt(value, 6)


def practice_report(card: Card, task: Any, report: Any, interval: Any) -> RenderableType:
    """✓ all cases, or the first failing case in full; then what was recorded."""
    parts: list[RenderableType] = []
    name = f"{task.function}()"
    if report.passed:
        parts.append(
            Text.assemble(
                ("✓ ", "bold green"),
                (f"{name} passes all {report.total} cases", "bold"),
                f" — values and gradients agree with {report.reference}",
            )
        )
        parts.append(Text("  " + " · ".join(report.cases_passed), style="dim"))
    else:
        parts.append(_practice_failure(name, report))
    parts.append(_unwrapped(f"{report.attempt} · seed {report.seed}", "dim"))
    if report.started:
        parts.append(recorded(int(report.rating), interval, cram=False, extra="implement-it practice"))
    else:
        parts.append(Text("nothing recorded — edit the file, then check again", style="dim"))
    if not report.passed and report.started:
        parts.append(Text(f"stuck? lossquiz code {card.id} --solution", style="dim"))
    return Group(*parts)


def _practice_failure(name: str, report: Any) -> RenderableType:
    f = report.failure or {}
    check = f.get("check", "error")
    if not report.started:
        return Text.assemble(("· ", "yellow"), (f.get("summary", ""), "bold"))
    head = Text()
    head.append("✗ ", style="bold red")
    if "case" in f:
        head.append(f"{name} fails case {f.get('case_number', '?')}/{report.total} '{f['case']}'", style="bold")
    else:
        head.append(f"{name} cannot be checked", style="bold")
    head.append(f" — {check}", style="bold red")
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("", Text(f.get("summary", "")))
    for i, (key, value) in enumerate((f.get("inputs") or {}).items()):
        table.add_row("inputs" if i == 0 else "", Text(f"{key} = {_shown(value)}"))
    what = f"d/d{f['input']} " if f.get("input") else ""
    if "expected" in f:
        table.add_row(f"{what}expected", Text(_shown(f["expected"])))
    if "actual" in f:
        table.add_row(f"{what}got", Text(_shown(f["actual"])))
    at = f.get("at")
    if at and at.get("index"):
        index = "[" + ", ".join(str(i) for i in at["index"]) + "]"
        table.add_row(f"at {index}", Text(f"expected {fmt(at['expected'], 6)}, got {fmt(at['actual'], 6)}"))
    if "expected" in f:
        table.add_row("reference", Text(report.reference, style="dim"))
    if f.get("hint"):
        table.add_row("hint", Text(str(f["hint"]), style="yellow"))
    if report.cases_passed:
        table.add_row("passed", Text(" · ".join(report.cases_passed), style="dim"))
    return Group(head, table)


def practice_solution(card: Card, task: Any, code: str) -> RenderableType:
    """The model solution, highlighted, with what it is checked against."""
    from rich.syntax import Syntax

    return Group(
        Panel(
            Syntax(code, "python", word_wrap=True),
            title=f"solution: {card.name} ({card.id})",
            title_align="left",
        ),
        Text(f"checked against: {task.reference}", style="dim"),
    )
