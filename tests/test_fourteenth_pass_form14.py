"""The fourteenth newcomer pass, formula answers (N14-4, N14-5, N14-6).

Shapes that do not broadcast get a plain message (an axis reduction drops its axis); a constant
factor is named as the 21 cases support; `show --answer` names the formula card it checked against."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.test_twelfth_pass_hints import _show

# -- N14-4: x / sum(x, 1) does not line up: say so, and how to write it ---------------------------


@pytest.mark.torch
def test_a_row_sum_that_does_not_broadcast_is_explained_not_torchs_message(runner: CliRunner) -> None:
    code, out = _show(runner, "ce-logits-formula", "--answer", "mean(-log(gather(exp(z)/sum(exp(z),1), target)))")
    assert code != 0, out
    assert "The size of tensor" not in out, out
    assert "shapes do not line up (3 and 2 at axis 1): sum(x, 1) drops axis 1 (one value per row of a matrix)" in out
    assert "use softmax(z, 1), or log_softmax(z, 1) for its log" in out, out


@pytest.mark.torch
def test_z_minus_a_row_logsumexp_points_at_log_softmax(runner: CliRunner) -> None:
    code, out = _show(runner, "ce-logits-formula", "--answer", "mean(-gather(z - logsumexp(z, 1), target))")
    assert code != 0 and "shapes do not line up (3 and 2 at axis 1)" in out, out
    assert "use log_softmax(z, 1)" in out, out


# -- N14-5: name only the slip the 21 cases support -----------------------------------------------


@pytest.mark.torch
def test_a_sum_that_agrees_where_the_batch_is_one_is_named_without_the_half(runner: CliRunner) -> None:
    # dpo: the fixed example has 2 pairs, the random problems 1, where a sum agrees and a ½ would not
    code, out = _show(runner, "dpo-formula", "--answer", "sum(-logsigmoid(beta*((pc-rc)-(pr-rr))))")
    assert code == 1 and "✗ wrong" in out, out
    assert "→ twice the reference: a sum where the convention is the mean (it agrees where the batch is 1)?" in out
    assert "missing ½" not in out, out


@pytest.mark.torch
def test_no_sum_vs_mean_where_the_reference_is_itself_a_sum(runner: CliRunner) -> None:
    # Kendall: summed over tasks (2 of them); the slip is the ½
    code, out = _show(runner, "uncertainty-weighting-formula", "--answer", "sum(exp(-s)*L + s)")
    assert code == 1 and "→ twice the reference: a missing ½?" in out, out
    assert "convention is the mean" not in out, out


@pytest.mark.torch
def test_an_agreeing_case_whose_batch_is_not_one_rules_the_sum_out() -> None:
    import torch

    from lossquiz.worker.compare import factor_hint

    def case(factor: float, n: int) -> tuple[torch.Tensor, torch.Tensor, dict[str, object]]:
        e = torch.arange(1.0, n + 1, dtype=torch.float64)
        return e * factor, e, {"y": torch.zeros(n)}

    # a ½ hidden by a branch not taken on the third case (batch 2): not a sum
    assert factor_hint([case(2, 2), case(2, 2), case(1, 2)]) == "twice the reference: a missing ½?"  # type: ignore[list-item]
    assert factor_hint([case(2, 2), case(1, 1)], reduction="sum") == "twice the reference: a missing ½?"  # type: ignore[list-item]


# -- N14-6: an --answer error names the formula card it was checked against -----------------------


def test_an_answer_error_names_the_card_used_and_the_other_formula_cards(runner: CliRunner) -> None:
    code, out = _show(runner, "focal", "--answer", "(1-p_t)^gamma")
    assert code != 0 and "unknown name 'p_t'" in out, out
    assert "(checked against focal-formula; focal-modulating-factor is another formula card:" in out, out
    assert "lossquiz show focal-modulating-factor --answer …)" in out, out


def test_an_answer_error_on_the_formula_card_itself_names_only_the_others(runner: CliRunner) -> None:
    """N21-4: `show ce-logits-formula --answer …` said "(checked against ce-logits-formula; …)" of the
    card asked for."""
    code, out = _show(runner, "ce-logits-formula", "--answer", "mean(z - logsumexp(z))")
    assert code != 0 and "checked against" not in out, out
    assert "(ce-logits-gradient is another formula card: lossquiz show ce-logits-gradient --answer …)" in out, out
