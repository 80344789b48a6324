"""Practice task for card 'qr-dqn': QR-DQN's quantile Huber loss."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "quantile_huber_loss"
DOCSTRING = """QR-DQN's quantile Huber loss (Dabney et al. 2018, Algorithm 1).

Args:
    quantiles: (B, N) online estimates theta_i(s, a) at the fixed midpoints tau_i = (2i - 1) / (2N), i = 1..N.
    target_quantiles: (B, M) target samples T theta_j = r + gamma (1 - done) theta_j(s', a*) (constants).
    kappa: the Huber threshold. Default 1.0 (the paper).

Returns:
    A 0-dim tensor with the dtype of quantiles: the MEAN over the batch of
        sum_i mean_j |tau_i - 1{u_ij < 0}| * L_kappa(u_ij) / kappa,     u_ij = T theta_j - theta_i
        L_kappa(u) = u**2 / 2 if |u| <= kappa else kappa (|u| - kappa / 2)
    (a SUM over the N estimates, a MEAN over the M targets; SB3-contrib also means over i).

Checked: values and the gradient w.r.t. quantiles.
"""
REFERENCE = "F.huber_loss(reduction='none') over all (i, j) pairs, weighted by |tau_i - 1{u < 0}|"
CASES = [
    "one state, 2 quantiles",
    "batch of 8, 32 quantiles",
    "errors far beyond kappa",
    "kappa 0.5",
    "5 targets for 3 quantiles",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("quantiles",)


def quantile_huber_loss(quantiles: Tensor, target_quantiles: Tensor, kappa: float = 1.0) -> Tensor:
    n = quantiles.shape[1]
    tau = (2 * torch.arange(n, dtype=quantiles.dtype) + 1) / (2 * n)
    u = target_quantiles[:, None, :] - quantiles[:, :, None]  # (B, i, j)
    huber = torch.where(u.abs() <= kappa, 0.5 * u**2, kappa * (u.abs() - 0.5 * kappa))
    weight = (tau[None, :, None] - (u < 0).to(u.dtype)).abs()
    return (weight * huber / kappa).mean(dim=2).sum(dim=1).mean()


def reference(quantiles, target_quantiles, kappa=1.0):
    b, n = quantiles.shape
    m = target_quantiles.shape[1]
    estimate = quantiles[:, :, None].expand(b, n, m)
    target = target_quantiles[:, None, :].expand(b, n, m)
    huber = F.huber_loss(estimate, target, delta=kappa, reduction="none")
    tau = torch.arange(1, n + 1, dtype=quantiles.dtype).sub(0.5).div(n)[None, :, None]
    weight = torch.where(target - estimate < 0, 1 - tau, tau)
    return (weight * huber / kappa).sum(dim=(1, 2)).div(m).mean()


def inputs(gen, case):
    def draw(b, n, m=None, dtype=torch.float32, scale=1.0):
        return {
            "quantiles": torch.randn(b, n, generator=gen, dtype=dtype).sort(dim=1).values,
            "target_quantiles": torch.randn(b, m or n, generator=gen, dtype=dtype) * scale,
        }

    if case == "one state, 2 quantiles":
        return draw(1, 2)
    if case == "batch of 8, 32 quantiles":
        return draw(8, 32, scale=1.5)
    if case == "errors far beyond kappa":
        return draw(4, 6, scale=10.0)
    if case == "kappa 0.5":
        return {**draw(4, 5), "kappa": 0.5}
    if case == "5 targets for 3 quantiles":
        return draw(3, 3, m=5)
    if case == "float64":
        return draw(6, 8, dtype=torch.float64, scale=2.0)
    raise ValueError(case)


def _sign_flipped(quantiles, target_quantiles, kappa=1.0):
    n = quantiles.shape[1]
    tau = (torch.arange(n, dtype=quantiles.dtype) + 0.5) / n
    u = target_quantiles[:, None, :] - quantiles[:, :, None]
    huber = torch.where(u.abs() <= kappa, 0.5 * u**2, kappa * (u.abs() - 0.5 * kappa))
    weight = (tau[None, :, None] - (u > 0).to(u.dtype)).abs()
    return (weight * huber / kappa).mean(dim=2).sum(dim=1).mean()


MISTAKES = {
    "the weight |tau_i - 1{u < 0}| uses u = target - estimate: over-estimates (u < 0) cost 1 - tau_i": _sign_flipped,
}


def from_snippet(example, snippet):
    return {
        "quantiles": example["quantiles"][None],
        "target_quantiles": example["target_quantiles"][None],
        "kappa": example["kappa"],
    }
