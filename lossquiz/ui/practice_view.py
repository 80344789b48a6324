"""`code`: practice tasks, attempts, check reports and solutions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lossquiz.deck.cards import Card
from lossquiz.numbers import fmt
from lossquiz.ui.drill_view import recorded

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    pass


def practice_list(rows: list[Any], *, width: int = 120) -> RenderableType:
    """Practicable cards: passed ✓, attempted ✗, untried ·, with recorded checks and the function to write.

    The title is dropped where it would be cut to a stub (an 80-column terminal): ids and
    function names are what the user types, so they are never cut."""
    from datetime import datetime

    ids = max((len(r.card.id) for r in rows), default=2)
    functions = max((len(r.task.function) + 2 for r in rows), default=9)
    with_title = width - (1 + ids + functions + 8 + 15 + 5) >= 20
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("", min_width=1, no_wrap=True)
    table.add_column("id", no_wrap=True, min_width=ids)  # ids and names are what the user types: never cut
    table.add_column("implement", no_wrap=True, min_width=functions)
    # Recorded checks (reviews with mode 'code'): a debugging re-check that records nothing is not counted.
    table.add_column("recorded", justify="right", min_width=8, no_wrap=True)
    table.add_column("last", no_wrap=True, min_width=15)
    if with_title:
        table.add_column("title")  # the one column that gives way on a narrower terminal
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
            *([Text(row.card.name, style="dim", no_wrap=True, overflow="ellipsis")] if with_title else []),
        )
    note = Text(
        f"{passed}/{len(rows)} passed · start one: lossquiz code start CARD · check it: lossquiz code check CARD",
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
        lines += [Text("then check it:"), _unwrapped(f"  lossquiz code check {card.id}", "bold")]
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


def _not_recorded(outcome: Any) -> Text:
    """Why a re-check changed nothing: the day's first check, or its first pass, is the one that counts."""
    from datetime import datetime

    at = datetime.fromisoformat(outcome.counted_at).astimezone().strftime("%H:%M")
    if outcome.counted_passed:
        why = f"today's pass at {at} is recorded (Good); checks after it change nothing until tomorrow"
    else:
        why = f"today's first check at {at} is recorded (Again); only a pass is recorded after it today"
    return Text(f"not recorded: {why}", style="dim")


def practice_report(card: Card, task: Any, report: Any, outcome: Any) -> RenderableType:
    """✓ all cases, or the first failing case in full; then what was recorded (`outcome`: practice.Recorded)."""
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
        if report.builtin:
            from lossquiz.study.practice import builtin_path

            parts.append(
                Text(
                    f"note: your code calls {builtin_path(report.builtin)}(), the built-in being tested — "
                    "it passes, but write it from scratch to learn it",
                    style="yellow",
                )
            )
    else:
        parts.append(_practice_failure(name, report))
    parts.append(_unwrapped(f"{report.attempt} · seed {report.seed}", "dim"))
    if outcome is not None and outcome.recorded:
        parts.append(recorded(int(report.rating), outcome.interval, cram=False, extra="implement-it practice"))
    elif outcome is not None:
        parts.append(_not_recorded(outcome))
    elif report.builtin:
        parts.append(
            Text("nothing recorded: calling the built-in is not recall — check again once it is yours", style="dim")
        )
    else:
        parts.append(Text("nothing recorded (not an attempt yet) — edit the file, then check again", style="dim"))
    if not report.passed and report.started:
        parts.append(Text(f"stuck? lossquiz code solution {card.id}", style="dim"))
    return Group(*parts)


def _practice_failure(name: str, report: Any) -> RenderableType:
    f = report.failure or {}
    check = f.get("check", "error")
    if check == "not started":
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


# -- the scheduler in use (`stats`) ------------------------------------------------------------
