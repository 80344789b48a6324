"""InfoNCE as a mutual-information LOWER bound: I(X;Y) >= log N - L_N, which cannot exceed log N.

Correlated Gaussians, per dimension y = rho x + sqrt(1 - rho^2) e, have a known MI
I = -(dim/2) log(1 - rho^2) nats. With the optimal critic f(x, y) = log p(y|x) - log p(y)
(van den Oord et al., 2018, App. A; Poole et al., 2019), InfoNCE over batches of N pairs gives
the estimate log N - mean L_N: close to I when I << log N, stuck below log N when I > log N.
The samples come from a private torch.Generator seeded by `seed`, so both routes see the same
draws. Reference: the critic via torch.distributions.Normal.log_prob, the loss via
F.cross_entropy, and the true MI as H(X) + H(Y) - H(X, Y) from Gaussian entropies,
H = (k/2) log(2 pi e) + log det L with L the Cholesky factor of the covariance (torch.linalg.cholesky
of the 2dim x 2dim joint covariance, not the per-dimension closed form loss() uses).
MultivariateNormal.entropy() gives the same numbers, but building one imports sympy
(via torch.broadcast_shapes): 0.5 s on a worker's first call.
"""

import math
import random

import torch
import torch.nn.functional as F
from torch.distributions import Normal

REFERENCE = "Normal.log_prob critic + F.cross_entropy; MI from Gaussian entropies via Cholesky log-determinants"


def example():
    return {"rho": 0.99, "dim": 4, "batch": 64, "n_batches": 20, "seed": 0}


def problem(rng: random.Random):
    return {"rho": rng.choice([0.5, 0.9, 0.99]), "dim": rng.choice([1, 2, 4]),
            "batch": rng.choice([16, 64, 128]), "n_batches": 5, "seed": rng.randint(0, 10**6)}


def _samples(rho, dim, batch, n_batches, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n_batches, batch, dim, generator=g, dtype=torch.float64)
    e = torch.randn(n_batches, batch, dim, generator=g, dtype=torch.float64)
    return x, rho * x + math.sqrt(1 - rho**2) * e


def loss(rho, dim, batch, n_batches, seed):
    x, y = _samples(rho, dim, batch, n_batches, seed)
    s2 = 1 - rho**2
    # critic[b, i, j] = log p(y_j | x_i) - log p(y_j), summed over dimensions
    diff = y.unsqueeze(1) - rho * x.unsqueeze(2)
    critic = (-(diff**2) / (2 * s2) - 0.5 * math.log(s2) + 0.5 * y.unsqueeze(1) ** 2).sum(-1)
    positive = critic.diagonal(dim1=1, dim2=2)
    per_batch = (torch.logsumexp(critic, dim=2) - positive).mean(dim=1)  # InfoNCE per batch
    log_n = math.log(batch)
    true_mi = -0.5 * dim * math.log(s2)
    return {
        "infonce_per_batch": per_batch,
        "mean_infonce": per_batch.mean(),
        "value": {
            "log_n": torch.tensor(log_n, dtype=torch.float64),
            "infonce_bound": log_n - per_batch.mean(),
            "true_mi": torch.tensor(true_mi, dtype=torch.float64),
        },
    }


def reference(rho, dim, batch, n_batches, seed):
    x, y = _samples(rho, dim, batch, n_batches, seed)
    sd = math.sqrt(1 - rho**2)
    # every batch at once: cond[b, i, j] = log p(y_j | x_i), rows of the cross-entropy = (b, i)
    cond = Normal(rho * x.unsqueeze(2), sd).log_prob(y.unsqueeze(1)).sum(-1)
    marg = Normal(0.0, 1.0).log_prob(y).sum(-1)
    logits = (cond - marg.unsqueeze(1)).reshape(n_batches * batch, batch)
    losses = F.cross_entropy(logits, torch.arange(batch).repeat(n_batches), reduction="none").reshape(n_batches, batch).mean(1)
    eye = torch.eye(dim, dtype=torch.float64)
    joint = torch.cat([torch.cat([eye, rho * eye], 1), torch.cat([rho * eye, eye], 1)], 0)
    return {
        "log_n": torch.tensor(math.log(batch), dtype=torch.float64),
        "infonce_bound": math.log(batch) - losses.mean(),
        "true_mi": 2 * _gaussian_entropy(eye) - _gaussian_entropy(joint),
    }


def _gaussian_entropy(cov):
    """Differential entropy of N(0, cov): (k/2) log(2 pi e) + sum log diag(cholesky(cov))."""
    chol = torch.linalg.cholesky(cov)
    return 0.5 * cov.shape[0] * math.log(2 * math.pi * math.e) + torch.log(torch.diagonal(chol)).sum()


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
