"""A single number typed where the card wants one value per element (fifteenth newcomer pass N15-1, N15-2).

huber-formula asks for the elementwise Huber loss (PyTorch's huber_loss with no reduction). Its
sum used to be named "the sum over elements; the card asks for the mean", a hint that teaches
the wrong convention, and its mean got no hint at all, with the one number shown as "element 1".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app

HUBER = "where(abs(r)<=delta, r^2/2, delta*(abs(r)-delta/2))"


def _answer(runner: CliRunner, card: str, text: str) -> str:
    result = runner.invoke(app, ["show", card, "--answer", text], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    return result.output


@pytest.mark.parametrize(("wrap", "name"), [("sum", "sum"), ("mean", "mean")])
def test_a_reduced_elementwise_answer_is_named_as_that_reduction(
    env: Path, runner: CliRunner, wrap: str, name: str
) -> None:
    out = _answer(runner, "huber-formula", f"{wrap}({HUBER})")
    assert f"that is their {name}; the card asks for each element's value (no reduction)" in out
    assert "asks for the mean" not in out  # the value's hint, wrong for an elementwise card
    assert "your expression gives one number; the answer has one per element (shape (4,))" in out
    assert "element 1 of 4" not in out


def test_a_wrong_single_number_is_told_to_drop_the_reduction(env: Path, runner: CliRunner) -> None:
    out = _answer(runner, "huber-formula", "mean(0.5*r^2)")
    assert "the card asks for each element's value (no reduction): drop the sum or mean" in out


def test_the_focal_card_gets_the_same_reduction_hint(env: Path, runner: CliRunner) -> None:
    p_t = "(y*sigmoid(z) + (1 - y)*(1 - sigmoid(z)))"
    focal = f"-(alpha*y + (1 - alpha)*(1 - y)) * (1 - {p_t})^gamma * log({p_t})"
    out = _answer(runner, "focal-formula", f"sum({focal})")
    assert "that is their sum; the card asks for each element's value (no reduction)" in out
    assert "asks for the mean" not in out


def test_a_value_card_still_names_the_sum_where_its_convention_is_the_mean(env: Path, runner: CliRunner) -> None:
    out = _answer(runner, "bpr-formula", "sum(-logsigmoid(s_pos - s_neg))")
    assert "that is the sum over triples; the card asks for the mean" in out
