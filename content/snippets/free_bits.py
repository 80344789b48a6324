"""Free bits (Kingma et al., 2016, the IAF paper, App. C.8), from scratch, against
torch.distributions.kl_divergence.

For a minibatch of B examples with diagonal Gaussian posteriors q(z|x_b) = N(mu_b, exp(logvar_b))
and prior N(0, I): KL_bj = 1/2 (mu_bj^2 + exp(logvar_bj) - 1 - logvar_bj) per example and latent.
Free bits AVERAGES each latent's KL over the minibatch first, then clamps it from below:
    KL_free = sum_j max(lambda, (1/B) sum_b KL_bj)
so a latent whose batch-average KL is under lambda nats gets no gradient to shrink further (its
"free" nats), while one above lambda is penalised as usual. Clamping per example,
(1/B) sum_b sum_j max(lambda, KL_bj), is a different (stronger) objective: it floors every single
example's KL, not the latent's average use. (Kingma et al. clamp per group of latents; here each
latent is its own group.)
"""

import math
import random

import torch
from torch.distributions import Normal, kl_divergence

REFERENCE = "torch.distributions.kl_divergence per element, batch mean per latent, torch.maximum(lam, ·), sum"


def example():
    return {"mu": torch.tensor([[1.0, 0.0], [0.0, 0.2], [-1.0, 0.0]]),
            "logvar": torch.tensor([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]),
            "lam": 0.25}


def problem(rng: random.Random):
    # logvar = 0 keeps KL_bj = mu^2 / 2: the lesson is the order of mean and clamp, not exp/log.
    b, d = 3, 2
    mu = [[rng.choice([-1.0, -0.6, -0.4, 0.0, 0.4, 0.6, 1.0, 1.4]) for _ in range(d)] for _ in range(b)]
    return {"mu": torch.tensor(mu), "logvar": torch.zeros(b, d), "lam": rng.choice([0.1, 0.25, 0.5])}


def loss(mu, logvar, lam=0.25):
    per_example_latent = 0.5 * (mu**2 + logvar.exp() - 1 - logvar)  # KL_bj
    batch_mean_per_latent = per_example_latent.mean(dim=0)  # E_x KL_j over the minibatch
    clamped = torch.clamp(batch_mean_per_latent, min=lam)
    return {
        "kl_per_example_and_latent": per_example_latent,
        "kl_batch_mean_per_latent": batch_mean_per_latent,
        "clamped_max_lam": clamped,
        "gets_gradient": (batch_mean_per_latent > lam).float(),  # below lambda: no push toward 0
        "plain_kl_batch_mean": per_example_latent.sum(dim=1).mean(),
        "value": clamped.sum(),
    }


def reference(mu, logvar, lam=0.25):
    kl = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(torch.zeros_like(mu), torch.ones_like(mu)))
    return torch.maximum(torch.tensor(lam), kl.mean(dim=0)).sum()


def mistakes(mu, logvar, lam=0.25):
    kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar)
    return {
        "that clamps every example's KL (per example, then averaged); free bits clamps the "
        "minibatch-mean KL of each latent": torch.clamp(kl, min=lam).sum(dim=1).mean(),
        "that is the plain KL without the free-bits floor": kl.sum(dim=1).mean(),
        "the floor was applied to the total KL, not to each latent": torch.clamp(kl.sum(dim=1).mean(), min=lam),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
    print(mistakes(**inputs))
