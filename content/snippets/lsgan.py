"""Least-squares GAN (Mao et al. 2017), the 0-1 coding used in practice.

D outputs a raw score (no sigmoid). With labels a = 0 (fake), b = 1 (real), c = 1 (what G wants):
    L_D = 1/2 mean (D(x_real) - 1)^2 + 1/2 mean D(x_fake)^2
    L_G = 1/2 mean (D(x_fake) - 1)^2
(Mao et al. 2017, Eq. 2 and Eq. 9.) Fakes far on the correct side of the boundary are still
penalised, which keeps G's gradient alive. The coding a = -1, b = 1, c = 0 (Eq. 8) makes the
optimum minimise the Pearson chi^2 divergence between p_data + p_g and 2 p_g.
Reference: torch.nn.functional.mse_loss against constant targets, times 1/2.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "0.5 * F.mse_loss against targets 1 (real) and 0 (fake); G: 0.5 * F.mse_loss(D_fake, 1)"


def example():
    return {"d_real": torch.tensor([0.8, 1.5]), "d_fake": torch.tensor([0.2, -0.5])}


def problem(rng: random.Random):
    def scores():
        return [rng.randint(-10, 20) / 10 for _ in range(2)]

    return {"d_real": torch.tensor(scores()), "d_fake": torch.tensor(scores())}


def loss(d_real, d_fake):
    real_sq = (d_real - 1) ** 2
    fake_sq = d_fake**2
    return {
        "squared_error_real_vs_1": real_sq,
        "squared_error_fake_vs_0": fake_sq,
        "value": {"d_loss": 0.5 * real_sq.mean() + 0.5 * fake_sq.mean(), "g_loss": 0.5 * ((d_fake - 1) ** 2).mean()},
    }


def reference(d_real, d_fake):
    return {
        "d_loss": 0.5 * F.mse_loss(d_real, torch.ones_like(d_real)) + 0.5 * F.mse_loss(d_fake, torch.zeros_like(d_fake)),
        "g_loss": 0.5 * F.mse_loss(d_fake, torch.ones_like(d_fake)),
    }


def mistakes(d_real, d_fake):
    right = loss(d_real, d_fake)["value"]
    return {
        "missing the 1/2 factors": {k: 2 * v for k, v in right.items()},
        "targets swapped: real -> 0, fake -> 1": {
            "d_loss": 0.5 * (d_real**2).mean() + 0.5 * ((d_fake - 1) ** 2).mean(), "g_loss": 0.5 * (d_fake**2).mean()},
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
