"""The twelfth newcomer pass: hints and labels on graded numbers (N12-1, N12-3, N12-7, N12-8).

A formula off by a constant factor is told sum vs mean from a missing ½ by the cases (the fixed
example and the random problems); a flipped sign on a gradient w.r.t. ŷ through r = y − ŷ points
at the chain rule; the pinball minimiser is labelled as the smallest one; `given:` lists no
trivial values and no `-0`."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from lossquiz.cli.app import app
from lossquiz.paths import builtin_deck


def _show(runner: CliRunner, card_id: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["show", card_id, *args])
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split())  # unwrapped from the terminal width


# -- N12-1: a factor equal to the batch size is a sum vs mean, not only a missing ½ --------------


@pytest.mark.torch
def test_a_missing_one_over_n_where_every_batch_is_two_names_the_mean_too(runner: CliRunner) -> None:
    # Every cross_entropy problem has 2 rows, like the fixed example: 2× is the /n or a ½, both said.
    code, out = _show(runner, "ce-logits-gradient", "--answer", "softmax(z,1) - onehot(target, z)")
    assert code == 1 and "✗ wrong" in out, out
    assert "→ twice the reference: a sum where the convention is the mean (the batch here is 2), or a missing ½?" in out


@pytest.mark.torch
def test_a_batch_size_factor_is_still_named_where_the_batch_is_not_two(runner: CliRunner) -> None:
    code, out = _show(runner, "huber-gradient", "--answer", "-clip(r, -delta, delta)")
    assert code == 1 and "→ 4× the reference: a sum where the convention is the mean (reduction)?" in out, out


def _case(factor: float, n: int) -> tuple[object, object, dict[str, object]]:
    import torch

    e = torch.arange(1.0, n + 1, dtype=torch.float64)
    return e * factor, e, {"y": torch.zeros(n), "tau": 0.5}


@pytest.mark.torch
def test_the_cases_tell_a_sum_from_a_missing_half() -> None:
    from lossquiz.worker.compare import factor_hint

    # the fixed example has n = 2; the random problems have n = 3 and 5
    tracks_n = factor_hint([_case(2, 2), _case(3, 3), _case(5, 5)])  # type: ignore[list-item]
    assert tracks_n == "2× the reference: a sum where the convention is the mean (reduction)?"
    stays_two = factor_hint([_case(2, 2), _case(2, 3), _case(2, 5)])  # type: ignore[list-item]
    assert stays_two == "twice the reference: a missing ½?"
    inverse = factor_hint([_case(1 / 2, 2), _case(1 / 3, 3)])  # type: ignore[list-item]
    assert inverse == "1/2 of the reference: a mean where the convention is a sum (reduction)?"
    stays_half = factor_hint([_case(1 / 2, 2), _case(1 / 2, 3)])  # type: ignore[list-item]
    assert stays_half == "half the reference: an extra ½ (or a mean over 2)?"
    one_case = factor_hint([_case(2, 2)])  # type: ignore[list-item]
    assert one_case is not None and "sum where the convention is the mean" in one_case and "missing ½" in one_case
    assert factor_hint([_case(2, 2), _case(-1, 3)]) is None  # type: ignore[list-item]  # no one factor


# -- N12-3: a flipped sign on ∂L/∂ŷ through r = y − ŷ is the chain rule --------------------------


@pytest.mark.torch
def test_a_flipped_sign_on_a_gradient_through_the_residual_points_at_the_chain_rule(runner: CliRunner) -> None:
    code, out = _show(runner, "huber-gradient", "--answer", "clip(r, -delta, delta)/n")
    assert code == 1 and "✗ wrong" in out, out
    assert "→ the reference with the sign flipped: the chain rule through r = y − " in out, out
    assert "(∂r/∂" in out and " = −1)?" in out, out
    assert "objective to maximise" not in out


@pytest.mark.torch
def test_a_flipped_sign_elsewhere_keeps_the_generic_words(runner: CliRunner) -> None:
    # a loss through r (not a gradient), and a gradient w.r.t. logits (no residual variable)
    for card_id, typed in (
        ("huber-formula", "-where(abs(r)<=delta, r^2/2, delta*(abs(r)-delta/2))"),
        ("ce-logits-gradient", "(onehot(target, z) - softmax(z, 1))/n"),
    ):
        code, out = _show(runner, card_id, "--answer", typed)
        assert code == 1, out
        assert "→ the reference with the sign flipped: an objective to maximise vs a loss to minimise?" in out, out


# -- N12-8: the pinball minimiser is not always unique ---------------------------------------------


@pytest.mark.torch
def test_the_pinball_minimiser_is_labelled_the_smallest_and_its_interval_shown(runner: CliRunner) -> None:
    # y = [2, 1, 4, 2], tau = 0.75: tau n = 3, so every c in [y_(3), y_(4)] = [2, 4] minimises the loss
    code, out = _show(runner, "quantile", "--seed", "177913333")
    assert code == 0, out
    assert "minimiser_interval [2, 4]" in out and "smallest_minimiser 2" in out, out
    assert "value loss = 0.4375, smallest_minimiser = 2" in out, out
    assert " minimiser 2 " not in out


@pytest.mark.torch
def test_the_pinball_minimiser_interval_is_every_minimiser() -> None:
    import random

    import torch

    from tests.deck_snippets import snippet

    module = snippet("pinball")
    widths = 0
    for seed in range(200):
        inp = module.problem(random.Random(seed))
        steps = module.loss(**inp)
        lo, hi = steps["minimiser_interval"].tolist()
        assert lo == float(steps["smallest_minimiser"])
        y, tau = inp["y"].double(), inp["tau"]

        def cost(c: float, y: torch.Tensor = y, tau: float = tau) -> float:
            u = y - c
            return float(torch.maximum(tau * u, (tau - 1) * u).mean())

        best = cost(lo)
        assert all(abs(cost(lo + (hi - lo) * t / 4) - best) < 1e-12 for t in range(5)), (seed, lo, hi)
        assert cost(lo - 1e-3) > best + 1e-9 and cost(hi + 1e-3) > best + 1e-9, (seed, lo, hi)
        widths += hi > lo
    assert widths  # some problems have more than one minimiser


# -- N12-7: `given:` lists no trivial value and no -0 --------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _given_problems(name: str) -> list[dict[str, float]]:
    from lossquiz.worker.formula_eval import given
    from tests.deck_snippets import snippet

    module = snippet(name)
    return [given(module, seed)["given"] for seed in [None, *range(300)]]


def _snippets_with_given() -> list[str]:
    from tests.deck_snippets import snippet

    names = sorted(p.stem for p in (builtin_deck() / "snippets").glob("*.py"))
    return [n for n in names if callable(getattr(snippet(n), "given", None))]


@pytest.mark.torch
def test_no_given_value_is_trivial_or_printed_as_minus_zero() -> None:
    # e.g. gaussian_nll's var = 1 gave `ln 1 = 0`, focal's logit 0 gave `σ(-0)` and `ln σ(-0) = ln(1 − σ(0))`
    bad = []
    for name in _snippets_with_given():
        for values in _given_problems(name):
            for label, value in values.items():
                numbers = [float(n) for n in _NUMBER.findall(label)]
                if any(n.startswith("-0") and float(n) == 0 for n in _NUMBER.findall(label)):
                    bad.append((name, label))
                elif numbers and all(n in (0.0, 1.0) for n in numbers) and value in (0.0, 1.0):
                    bad.append((name, label))  # ln 1 = 0, e^0 = 1, √1 = 1
    assert not bad, sorted(set(bad))[:20]
