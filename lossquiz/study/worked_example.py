"""`show`: a card with its snippet's source and, run live, its worked example."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lossquiz.deck.cards import Card, Deck

if TYPE_CHECKING:
    from lossquiz.deck.trust import TrustedDeck
    from lossquiz.worker.client import SnippetRunner


@dataclass(frozen=True, slots=True)
class Shown:
    """What `show` displays; `to_dict` is the `show --json` schema of docs/DESIGN.md."""

    card: Card
    source: str | None
    example: dict[str, Any] | None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `show --json` object."""
        c = self.card
        return {
            "id": c.id,
            "title": c.title,
            "topic": c.topic,
            "kind": c.kind,
            "question": c.question,
            "answer": c.answer,
            "key_points": list(c.key_points),
            "formula": c.formula,
            "snippet": {"name": c.snippet, "source": self.source} if c.snippet else None,
            "example": _public(self.example),
            "source": c.source,
            **({"error": self.error} if self.error else {}),
        }


def _public(example: dict[str, Any] | None) -> dict[str, Any] | None:
    if example is None:
        return None
    keys = ("inputs", "steps", "value", "reference", "agree")
    return {k: example[k] for k in keys}


def for_card(
    deck: Deck,
    card: Card,
    *,
    run: bool,
    seed: int | None = None,
    runner: SnippetRunner | None = None,
    trusted: TrustedDeck | None = None,
) -> Shown:
    """Read the snippet and, if `run`, compute its example in a worker process."""
    from lossquiz.deck.files import snippet_source

    path = deck.snippet_path(card)
    if path is None:
        return Shown(card, None, None)
    code = snippet_source(path)
    if not run:
        return Shown(card, code, None)
    from lossquiz.worker.client import SnippetRunner  # here: `show --no-run` imports no worker client

    if runner is not None:
        outcome = runner.run(path, seed=seed)
    else:
        with SnippetRunner(trusted) as own:  # trusted None: the deck's code does not run
            outcome = own.run(path, seed=seed)
    return Shown(card, code, outcome.data, outcome.error)


CORE_FUNCTIONS = ("loss", "reference")


def core_source(code: str) -> str:
    """The part of a snippet a worked example needs: its loss() and reference() (read with ast,
    never run); the whole file when they cannot be found."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    lines = code.splitlines()
    parts = [
        "\n".join(lines[node.lineno - 1 - len(node.decorator_list) : node.end_lineno])
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name in CORE_FUNCTIONS and node.end_lineno is not None
    ]
    return "\n\n\n".join(parts) + "\n" if parts else code
