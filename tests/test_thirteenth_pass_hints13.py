"""The thirteenth newcomer pass: hints and displays on graded formulas and code checks
(N13-05, N13-06, N13-11, N13-12, N13-13, N13-14).

A formula card gets the named mistakes of the snippet it shares with a numeric card, even where
that snippet's value has parts; a disagreement on a value that reduces over a row or a group
shows that row or group."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.test_twelfth_pass_hints import _show

# -- N13-06: a formula card names the mistakes of a snippet whose value has parts ----------------


@pytest.mark.torch
def test_a_per_element_formula_names_the_mistake_of_a_multi_part_snippet(runner: CliRunner) -> None:
    # pinball's value is {loss, smallest_minimiser}; the card's per_element target reduces to "loss"
    code, out = _show(runner, "pinball-formula", "--answer", "max(tau*(y_hat-y), (tau-1)*(y_hat-y))")
    assert code == 1 and "✗ wrong" in out, out
    assert "→ residual taken as y_hat - y: that swaps the costs of under- and over-prediction" in out, out


@pytest.mark.torch
def test_a_scalar_step_target_names_the_mistake_of_a_multi_part_snippet(runner: CliRunner) -> None:
    # label_smoothing's value is {loss, optimal_gap}; the card's target is the step "loss"
    code, out = _show(
        runner, "label-smoothing-formula", "--answer", "mean(-sum(onehot(target, z) * log_softmax(z, 1), 1))"
    )
    assert code == 1 and "→ no smoothing: that is the plain cross-entropy" in out, out
