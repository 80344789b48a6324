"""Practice task for card 'vicreg': the VICReg loss as the official code computes it."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "vicreg_loss"
DOCSTRING = """VICReg loss (Bardes, Ponce & LeCun 2022), as the official code (main_vicreg.py) computes it.

Args:
    z1, z2: (N, D) embeddings of two views, floating point, N >= 2.
    sim_coeff: invariance weight, std_coeff: variance weight, cov_coeff: covariance weight.
        Defaults 25.0, 25.0, 1.0 (the paper).
    gamma_std: target standard deviation. Default 1.0.  eps: inside the sqrt. Default 1e-4.

Returns:
    A 0-dim tensor with the dtype of z1:  sim_coeff * s + std_coeff * v + cov_coeff * c  where
        s = mean over N * D of (z1 - z2)**2                           (F.mse_loss)
        v = ( mean_j relu(gamma_std - S(z1[:, j])) + mean_j relu(gamma_std - S(z2[:, j])) ) / 2,
            S = sqrt(unbiased variance over the batch + eps)
        c = sum_{i != j} C(z1)_ij**2 / D  +  the same for z2,
            C = centred z^T z / (N - 1)   (the unbiased covariance matrix)

Numerics: the gradient must stay finite for a collapsed batch (all rows equal): that is
what eps inside the sqrt is for.

Checked: values and the gradients w.r.t. z1 and z2.
"""
REFERENCE = "F.mse_loss + torch.var(dim=0) + torch.cov"
CASES = [
    "3 samples, 2-D",
    "batch of 16, 8-D",
    "wide spread (variance hinge inactive)",
    "custom weights",
    "collapsed batch (all rows equal)",
    "float64",
]
STABILITY = {"collapsed batch (all rows equal)"}
NO_GRAD: set[str] = set()
GRAD = ("z1", "z2")


def vicreg_loss(
    z1: Tensor,
    z2: Tensor,
    sim_coeff: float = 25.0,
    std_coeff: float = 25.0,
    cov_coeff: float = 1.0,
    gamma_std: float = 1.0,
    eps: float = 1e-4,
) -> Tensor:
    invariance = ((z1 - z2) ** 2).mean()
    n, d = z1.shape

    def variance_and_covariance(z: Tensor) -> tuple[Tensor, Tensor]:
        centred = z - z.mean(dim=0)
        cov = centred.T @ centred / (n - 1)
        std = torch.sqrt(torch.diagonal(cov) + eps)
        off_diagonal = cov - torch.diag(torch.diagonal(cov))
        return torch.relu(gamma_std - std).mean(), (off_diagonal**2).sum() / d

    v1, c1 = variance_and_covariance(z1)
    v2, c2 = variance_and_covariance(z2)
    return sim_coeff * invariance + std_coeff * (v1 + v2) / 2 + cov_coeff * (c1 + c2)


def reference(z1, z2, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0, gamma_std=1.0, eps=1e-4):
    invariance = F.mse_loss(z1, z2)
    variance, covariance = 0.0, 0.0
    for z in (z1, z2):
        std = torch.sqrt(torch.var(z, dim=0) + eps)
        variance = variance + F.relu(gamma_std - std).mean() / 2
        cov = torch.cov(z.T)
        covariance = covariance + (cov**2).sum() / z.shape[1] - (torch.diagonal(cov) ** 2).sum() / z.shape[1]
    return sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance


def inputs(gen, case):
    def draw(n, d, dtype=torch.float32, scale=0.7):
        return {
            "z1": torch.randn(n, d, generator=gen, dtype=dtype) * scale,
            "z2": torch.randn(n, d, generator=gen, dtype=dtype) * scale,
        }

    if case == "3 samples, 2-D":
        return draw(3, 2)
    if case == "batch of 16, 8-D":
        return draw(16, 8)
    if case == "wide spread (variance hinge inactive)":
        return draw(12, 4, scale=3.0)
    if case == "custom weights":
        return {**draw(8, 5), "sim_coeff": 1.0, "std_coeff": 1.0, "cov_coeff": 0.04, "gamma_std": 2.0}
    if case == "collapsed batch (all rows equal)":
        row = torch.randn(1, 4, generator=gen)
        return {"z1": row.repeat(6, 1), "z2": row.repeat(6, 1) + 0.1}
    if case == "float64":
        return draw(10, 6, dtype=torch.float64)
    raise ValueError(case)


def _biased(z1, z2, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0, gamma_std=1.0, eps=1e-4):
    n = z1.shape[0]
    scale = (n - 1) / n
    invariance = F.mse_loss(z1, z2)
    variance, covariance = 0.0, 0.0
    for z in (z1, z2):
        variance = variance + F.relu(gamma_std - torch.sqrt(torch.var(z, dim=0) * scale + eps)).mean() / 2
        cov = torch.cov(z.T) * scale
        covariance = covariance + ((cov**2).sum() - (torch.diagonal(cov) ** 2).sum()) / z.shape[1]
    return sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance


def _no_half(z1, z2, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0, gamma_std=1.0, eps=1e-4):
    extra = 0.0
    for z in (z1, z2):
        extra = extra + F.relu(gamma_std - torch.sqrt(torch.var(z, dim=0) + eps)).mean() / 2
    return reference(z1, z2, sim_coeff, std_coeff, cov_coeff, gamma_std, eps) + std_coeff * extra


MISTAKES = {
    "biased variance/covariance (divide by N): VICReg uses the unbiased ones (divide by N - 1)": _biased,
    "the variance term averages the two branches, (v(z1) + v(z2)) / 2, as the official code does": _no_half,
}


def compare_snippet(practice_value, snippet_value, inputs):
    return practice_value, snippet_value["total"]
