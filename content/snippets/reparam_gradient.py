"""Reparameterisation (pathwise) gradient of E_{z ~ N(mu, sigma^2)}[f(z)], f(z) = z^3.

Write z = mu + sigma * eps, eps ~ N(0, 1) (Kingma & Welling 2014; Rezende, Mohamed & Wierstra
2014). The sampling no longer depends on mu, so the gradient moves inside the expectation, and a
Monte Carlo estimate from draws eps_1..eps_S is the average of the per-sample derivatives:
    d/dmu E[f(z)]    ~ (1/S) sum_s f'(z_s) * dz/dmu    = (1/S) sum_s 3 z_s^2        (pathwise)
    d/dsigma E[f(z)] ~ (1/S) sum_s f'(z_s) * eps_s      = (1/S) sum_s 3 z_s^2 eps_s
Exact: E[3 z^2] = 3 (mu^2 + sigma^2). The score-function (REINFORCE) estimator
(1/S) sum_s f(z_s) d/dmu log q(z_s) = (1/S) sum_s z_s^3 eps_s / sigma is also unbiased and needs
no f', but its per-sample variance is far larger (shown with seeded Monte Carlo).

Reference, two routes: the estimate from the given draws by autograd through f(mu + sigma*eps)
(torch differentiates z^3 itself); the exact gradient by autograd through the mean of f over
seeded torch.distributions.Normal(mu, sigma).rsample((200000,)) -- Monte Carlo, rtol 1%.
"""

import random

import torch
from torch.distributions import Normal

REFERENCE = (
    "autograd through f(mu + sigma*eps); expected_gradient: estimate (Monte Carlo, 200000 samples), "
    "seeded Normal.rsample + autograd"
)
TOLERANCE = {"rtol": 0.01, "atol": 1e-4}  # the reference's expected_gradient is a 200k-sample Monte Carlo estimate
SAMPLES = 10_000
MC_SAMPLES = 200_000


def example():
    return {"mu": torch.tensor(1.0), "sigma": torch.tensor(0.5), "eps": torch.tensor([-1.0, 0.5])}


def problem(rng: random.Random):
    return {
        "mu": torch.tensor(rng.choice([-1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0])),
        "sigma": torch.tensor(rng.choice([0.5, 1.0, 1.5, 2.0])),
        "eps": torch.tensor([rng.choice([-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]) for _ in range(2)]),
    }


def loss(mu, sigma, eps):
    z = mu + sigma * eps
    per_sample = 3 * z**2  # f'(z_s) * dz/dmu
    many = mu + sigma * torch.randn(SAMPLES)  # seeded by the caller
    pathwise_many = 3 * many**2
    score_many = many**3 * (many - mu) / sigma**2  # f(z) * d log q(z) / dmu
    return {
        "z": z,
        "pathwise_per_sample": per_sample,
        "d_dsigma_pathwise_estimate": (per_sample * eps).mean(),
        "score_function_estimate_same_draws": (z**3 * eps / sigma).mean(),
        "mc_10k_pathwise_vs_score": torch.stack([pathwise_many.mean(), score_many.mean()]),
        "per_sample_std_pathwise_vs_score": torch.stack([pathwise_many.std(), score_many.std()]),
        "value": {"pathwise_estimate": per_sample.mean(), "expected_gradient": 3 * (mu**2 + sigma**2)},
    }


def reference(mu, sigma, eps):
    m = mu.clone().requires_grad_(True)
    (estimate,) = torch.autograd.grad(((m + sigma * eps) ** 3).mean(), m)
    m = mu.clone().requires_grad_(True)
    with torch.random.fork_rng():  # seeded, without disturbing the caller's stream
        torch.manual_seed(1234)
        z = Normal(m, sigma).rsample((MC_SAMPLES,))
    (expected,) = torch.autograd.grad((z**3).mean(), m)  # a Monte Carlo estimate, not exact
    return {"pathwise_estimate": estimate, "expected_gradient": expected}


def mistakes(mu, sigma, eps):
    z = mu + sigma * eps
    right = {"expected_gradient": 3 * (mu**2 + sigma**2)}
    return {
        "that is the average of f(z) itself, not of its derivative f'(z) = 3z²": {
            "pathwise_estimate": (z**3).mean(), **right},
        "that is the exact gradient 3(μ² + σ²); the card asks for the estimate from these draws": {
            "pathwise_estimate": 3 * (mu**2 + sigma**2), **right},
        "that is the score-function (REINFORCE) estimate f(z)·ε/σ; the card asks for the pathwise one": {
            "pathwise_estimate": (z**3 * eps / sigma).mean(), **right},
        "that is the σ-gradient estimate (f'(z)·ε); the card asks for ∂/∂μ": {
            "pathwise_estimate": (3 * z**2 * eps).mean(), **right},
    }


def plot():
    """Per-sample estimates of d/dmu E[z^3] at mu = 1, sigma = 0.5: pathwise vs score function."""
    mu, sigma = torch.tensor(1.0), torch.tensor(0.5)
    z = mu + sigma * torch.randn(4000)
    counts = list(range(10, 4001, 30))
    path = torch.cumsum(3 * z**2, 0) / torch.arange(1, 4001)
    score = torch.cumsum(z**3 * (z - mu) / sigma**2, 0) / torch.arange(1, 4001)
    xs = [float(c) for c in counts]
    return {
        "title": "Running Monte Carlo estimate of d/dmu E[z^3] (exact 3.75)",
        "x_label": "samples",
        "y_label": "estimate",
        "series": [
            {"name": "pathwise 3z^2", "x": xs, "y": [float(path[c - 1]) for c in counts]},
            {"name": "score function z^3 (z - mu)/sigma^2", "x": xs, "y": [float(score[c - 1]) for c in counts]},
            {"name": "exact 3(mu^2 + sigma^2)", "x": xs, "y": [3.75] * len(xs)},
        ],
        "note": "Both are unbiased; the pathwise estimator settles far faster (lower variance).",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
