"""Typed answers and what a numeric card grades."""

from __future__ import annotations

import pytest

from lossquiz.deck.cards import Card
from lossquiz.study.grading import graded_value, is_correct, parse_number

CARD = Card(
    id="c",
    topic="regression",
    kind="numeric",
    question="q",
    answer="a",
    key_points=("x", "y"),
    source="s",
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.5", 0.5),
        (" -1.25 ", -1.25),
        ("3/4", 0.75),
        ("-1/8", -0.125),
        ("1e-3", 0.001),
        (".5", 0.5),
        ("2.", 2.0),
        ("−0.5", -0.5),
        ("1,000.5", 1000.5),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "1/2/3", "nan", "inf", "0x10", "1e999", "--1"])
def test_parse_number_rejects_nonsense(text: str) -> None:
    assert parse_number(text) is None


def test_is_correct_uses_absolute_then_relative_tolerance() -> None:
    assert is_correct(0.665, 0.66125, 0.01)
    assert not is_correct(0.68, 0.66125, 0.01)
    assert is_correct(1005.0, 1000.0, 0.01)  # 1% of a large value


def test_graded_value_scalar_and_parts() -> None:
    assert graded_value(CARD, 0.25) == 0.25
    with_grade = Card(
        **{
            **{f: getattr(CARD, f) for f in ("id", "topic", "kind", "question", "answer", "key_points", "source")},
            "grade": "loss",
        }
    )
    assert graded_value(with_grade, {"loss": 1.5, "minimiser": 2.0}) == 1.5
    with pytest.raises(ValueError, match="grade"):
        graded_value(CARD, {"loss": 1.5})
    with pytest.raises(ValueError, match="scalar"):
        graded_value(CARD, [1.0, 2.0])
