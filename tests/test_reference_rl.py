"""Reinforcement-learning cards (policy, value, multiagent): SAC's entropy signs against closed
forms, the double-DQN bias demo, exploitability at a Nash equilibrium, a given() value."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from tests.deck_snippets import snippet  # noqa: E402 - after the torch skip

pytestmark = pytest.mark.torch


def test_policy_entropy_gives_the_log_partition() -> None:
    # that given() returns named floats on every problem is a deck-wide check (tests/test_deck_cards.py)
    z = torch.tensor([2.0, 1.0, 0.0])
    assert snippet("policy_entropy").given(logits=z)["ln(e^2 + e^1 + e^0)"] == pytest.approx(
        float(torch.logsumexp(z, 0)), abs=1e-4
    )


def test_sac_soft_target_matches_the_max_entropy_closed_form() -> None:
    """With pi = softmax(Q/alpha), E_{a'~pi}[Q(a') - alpha log pi(a')] = alpha logsumexp(Q/alpha)."""
    sac = snippet("sac_losses")
    q_next, alpha, gamma, r = torch.tensor([1.0, 0.5, -1.0]), 0.5, 0.9, 1.0
    log_pi = torch.log_softmax(q_next / alpha, 0)
    expected = 0.0
    for a in range(3):
        inputs = {
            **sac.example(),
            "rewards": torch.tensor(r),
            "dones": torch.tensor(0.0),
            "gamma": gamma,
            "alpha": alpha,
            "q1_next": q_next[a],
            "q2_next": q_next[a],
            "logp_next": log_pi[a],
        }
        expected += float(log_pi[a].exp()) * float(sac.loss(**inputs)["value"]["q_target"])
    closed = r + gamma * alpha * float(torch.logsumexp(q_next / alpha, 0))
    assert expected == pytest.approx(closed, abs=1e-5)


def test_sac_temperature_gradient_drives_entropy_to_its_target() -> None:
    """Gradient descent on log alpha with the snippet's gradient reaches H(softmax(Q/alpha)) = target."""
    sac = snippet("sac_losses")
    q, target = torch.tensor([1.0, 0.0, -1.0]), 0.8
    log_alpha = math.log(2.0)
    for _ in range(2000):
        log_pi = torch.log_softmax(q / math.exp(log_alpha), 0)
        grad = sum(
            float(log_pi[a].exp())
            * float(
                sac.loss(**{**sac.example(), "logp_pi": log_pi[a], "target_entropy": target})["value"]["log_alpha_grad"]
            )
            for a in range(3)
        )
        log_alpha -= 0.5 * grad
    log_pi = torch.log_softmax(q / math.exp(log_alpha), 0)
    assert float(-(log_pi.exp() * log_pi).sum()) == pytest.approx(target, abs=1e-3)


def test_sac_temperature_losses_on_the_example_are_the_two_published_forms() -> None:
    """Issue 17: show's example printed `alpha_loss = 0.3` under SB3's formula. The paper/CleanRL
    form -alpha (log pi + Hbar) is 0.3 there, SB3's -log alpha (log pi + Hbar) is 1.5 ln 0.2."""
    sac = snippet("sac_losses")
    value = sac.loss(**sac.example())["value"]
    assert float(value["alpha_loss_paper"]) == pytest.approx(0.3, abs=1e-6)
    assert float(value["alpha_loss_sb3"]) == pytest.approx(1.5 * math.log(0.2), abs=1e-6)  # -2.414
    assert float(value["log_alpha_grad"]) == pytest.approx(1.5, abs=1e-6)


@pytest.mark.parametrize("seed", range(20))
def test_both_temperature_losses_move_log_alpha_the_same_way(seed: int) -> None:
    """Central differences in log alpha of the snippet's own two loss values: SB3's slope is
    `log_alpha_grad`, the paper/CleanRL form's is alpha times it (the same sign, alpha > 0)."""
    import random

    sac = snippet("sac_losses")
    case = sac.problem(random.Random(seed))
    la, h = math.log(case["alpha"]), 1e-2  # float32 values: a wide step, central differences

    def at(log_alpha: float) -> dict[str, float]:
        return {k: float(v) for k, v in sac.loss(**{**case, "alpha": math.exp(log_alpha)})["value"].items()}

    here, up, down = at(la), at(la + h), at(la - h)
    slope_sb3 = (up["alpha_loss_sb3"] - down["alpha_loss_sb3"]) / (2 * h)
    slope_paper = (up["alpha_loss_paper"] - down["alpha_loss_paper"]) / (2 * h)
    assert slope_sb3 == pytest.approx(here["log_alpha_grad"], rel=1e-3, abs=1e-3)
    assert slope_paper == pytest.approx(case["alpha"] * here["log_alpha_grad"], rel=1e-3, abs=1e-3)
    assert slope_paper * here["log_alpha_grad"] >= 0  # the same direction for log alpha


def test_double_dqn_demo_shows_the_max_bias() -> None:
    out = snippet("double_dqn").loss(**snippet("double_dqn").example())
    assert 1.1 < float(out["demo_bias_max_single"]) < 1.22
    assert abs(float(out["demo_bias_double"])) < 0.05


def test_exploitability_is_zero_at_the_mixed_nash() -> None:
    ex = snippet("exploitability")
    a = torch.tensor([[3.0, -1.0], [-2.0, 1.0]])  # Nash: x = (3/7, 4/7), y = (2/7, 5/7)
    value = ex.loss(payoff=a, x=torch.tensor([3 / 7, 4 / 7]), y=torch.tensor([2 / 7, 5 / 7]))["value"]
    assert abs(float(value)) < 1e-5
