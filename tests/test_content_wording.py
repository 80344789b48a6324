"""The built-in deck's wording as a user reads it once rendered: a multi-part card names its part
in words (first-hour P13), and a question names each input once, as the inputs table does (N15)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.cards import load_deck
from lossquiz.paths import builtin_deck

DECK = load_deck(builtin_deck())
SHOWN_PART = [c for c in DECK.cards if c.grade and c.kind != "formula"]  # the drill prints the part to type


@pytest.mark.parametrize("card", SHOWN_PART, ids=lambda c: c.id)
def test_a_multi_part_card_names_its_part_in_words(card: object) -> None:
    from lossquiz.deck.cards import Card

    assert isinstance(card, Card) and card.grade
    label = card.grade_label
    assert label, f"{card.id}: grade '{card.grade}' needs a grade_label (the part in words)"
    bare = {card.grade, card.grade.replace("_", " "), "the " + card.grade.replace("_", " ")}
    assert label.lower() not in bare and ("_" not in card.grade or card.grade not in label), f"{card.id}: '{label}' is only the code name"


@pytest.mark.torch
def test_the_drill_says_the_part_in_words_never_its_code_name(runner: CliRunner) -> None:
    pytest.importorskip("torch")
    result = runner.invoke(app, ["drill", "--card", "ce-vs-mse-gradient", "--time-limit", "0"], input="1\n")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "type ∂L/∂z of the squared error (p − y)²;" in text
    assert "type the mse" not in text and "grading 'mse'" not in text
