"""`trust`: what was trusted, and the trusted decks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from lossquiz.ui.console import inline

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    pass


def trusted(deck: Any, digest: Any, *, builtin: bool) -> Text:
    """`trust DECK` done: what was trusted."""
    if builtin:
        return Text("the built-in deck is always trusted")
    files = ", ".join(digest.files) if digest.files else "no snippet or practice files yet"
    text = Text.assemble(("✓ ", "green"), f"trusted {deck.resolve()}: {len(digest.files)} files ({files})")
    text.append_text(
        inline(f"\n  sha256 {digest.sha256[:16]}…; changing any of them needs `lossquiz trust` again", style="dim")
    )
    return text


def trusted_decks(entries: list[Any]) -> RenderableType:
    """`trust --list`: each trusted deck, its files, when, and whether it changed since."""
    if not entries:
        return inline("No deck is trusted yet (the built-in deck always is). Trust one with `lossquiz trust DECK`.")
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("deck", "files", "trusted at (UTC)", "status"):
        table.add_column(column)
    style = {"ok": "green", "changed": "bold red", "missing": "yellow", "unreadable": "yellow"}
    label = {"ok": "ok", "changed": "changed since: not trusted", "missing": "folder gone"}
    for e in entries:
        table.add_row(
            Text(e.path),
            str(e.files),
            e.trusted_at[:16].replace("T", " "),
            Text(label.get(e.status, e.status), style=style.get(e.status, "")),
        )
    return table


# -- stats and history ------------------------------------------------------------------------
