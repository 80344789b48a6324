"""Barlow Twins loss (Zbontar et al., 2021), from scratch, against torch.corrcoef.

Standardise each embedding dimension over the batch (the official code: BatchNorm1d(affine=False),
i.e. biased variance, eps = 1e-5), then the D x D cross-correlation between the two views:
    C_ij = (1/N) sum_b zn1_bi zn2_bj          (a Pearson correlation, up to eps)
    L = sum_i (1 - C_ii)^2  +  lambda sum_{i != j} C_ij^2
invariance (diagonal -> 1: each feature agrees across views) + redundancy reduction
(off-diagonal -> 0: features decorrelated). lambda = 0.0051 in the official code (5e-3 in the
paper). No negatives, predictor, stop-gradient or EMA; collapse to a constant is impossible
because a constant feature has no correlation to push to 1.
Reference: torch.corrcoef of the concatenated features (the cross block), a different route to C
(unbiased covariance / std product; the N vs N - 1 cancels), rtol 1e-3 for BatchNorm's eps.
"""

import random

import torch

REFERENCE = "torch.corrcoef(cat(z1, z2)) cross block -> on-diagonal + lambda * off-diagonal"
TOLERANCE = {"rtol": 1e-3, "atol": 1e-5}


def example():
    return {"z1": torch.tensor([[1.0, 2.0], [2.0, 0.0], [3.0, 1.0], [2.0, 1.0]]),
            "z2": torch.tensor([[1.5, 1.0], [2.0, 1.0], [2.5, 0.0], [2.0, 2.0]]),
            "lam": 0.0051}


def problem(rng: random.Random):
    def batch():
        while True:
            z = torch.tensor([[rng.randint(-4, 4) / 2 for _ in range(3)] for _ in range(4)])
            if bool((z.var(0) > 0.1).all()):  # every feature varies over the batch
                return z
    return {"z1": batch(), "z2": batch(), "lam": rng.choice([0.0051, 0.1, 0.5])}


def _standardise(z, eps=1e-5):
    mean = z.mean(0)
    var = ((z - mean) ** 2).mean(0)  # biased, as BatchNorm in training mode
    return (z - mean) / torch.sqrt(var + eps)


def loss(z1, z2, lam=0.0051):
    a, b = _standardise(z1), _standardise(z2)
    n, d = a.shape
    c = a.T @ b / n
    on = ((1 - torch.diagonal(c)) ** 2).sum()
    off = (c**2).sum() - (torch.diagonal(c) ** 2).sum()
    return {
        "cross_correlation": c,
        "on_diagonal": on,
        "off_diagonal": off,
        "value": on + lam * off,
    }


def reference(z1, z2, lam=0.0051):
    d = z1.shape[1]
    c = torch.corrcoef(torch.cat([z1, z2], dim=1).T)[:d, d:]
    eye = torch.eye(d)
    return ((c - eye) ** 2 * (eye + lam * (1 - eye))).sum()


def mistakes(z1, z2, lam=0.0051):
    a, b = _standardise(z1), _standardise(z2)
    n, d = a.shape
    eye = torch.eye(d)
    c = a.T @ b / n
    raw = z1.T @ z2 / n  # no standardisation
    weight = eye + lam * (1 - eye)
    return {
        "the features were not standardised over the batch (BatchNorm) before the correlation":
            ((raw - eye) ** 2 * weight).sum(),
        "λ weighs the off-diagonal (redundancy) term, not the diagonal": (
            (c - eye) ** 2 * (lam * eye + (1 - eye))).sum(),
        "that is the mean over the D × D entries; the loss sums them": ((c - eye) ** 2 * weight).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
