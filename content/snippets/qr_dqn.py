"""QR-DQN quantile Huber loss, from scratch (broadcast over pairs), against an explicit loop.

N quantile estimates theta_i(s, a) at the fixed midpoints tau^_i = (2i - 1) / (2N), i = 1..N.
Target samples T theta_j = r + gamma (1 - done) theta_j(s', a*) from the target net (given here).
For each pair, u_ij = T theta_j - theta_i and
    rho_tau^kappa(u) = |tau - 1{u < 0}| L_kappa(u) / kappa,
    L_kappa(u) = u^2 / 2 if |u| <= kappa else kappa (|u| - kappa / 2),   kappa = 1.
Loss = sum_i mean_j rho_{tau^_i}(u_ij)  (Dabney et al., 2018, Algorithm 1; SB3-contrib's QR-DQN
calls quantile_huber_loss with sum_over_quantiles=True, the same convention). Averaging over i as
well (sum_over_quantiles=False, as SB3-contrib's TQC critic does) gives this value / N.
kappa -> 0 recovers the pinball loss; the Huber part keeps the gradient smooth near u = 0.
"""

import random

import torch

REFERENCE = "double loop over (quantile i, target j) with explicit cases"


def example():
    return {
        "quantiles": torch.tensor([-1.0, 0.0, 0.5, 2.0]),
        "target_quantiles": torch.tensor([0.0, 1.0, 3.0, 0.5]),
        "kappa": 1.0,
    }


def problem(rng: random.Random):
    return {
        "quantiles": torch.tensor(sorted(rng.randint(-4, 4) / 2 for _ in range(2))),
        "target_quantiles": torch.tensor([rng.randint(-4, 4) / 2 for _ in range(2)]),
        "kappa": 1.0,
    }


def loss(quantiles, target_quantiles, kappa=1.0):
    n = len(quantiles)
    tau_hat = (2 * torch.arange(1, n + 1, dtype=torch.float32) - 1) / (2 * n)
    u = target_quantiles[None, :] - quantiles[:, None]  # rows i (estimate), columns j (target)
    huber = torch.where(u.abs() <= kappa, 0.5 * u**2, kappa * (u.abs() - 0.5 * kappa))
    weight = (tau_hat[:, None] - (u < 0).float()).abs()  # asymmetric: tau^ above, 1 - tau^ below
    per_pair = weight * huber / kappa
    per_quantile = per_pair.mean(dim=1)
    return {
        "tau_hat": tau_hat,
        "u_target_minus_estimate": u,
        "huber": huber,
        "weight": weight,
        "per_quantile": per_quantile,
        "mean_over_i_too_is_1_over_N": per_quantile.mean(),
        "value": per_quantile.sum(),
    }


def reference(quantiles, target_quantiles, kappa=1.0):
    n, m = len(quantiles), len(target_quantiles)
    total = 0.0
    for i in range(n):
        tau = (2 * (i + 1) - 1) / (2 * n)
        for j in range(m):
            u = float(target_quantiles[j]) - float(quantiles[i])
            h = 0.5 * u * u if abs(u) <= kappa else kappa * (abs(u) - 0.5 * kappa)
            w = tau if u >= 0 else 1 - tau
            total += w * h / kappa / m
    return torch.tensor(total)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
