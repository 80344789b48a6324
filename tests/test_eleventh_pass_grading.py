"""The eleventh newcomer pass, formula grading side: `norm(x, 1)` (the L2 norm along axis 1) is no
longer echoed as ‖x‖_1 (the L1 norm), and two classic slips get a named hint: the ½ of the
Gaussian NLL on one term only (the snippet's mistakes()), and a formula off by one constant on
every case (log-cosh without its −log 2), through `show --answer` on the built-in deck."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lossquiz.cli.app import app


def _show(runner: CliRunner, card_id: str, typed: str, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["show", card_id, "--answer", typed, *extra])
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split())  # unwrapped from the terminal width


# -- F3: the norm along an axis reads as the L2 norm --------------------------------------------


@pytest.mark.torch
def test_the_echo_of_a_norm_along_an_axis_is_the_l2_norm_with_its_axis(runner: CliRunner) -> None:
    code, out = _show(runner, "triplet-formula", "mean(max(0, norm(a-p, 1) - norm(a-n, 1) + margin))")
    assert code == 0 and "✓ right" in out, out
    assert "you wrote: mean(max(0, ‖a − p; axis 1‖₂ − ‖a − n; axis 1‖₂ + margin))" in out, out
    assert "reference: mean(max(0, ‖a − p; axis 1‖₂ − ‖a − n; axis 1‖₂ + margin))" in out, out
    assert "‖_1" not in out and "‖₁" not in out


@pytest.mark.torch
def test_the_echo_of_a_norm_without_an_axis_and_of_logsumexp_along_one(runner: CliRunner) -> None:
    code, out = _show(runner, "triplet-formula", "norm(a-p)")
    assert code == 1 and "you wrote: ‖a − p‖ " in out, out  # all elements: no axis, no subscript
    code, out = _show(runner, "ce-logits-formula", "mean(logsumexp(z, 1) - gather(z, target))")
    assert code == 0 and "you wrote: mean(logsumexp(z; axis 1) − gather(z, target))" in out, out


@pytest.mark.torch
def test_norm_along_an_axis_is_graded_as_the_l2_norm() -> None:
    # The echo's ₂ must be true: the grammar's norm(x, 1) is torch.linalg.vector_norm(x, dim=1), ord 2.
    import torch

    from lossquiz.study.expression import parse
    from lossquiz.worker.formula_eval import evaluate

    x = torch.tensor([[3.0, -4.0], [1.0, 0.0]], dtype=torch.float64)
    value = evaluate(parse("norm(x, 1)", ["x"]).tree, {"x": x})
    assert value.tolist() == [5.0, 1.0]  # L1 would be [7, 1]


# -- F8: two classic slips are named ------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("mean(0.5*log(var) + (y-y_hat)^2/var)", "→ the ½ on log v only: it multiplies both terms, ½(log v + r²/v)"),
        ("mean(log(var) + 0.5*(y-y_hat)^2/var)", "→ the ½ on r²/v only: it multiplies both terms, ½(log v + r²/v)"),
    ],
)
def test_the_gaussian_nll_with_its_half_on_one_term_is_named(runner: CliRunner, typed: str, hint: str) -> None:
    code, out = _show(runner, "gaussian-nll-formula", typed)
    assert code == 1 and "✗ wrong" in out and hint in out, out


@pytest.mark.torch
@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        (
            "mean(abs(r) + softplus(-2*abs(r)))",
            "→ the reference + log 2 on every case: an extra + log 2 or a missing − log 2?",
        ),
        (
            "mean(abs(r) + softplus(-2*abs(r)) - 2*log(2))",
            "→ the reference − log 2 on every case: a missing + log 2 or an extra − log 2?",
        ),
        (
            "mean(abs(r) + softplus(-2*abs(r)) - log(2)) + 0.25",
            "→ the reference + 0.25 on every case: a constant term missing or extra?",
        ),
    ],
)
def test_a_formula_off_by_one_constant_on_every_case_is_named(runner: CliRunner, typed: str, hint: str) -> None:
    code, out = _show(runner, "log-cosh", typed)
    assert code == 1 and "✗ wrong" in out and hint in out, out


@pytest.mark.torch
def test_an_offset_hint_reaches_json_and_a_varying_difference_gets_none(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "log-cosh", "--answer", "mean(abs(r) + softplus(-2*abs(r)))", "--json"])
    assert result.exit_code == 1, result.output
    assert (
        json.loads(result.stdout)["hint"]
        == "the reference + log 2 on every case: an extra + log 2 or a missing − log 2?"
    )
    code, out = _show(runner, "log-cosh", "mean(abs(r))")  # off by softplus(−2|r|) − log 2: not a constant
    assert code == 1 and "on every case" not in out, out
