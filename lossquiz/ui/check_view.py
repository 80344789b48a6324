"""`check`: every snippet's agreement with its reference."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lossquiz.numbers import counted, fmt

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    from lossquiz.study.verify import SnippetReport


def check_report(reports: list[SnippetReport], cards: int) -> RenderableType:
    """One line per snippet, then the failing cases in full; of `cards` checked with none, one line."""
    if not reports:  # an empty table and "0/0 snippets agree" read as a failure to run anything
        return Text(f"deck valid: {counted(cards, 'card')}, no snippets to run", style="green")
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
