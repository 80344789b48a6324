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
