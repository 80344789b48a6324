"""`import`: what a notes import made."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    pass


def import_summary(result: Any) -> RenderableType:
    """What `import` did: cards, topics, ids kept, repairs, skipped sections, and what next."""
    verb = {"": "created", "updated": "updated", "replaced": "replaced"}[result.replaced]
    lines = [
        Text.assemble(
            ("✓ ", "green"),
            f"{verb} deck {result.deck}: {result.cards} cards from {result.notes.name} in {len(result.files)} files",
        ),
        Text("  topics: " + ", ".join(f"{t} {n}" for t, n in result.topics.items()), style="dim"),
    ]
    if result.replaced:
        ids = f"  ids: {result.kept} kept (progress kept), {len(result.new)} new"
        if result.dropped:
            ids += f", {len(result.dropped)} gone: " + ", ".join(result.dropped)
        lines.append(Text(ids, style="dim"))
    if result.fixed_lines:
        where = ", ".join(str(n) for n in result.fixed_lines[:10]) + (" …" if len(result.fixed_lines) > 10 else "")
        lines.append(Text(f"  repaired broken encoding (mojibake) on line {where}", style="yellow"))
    if result.skipped:
        where = ", ".join(str(line) for line, _ in result.skipped)
        lines.append(
            Text(f"  skipped {len(result.skipped)} introductions with no question (lines {where})", style="dim")
        )
    lines.append(Text(f"next: lossquiz drill --deck {result.deck}", style="bold"))
    return Group(*lines)
