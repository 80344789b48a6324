"""Maximum mean discrepancy with a Gaussian kernel (Gretton et al., 2012), from scratch (pair
loops), against the kernel-matrix route via torch.cdist.

MMD^2(P, Q) = E k(x, x') + E k(y, y') - 2 E k(x, y) = ||mu_P - mu_Q||^2 in the kernel's feature
space; for a characteristic kernel (Gaussian k(a, b) = exp(-||a - b||^2 / (2 sigma^2))) it is 0
iff P = Q. Estimators from samples x_1..x_n, y_1..y_m:
    unbiased  MMD^2_u = sum_{i != j} k(x_i,x_j)/(n(n-1)) + sum_{i != j} k(y_i,y_j)/(m(m-1)) - 2 sum_ij k(x_i,y_j)/(nm)
    biased    MMD^2_b = the same with the diagonal terms included and /n^2, /m^2 (a V-statistic, >= 0)
MMD^2_u can be slightly negative when P = Q. Uses: two-sample tests, the MMD-VAE / InfoVAE prior
matching term, MMD-GAN, domain adaptation; the bandwidth (median heuristic) matters a lot.
The reference also checks MMD^2_b against random Fourier features (the feature-space view).
"""

import random

import torch

REFERENCE = "kernel matrices from torch.cdist: block means (biased), off-diagonal sums (unbiased)"
TOLERANCE = {"rtol": 1e-4, "atol": 1e-6}


def example():
    return {"x": torch.tensor([[0.0], [1.0], [2.0]], dtype=torch.float64),
            "y": torch.tensor([[1.0], [3.0], [4.0]], dtype=torch.float64), "sigma": 1.0}


def problem(rng: random.Random):
    def sample(shift):
        return torch.tensor([[rng.randint(-4, 4) / 2 + shift, rng.randint(-4, 4) / 2] for _ in range(3)],
                            dtype=torch.float64)
    return {"x": sample(0.0), "y": sample(rng.choice([0.0, 0.5, 1.0, 2.0])), "sigma": rng.choice([0.5, 1.0, 2.0])}


def _k(a, b, sigma):
    return torch.exp(-((a - b) ** 2).sum() / (2 * sigma**2))


def loss(x, y, sigma=1.0):
    n, m = len(x), len(y)
    kxx = sum(_k(x[i], x[j], sigma) for i in range(n) for j in range(n) if i != j)
    kyy = sum(_k(y[i], y[j], sigma) for i in range(m) for j in range(m) if i != j)
    kxy = sum(_k(x[i], y[j], sigma) for i in range(n) for j in range(m))
    unbiased = kxx / (n * (n - 1)) + kyy / (m * (m - 1)) - 2 * kxy / (n * m)
    biased = (kxx + n) / n**2 + (kyy + m) / m**2 - 2 * kxy / (n * m)  # k(a, a) = 1 on the diagonal
    return {
        "mean_k_xx_offdiag": kxx / (n * (n - 1)),
        "mean_k_yy_offdiag": kyy / (m * (m - 1)),
        "mean_k_xy": kxy / (n * m),
        "value": {"mmd2_unbiased": unbiased, "mmd2_biased": biased},
    }


def _gram(a, b, sigma):
    return torch.exp(-torch.cdist(a, b) ** 2 / (2 * sigma**2))


def reference(x, y, sigma=1.0):
    kxx, kyy, kxy = _gram(x, x, sigma), _gram(y, y, sigma), _gram(x, y, sigma)
    n, m = len(x), len(y)
    biased = kxx.mean() + kyy.mean() - 2 * kxy.mean()
    unbiased = ((kxx.sum() - kxx.trace()) / (n * (n - 1)) + (kyy.sum() - kyy.trace()) / (m * (m - 1))
                - 2 * kxy.mean())
    # the biased estimate is ||mean phi(x) - mean phi(y)||^2 in feature space: check it with
    # 20k random Fourier features (Rahimi & Recht), a Monte Carlo route, to 0.05
    gen = torch.Generator().manual_seed(0)
    omega = torch.randn(x.shape[1], 20_000, generator=gen, dtype=x.dtype) / sigma
    phase = 2 * torch.pi * torch.rand(20_000, generator=gen, dtype=x.dtype)
    phi = lambda a: torch.cos(a @ omega + phase) * (2 / 20_000) ** 0.5
    rff = ((phi(x).mean(0) - phi(y).mean(0)) ** 2).sum()
    assert abs(float(rff - biased)) < 0.05 and float(biased) >= -1e-12
    return {"mmd2_unbiased": unbiased, "mmd2_biased": biased}


def mistakes(x, y, sigma=1.0):
    right = reference(x, y, sigma)
    kxy = _gram(x, y, sigma).mean()
    return {
        "the cross term has a factor 2: MMD² = E k(x,x') + E k(y,y') − 2 E k(x,y)": {
            **right, "mmd2_unbiased": right["mmd2_unbiased"] + kxy},
        "the unbiased estimator leaves out the diagonal k(x_i, x_i) terms (that is the biased one)": {
            **right, "mmd2_unbiased": right["mmd2_biased"]},
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
