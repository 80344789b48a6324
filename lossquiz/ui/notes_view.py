"""`import`: what a notes import made."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _lines(numbers: Any, limit: int = 12) -> str:
    shown = ", ".join(str(n) for n in list(numbers)[:limit])
    return shown + (" …" if len(numbers) > limit else "")


def _at(where: str, numbers: Any, limit: int = 12) -> str:
    """`line 19`, `lines 1, 32, 112`: the lines (or notes) something is on."""
    return f"{where}{'' if len(numbers) == 1 else 's'} {_lines(numbers, limit)}"


IDS_SHOWN = 8  # new or gone ids named in the summary; `--json` lists them all


def import_summary(result: Any, replayed: Any = None, *, with_history: bool = False) -> RenderableType:
    """What `import` did: cards by kind and line, topics, ids kept, what was not read, and what next."""
    verb = {"": "created", "updated": "updated", "replaced": "replaced"}[result.replaced]
    lines = [
        Text.assemble(
            ("✓ ", "green"),
            f"{verb} deck {result.deck}: {_count(result.cards, 'card')} from {result.notes.name} "
            f"({result.format}) in {_count(len(result.files), 'file')}",
        ),
    ]
    where = "note" if result.format == "apkg" else "line"
    for kind, found in result.kinds.items():
        lines.append(Text(f"  {kind} {len(found)} ({_at(where, found)})", style="dim"))
    if result.ungraded:
        was = ", ".join(f"{n} {kind}" for kind, n in result.ungraded.items())
        are = "card is a concept card" if sum(result.ungraded.values()) == 1 else "cards are concept cards"
        lines.append(
            Text(
                f"  {was} {are}"
                " here: a package carries no snippet, so nothing grades them and the values their questions"
                " say are given are not shown (to move a deck with its code, copy its folder and lossquiz trust it)",
                style="yellow",
            )
        )
    lines.append(Text("  topics: " + ", ".join(f"{t} {n}" for t, n in result.topics.items()), style="dim"))
    if result.replaced:
        ids = f"  ids: {result.kept} kept (progress kept); {len(result.new)} new"
        ids += f": {_lines(result.new, IDS_SHOWN)}" if result.new else ""
        ids += f"; {len(result.dropped)} gone: {_lines(result.dropped, IDS_SHOWN)}" if result.dropped else ""
        lines.append(Text(ids, style="dim"))
    for gone, line in result.now_introductions:
        lines.append(
            Text(
                f"  {gone}: its section now has sub-headings, so its text is an introduction (line {line})",
                style="yellow",
            )
        )
    if result.fixed_lines:
        lines.append(
            Text(f"  repaired broken encoding (mojibake) on line {_lines(result.fixed_lines, 10)}", style="yellow")
        )
    for line, why in result.unreadable:
        lines.append(Text(f"  not imported: {where} {line}: {why}", style="yellow"))
    if result.text_blocks:
        lines.append(
            Text(
                f"  {_count(len(result.text_blocks), 'block')} of plain text, not cards"
                f" ({_at(where, result.text_blocks)})",
                style="dim",
            )
        )
    if result.skipped:
        lines.append(
            Text(
                f"  skipped {_count(len(result.skipped), 'introduction')} with no question"
                f" ({_at('line', [n for n, _ in result.skipped])})",
                style="dim",
            )
        )
    if result.unbulleted:
        each = "it" if len(result.unbulleted) == 1 else "each"
        lines.append(
            Text(f"  {_at('line', result.unbulleted)}: a `- ` in front makes {each} a quick-fire card", style="yellow")
        )
    if replayed is not None:
        n = replayed.cards_reviewed
        schedules = "1 card's schedule" if n == 1 else f"{n} cards' schedules"
        text = f"  history: {_count(replayed.reviews_added, 'review')} replayed into {schedules}"
        if replayed.reviews_present:  # the package imported before: say why nothing (or less) was added
            present = f"{replayed.reviews_present} already in your progress, not added twice"
            text = f"  history: {present}" if not replayed.reviews_added else f"{text}; {present}"
        lines.append(Text(text, style="dim"))
    elif with_history:
        lines.append(Text(f"  --with-history: a {result.format} file has no review log; none imported", style="yellow"))
    elif result.reviews:
        lines.append(
            Text(f"  the package has {len(result.reviews)} reviews: add --with-history to bring them", style="dim")
        )
    lines.append(Text(f"next: lossquiz drill --deck {result.deck}", style="bold"))
    return Group(*lines)
