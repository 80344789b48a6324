"""The built-in deck for the content tests: its cards (through the product's loader) and its
snippets imported in this process, drawn as the worker draws them.

Shared by tests/test_deck_cards.py (the deck-wide checks) and the tests/test_reference_*.py
modules (named cards against outside references). Importing this module needs torch.
"""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import Any

from lossquiz.deck.cards import Card, load_deck
from lossquiz.worker.formula_eval import inputs_for
from tests.conftest import REPO

CONTENT = REPO / "content"
DECK = load_deck(CONTENT)
CARDS: list[Card] = list(DECK.cards)
BY_ID = {c.id: c for c in CARDS}
CASES: list[int | None] = [None, *range(20)]  # the fixed example and 20 random problems, as `check` runs


@cache
def snippet(name: str) -> ModuleType:
    """content/snippets/<name>.py, imported once."""
    spec = importlib.util.spec_from_file_location(f"deck_snippet_{name}", CONTENT / "snippets" / f"{name}.py")
    assert spec is not None and spec.loader is not None, name
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def inputs(module: ModuleType, seed: int | None) -> dict[str, Any]:
    """The fixed example (None) or random problem `seed`, seeded as the worker seeds it."""
    return inputs_for(module, seed)


def problems(module: ModuleType, n: int = 20, *, example: bool = True) -> Iterator[dict[str, Any]]:
    """The fixed example (unless example=False), then random problems 0..n-1."""
    if example:
        yield inputs(module, None)
    for seed in range(n):
        yield inputs(module, seed)


def problem(module: ModuleType, rng: random.Random) -> dict[str, Any]:
    """One problem drawn from a caller's own random stream."""
    return dict(module.problem(rng))


def cards_in(*files: str) -> list[Card]:
    """The cards of the named content/cards/ files (e.g. "01-regression.yaml")."""
    return [c for c in CARDS if c.path.rsplit("/", 1)[-1] in files]
