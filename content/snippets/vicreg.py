"""VICReg loss (Bardes, Ponce & LeCun, 2022), from scratch, against a second route
(F.mse_loss, per-dimension torch.var, torch.cov with a loop over off-diagonal pairs).

Convention of the official code (facebookresearch/vicreg, main_vicreg.py), Z, Z' of shape N x D:
  invariance s = mean over N*D of (z - z')^2                                    (F.mse_loss)
  variance   v = 1/2 [ mean_j relu(gamma - S(Z_j)) + mean_j relu(gamma - S(Z'_j)) ],
               S = sqrt(Var_unbiased + eps)  -- a hinge on each dimension's std over the BATCH
  covariance c = sum_{i != j} C(Z)_ij^2 / D + same for Z',  C = centred Z^T Z / (N - 1)
  total = lambda s + mu v + nu c,  lambda = mu = 25, nu = 1, gamma = 1, eps = 1e-4.
Inputs: sim_coeff = lambda, std_coeff = mu, cov_coeff = nu (the official code's names) and
gamma_std = gamma (the target std), so they do not clash with the deck's mu (a mean) or gamma
(a discount).
The paper's equations write mu [v(Z) + v(Z')] (no 1/2) and s as a per-sample squared distance
(summed over D); the code averages. The values below are the UNWEIGHTED parts plus the total.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.mse_loss + per-dimension torch.var + torch.cov with an off-diagonal loop"


def example():
    return {
        "z1": torch.tensor([[0.0, 1.0], [0.5, 1.0], [1.0, 3.0]]),
        "z2": torch.tensor([[0.2, 1.0], [0.4, 2.0], [1.0, 3.0]]),
        "sim_coeff": 25.0, "std_coeff": 25.0, "cov_coeff": 1.0, "gamma_std": 1.0, "eps": 1e-4,
    }


def _column(rng):
    # centre +- s: unbiased variance s^2, so each std is s (up to eps) -- workable by hand
    m, s = rng.randint(-10, 10) / 10, rng.choice([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.5])
    values = [m - s, m, m + s]
    rng.shuffle(values)
    return values


def problem(rng: random.Random):
    def batch():
        cols = [_column(rng) for _ in range(2)]
        return torch.tensor([[cols[0][i], cols[1][i]] for i in range(3)])

    return {"z1": batch(), "z2": batch(),
            "sim_coeff": 25.0, "std_coeff": 25.0, "cov_coeff": 1.0, "gamma_std": 1.0, "eps": 1e-4}


def _var_cov(z, gamma_std, eps):
    n, d = z.shape
    centred = z - z.sum(dim=0) / n
    cov = centred.T @ centred / (n - 1)
    std = torch.sqrt(torch.diagonal(cov) + eps)
    hinge = torch.clamp(gamma_std - std, min=0)
    off = cov - torch.diag(torch.diagonal(cov))
    return std, hinge, (off**2).sum() / d


def loss(z1, z2, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0, gamma_std=1.0, eps=1e-4):
    invariance = ((z1 - z2) ** 2).sum() / z1.numel()
    std1, hinge1, cov1 = _var_cov(z1, gamma_std, eps)
    std2, hinge2, cov2 = _var_cov(z2, gamma_std, eps)
    variance = (hinge1.mean() + hinge2.mean()) / 2
    covariance = cov1 + cov2
    return {
        "std_z1": std1,
        "std_z2": std2,
        "hinge_z1": hinge1,
        "hinge_z2": hinge2,
        "offdiag_cov_z1": cov1,
        "offdiag_cov_z2": cov2,
        "value": {
            "invariance": invariance,
            "variance": variance,
            "covariance": covariance,
            "total": sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance,
        },
    }


def reference(z1, z2, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0, gamma_std=1.0, eps=1e-4):
    invariance = F.mse_loss(z1, z2)
    variance, covariance = 0.0, 0.0
    for z in (z1, z2):
        d = z.shape[1]
        stds = [torch.sqrt(torch.var(z[:, j]) + eps) for j in range(d)]
        variance = variance + sum(max(0.0, gamma_std - s.item()) for s in stds) / d / 2
        cov = torch.cov(z.T)
        covariance = covariance + sum(cov[i, j] ** 2 for i in range(d) for j in range(d) if i != j) / d
    variance = torch.tensor(variance)
    return {
        "invariance": invariance,
        "variance": variance,
        "covariance": covariance,
        "total": sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance,
    }


def mistakes(z1, z2, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0, gamma_std=1.0, eps=1e-4):
    right = loss(z1, z2, sim_coeff, std_coeff, cov_coeff, gamma_std, eps)["value"]

    def variance(fn):
        return {**right, "variance": (fn(z1) + fn(z2)) / 2}

    biased = lambda z: torch.clamp(gamma_std - torch.sqrt(z.var(0, unbiased=False) + eps), min=0).mean()
    on_var = lambda z: torch.clamp(gamma_std - (z.var(0) + eps), min=0).mean()
    return {
        "that used the biased variance (÷ N); the official code's torch.var divides by N − 1": variance(biased),
        "the hinge is on the standard deviation √(Var + ε), not on the variance": variance(on_var),
        "that is twice the answer: VICReg takes the mean over dimensions and averages the two branches": {
            **right, "variance": 2 * right["variance"]},
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
