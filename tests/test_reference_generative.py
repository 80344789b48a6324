"""Generative (GAN and diffusion) cards: limiting cases and Monte Carlo checks the snippets' own
references do not cover."""

from __future__ import annotations

import random

import pytest

torch = pytest.importorskip("torch")

from tests.deck_snippets import snippet  # noqa: E402 - after the torch skip

pytestmark = pytest.mark.torch


def test_ddim_eta_one_variance_is_the_ddpm_posterior_variance():
    ddim, post = snippet("ddim_step"), snippet("ddpm_posterior")
    inputs = ddim.example()
    sigma = ddim.loss(**inputs)["sigma_at_eta_1_equals_sqrt_beta_tilde"]
    var = post.loss(torch.zeros(1), torch.zeros(1), inputs["alpha_bar_t"], inputs["alpha_bar_prev"])["value"]["var"]
    assert torch.allclose(sigma**2, var, rtol=1e-5)


def test_ddpm_posterior_by_monte_carlo():
    post = snippet("ddpm_posterior")
    g = torch.Generator().manual_seed(0)
    ab_prev, alpha = 0.64, 0.9
    x0 = 1.0
    n = 400_000
    x_prev = ab_prev**0.5 * x0 + (1 - ab_prev) ** 0.5 * torch.randn(n, generator=g, dtype=torch.float64)
    x_t = alpha**0.5 * x_prev + (1 - alpha) ** 0.5 * torch.randn(n, generator=g, dtype=torch.float64)
    # regress x_{t-1} on x_t near x_t = 0.5: the local conditional mean / variance
    mask = (x_t - 0.5).abs() < 0.01
    got = post.loss(torch.tensor([x0]), torch.tensor([0.5]), ab_prev * alpha, ab_prev)["value"]
    assert abs(float(x_prev[mask].mean()) - float(got["mean"])) < 0.01
    assert abs(float(x_prev[mask].var()) - float(got["var"])) < 0.01


def test_cfg_tilted_score_reference_is_not_the_s_form_by_construction():
    cfg = snippet("cfg_guidance")
    for seed in range(20):
        inputs = cfg.problem(random.Random(seed))
        s = 1 + inputs["w"]
        assert torch.allclose(
            cfg.reference(**inputs), inputs["eps_uncond"] + s * (inputs["eps_cond"] - inputs["eps_uncond"]), atol=1e-5
        )


def test_flow_matching_losses_are_not_trivially_zero():
    fm = snippet("flow_matching")
    values = [float(fm.loss(**fm.problem(random.Random(s)))["value"]) for s in range(200)]
    assert sum(v < 1e-3 for v in values) < 10
