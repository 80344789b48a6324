"""Reparameterisation (pathwise) gradient of E_{z ~ N(mu, sigma^2)}[f(z)], f(z) = z^3, vs autograd.

Write z = mu + sigma * eps, eps ~ N(0, 1) (Kingma & Welling 2014). The sampling no longer depends
on mu, so the gradient moves inside the expectation:
    d/dmu    E[f(z)] = E[f'(z)]        = E[3 z^2]       = 3 (mu^2 + sigma^2)
    d/dsigma E[f(z)] = E[f'(z) * eps]  = E[3 z^2 eps]   = 6 mu sigma
The score-function (REINFORCE) estimator E[f(z) * d/dmu log q(z)] = E[f(z) (z - mu) / sigma^2] is
also unbiased and needs no f', but its per-sample variance is far larger (shown below with
seeded Monte Carlo). Reference: autograd through the closed form E[z^3] = mu^3 + 3 mu sigma^2.
"""

import random

import torch

REFERENCE = "torch.autograd.grad of the closed form E[z^3] = mu^3 + 3 mu sigma^2 w.r.t. mu"
SAMPLES = 10_000


def example():
    return {"mu": torch.tensor(1.0), "sigma": torch.tensor(0.5)}


def problem(rng: random.Random):
    return {
        "mu": torch.tensor(rng.choice([-1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0])),
        "sigma": torch.tensor(rng.choice([0.5, 1.0, 1.5, 2.0])),
    }


def loss(mu, sigma):
    eps = torch.randn(SAMPLES)  # seeded by the caller
    z = mu + sigma * eps
    pathwise = 3 * z**2                    # f'(z) * dz/dmu, one term per sample
    score = z**3 * (z - mu) / sigma**2     # f(z) * d log q(z) / dmu, one term per sample
    return {
        "pathwise_mc_estimate": pathwise.mean(),
        "score_function_mc_estimate": score.mean(),
        "per_sample_std_pathwise_vs_score": torch.stack([pathwise.std(), score.std()]),
        "d_dsigma_exact": 6 * mu * sigma,
        "value": 3 * (mu**2 + sigma**2),    # exact E[f'(z)]
    }


def reference(mu, sigma):
    mu = mu.clone().requires_grad_(True)
    expected_f = mu**3 + 3 * mu * sigma**2
    (grad,) = torch.autograd.grad(expected_f, mu)
    return grad


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
