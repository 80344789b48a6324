"""The thirteenth newcomer pass: hints and displays on graded formulas and code checks
(N13-05, N13-06, N13-11, N13-12, N13-13, N13-14).

A formula card gets the named mistakes of the snippet it shares with a numeric card, even where
that snippet's value has parts; a disagreement on a value that reduces over a row or a group
shows that row or group."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.study.practice import attempt_path
from tests.test_twelfth_pass_hints import _show


def _wrong(runner: CliRunner, card_id: str, answer: str) -> str:
    """`show CARD --answer ANSWER` for a wrong answer: its output, unwrapped."""
    code, out = _show(runner, card_id, "--answer", answer)
    assert code == 1 and "✗ wrong" in out, out
    return out


# -- N13-06: a formula card names the mistakes of a snippet whose value has parts ----------------


@pytest.mark.torch
def test_a_per_element_formula_names_the_mistake_of_a_multi_part_snippet(runner: CliRunner) -> None:
    # pinball's value is {loss, smallest_minimiser}; the card's per_element target reduces to "loss"
    out = _wrong(runner, "pinball-formula", "max(tau*(y_hat-y), (tau-1)*(y_hat-y))")
    assert "→ residual taken as y_hat - y: that swaps the costs of under- and over-prediction" in out, out


@pytest.mark.torch
def test_a_scalar_step_target_names_the_mistake_of_a_multi_part_snippet(runner: CliRunner) -> None:
    # label_smoothing's value is {loss, optimal_gap}; the card's target is the step "loss"
    out = _wrong(runner, "label-smoothing-formula", "mean(-sum(onehot(target, z) * log_softmax(z, 1), 1))")
    assert "→ no smoothing: that is the plain cross-entropy" in out, out


# -- N13-05: where the answer reduces over a row or a group, that row or group is shown -----------


@pytest.mark.torch
def test_a_softmax_gradient_disagreement_shows_the_logits_it_depends_on(runner: CliRunner) -> None:
    out = _wrong(runner, "ce-logits-gradient", "softmax(z,1) - onehot(target, z)")
    assert "element (1, 1) of 6" in out and "at z = [[2, 1, 0], [0.5, 3, -1]], target = [0, 2], n = 2" in out, out


@pytest.mark.torch
def test_a_group_normalised_disagreement_shows_the_whole_group(runner: CliRunner) -> None:
    out = _wrong(runner, "grpo-advantage-formula", "(r - mean(r))/sqrt(mean((r-mean(r))^2))")
    assert "element 1 of 4" in out and "at r = [1, 0, 0, 0], G = 4 expected 1.5, yours gives 1.73205" in out, out


@pytest.mark.torch
def test_an_elementwise_disagreement_still_shows_one_element(runner: CliRunner) -> None:
    out = _wrong(runner, "pinball-formula", "max(tau*(y_hat-y), (tau-1)*(y_hat-y))")
    assert "at y = 1, y_hat = 2, tau = 0.9" in out, out


@pytest.mark.torch
def test_a_large_matrix_is_shown_by_the_row_or_column_reduced_over() -> None:
    import torch

    from lossquiz.worker.formula_eval import _at, _reduced_axes

    z = torch.arange(12.0, dtype=torch.float64).reshape(3, 4)
    names = ["z", "n"]
    env = {"z": z, "n": torch.tensor(3.0, dtype=torch.float64)}
    rows = _reduced_axes(["softmax(z, 1)/n", ""], names)
    assert _at(env, z, (1, 2), rows) == {"z (row 2)": [4.0, 5.0, 6.0, 7.0], "n": 3.0}
    columns = _reduced_axes(["z - mean(z, 0)"], names)
    assert _at(env, z, (1, 2), columns) == {"z (column 3)": [2.0, 6.0, 10.0], "n": 3.0}
    everything = _reduced_axes(["z - mean(z)"], names)
    assert _at(env, z, (1, 2), everything)["z"] == z.tolist()
    assert _at(env, z, (1, 2), _reduced_axes(["z/n"], names)) == {"z": 6.0, "n": 3.0}


# -- N13-11: the population std where GRPO's card asks for the sample std is named ----------------

POPULATION_STD = "population std (÷G); the card asks for the sample std (÷(G − 1)), as TRL computes it"


@pytest.mark.torch
def test_a_population_std_grpo_formula_is_named(runner: CliRunner) -> None:
    # r = [1, 0, 0, 0]: deviations [¾, −¼, −¼, −¼], Σ² = ¾; ¾/√(¾/3) = 1.5, ¾/√(¾/4) = √3 = 1.73205
    out = _wrong(runner, "grpo-advantage-formula", "(r - mean(r))/sqrt(mean((r-mean(r))^2))")
    assert "expected 1.5, yours gives 1.73205" in out and f"→ {POPULATION_STD}" in out, out
    assert "→ no std division: that is Dr. GRPO's advantage" in _wrong(runner, "grpo-advantage-formula", "r - mean(r)")


@pytest.mark.torch
def test_a_population_std_grpo_attempt_is_named_by_code_check(runner: CliRunner, env: Path) -> None:
    population = "(rewards - rewards.mean(-1, keepdim=True)) / (rewards.std(-1, correction=0, keepdim=True) + eps)"
    attempt = f"import torch\n\n\ndef grpo_advantages(rewards, eps=1e-4):\n    return {population}\n"
    path = attempt_path(env, "grpo-advantage")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(attempt)
    result = runner.invoke(app, ["code", "check", "grpo-advantage"])
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "hint population std (divide by G); the card asks for the sample std (divide by G - 1)" in out, out


# -- N13-12: a constant offset names both readings, an extra term and a missing one ---------------


@pytest.mark.torch
def test_an_added_log_two_reads_as_an_extra_term(runner: CliRunner) -> None:
    out = _wrong(runner, "bce-logits-formula", "mean(softplus(z) - y*z) + log(2)")
    assert "→ the reference + log 2 on every case: an extra + log 2 or a missing − log 2?" in out, out
    assert "everywhere" not in out


# -- N13-13: log-prob inputs are never above 0 -------------------------------------------------------

LOG_PROB = re.compile(r"logp")  # logp, logp_ref, policy_chosen_logps, ...
DENSITIES = {"sac_losses"}  # log-densities of continuous actions: a density can exceed 1


def _above_zero(inputs: dict[str, object]) -> list[str]:
    import torch

    return [
        k
        for k, v in inputs.items()
        if LOG_PROB.search(k) and isinstance(v, torch.Tensor) and v.is_floating_point() and bool((v > 0).any())
    ]


@pytest.mark.torch
def test_practice_cases_draw_log_probs_at_most_zero() -> None:
    import torch

    from tests.test_practice import MODULES

    found = {}
    for card_id, module in MODULES.items():
        for case in module.CASES:
            for seed in range(50):
                above = _above_zero(module.inputs(torch.Generator().manual_seed(seed), case))
                if above:
                    found[(card_id, case)] = above
    assert not found, found


@pytest.mark.torch
def test_drill_problems_draw_token_log_probs_at_most_zero() -> None:
    from tests.deck_snippets import CARDS, problems, snippet

    names = {c.snippet for c in CARDS if c.snippet and c.snippet not in DENSITIES}
    found = {n: above for n in sorted(names) for p in problems(snippet(n), 50) if (above := _above_zero(p))}
    assert not found, found


# -- N13-14: JSON for scripts has 0.0, never -0.0 ---------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("card_id", ["huber", "mae"])
def test_show_json_has_no_negative_zero(runner: CliRunner, card_id: str) -> None:
    result = runner.invoke(app, ["show", card_id, "--json"])
    assert result.exit_code == 0, result.output
    assert re.search(r"-0\.0\b", result.stdout) is None, result.stdout
    steps = json.loads(result.stdout)["example"]["steps"]
    grads = [s["value"] for s in steps if s["name"] == "grad_y_hat"]
    assert grads and 0.0 in grads[0], grads
