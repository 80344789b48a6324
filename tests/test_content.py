"""The built-in deck: valid, and every snippet agrees with its reference."""

from __future__ import annotations

import pytest

from lossquiz.cards import load_deck
from lossquiz.check import check_snippets
from lossquiz.paths import builtin_deck
from lossquiz.snippets import SnippetRunner


def test_builtin_deck_is_valid() -> None:
    deck = load_deck(builtin_deck())
    assert len(deck.cards) == len({c.id for c in deck.cards})
    for card in deck.cards:
        assert card.title, card.id


@pytest.mark.torch
def test_every_snippet_agrees_with_its_reference() -> None:
    pytest.importorskip("torch")
    deck = load_deck(builtin_deck())
    with SnippetRunner() as runner:
        reports = check_snippets(deck, list(deck.cards), runner, problems=20)
    failures = [f"{r.snippet}: {r.problem} {r.case}" for r in reports if not r.ok]
    assert not failures, "\n".join(failures)
