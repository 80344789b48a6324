"""v-prediction target, from scratch, against a second route through x_t.

Variance-preserving schedule: alpha_t = sqrt(abar_t), sigma_t = sqrt(1 - abar_t), alpha^2 + sigma^2 = 1,
x_t = alpha_t x0 + sigma_t eps. Salimans & Ho (2022): v = alpha_t eps - sigma_t x0.
Given x_t and v:  x0 = alpha_t x_t - sigma_t v,  eps = sigma_t x_t + alpha_t v  (a rotation).
Reference: v = (alpha_t x_t - x0) / sigma_t, which uses x_t instead of eps.
With SNR = alpha^2 / sigma^2, for any model output converted between parameterisations:
||eps - eps_hat||^2 = SNR ||x0 - x0_hat||^2 and ||v - v_hat||^2 = (1 + SNR) ||x0 - x0_hat||^2,
so the three losses differ only by a t-dependent weight (Salimans & Ho 2022; Kingma et al. 2021).
"""

import random

import torch

REFERENCE = "v = (alpha_t x_t - x0) / sigma_t"


def example():
    return {"x0": torch.tensor(1.0), "eps": torch.tensor(-0.5), "alpha_bar": 0.64}


def problem(rng: random.Random):
    return {
        "x0": torch.tensor(rng.randint(-10, 10) / 10),
        "eps": torch.tensor(rng.randint(-15, 15) / 10),
        "alpha_bar": rng.choice([0.36, 0.64]),
    }


def loss(x0, eps, alpha_bar):
    a, s = alpha_bar**0.5, (1 - alpha_bar) ** 0.5
    x_t = a * x0 + s * eps
    v = a * eps - s * x0
    return {
        "alpha_t_sigma_t": torch.tensor([a, s]),
        "x_t": x_t,
        "x0_recovered": a * x_t - s * v,
        "eps_recovered": s * x_t + a * v,
        "x0_loss_weight_eps_vs_v": torch.tensor([a**2 / s**2, 1 + a**2 / s**2]),  # SNR, 1 + SNR
        "value": v,
    }


def reference(x0, eps, alpha_bar):
    a, s = alpha_bar**0.5, (1 - alpha_bar) ** 0.5
    x_t = a * x0 + s * eps
    return (a * x_t - x0) / s


def mistakes(x0, eps, alpha_bar):
    a, s = alpha_bar**0.5, (1 - alpha_bar) ** 0.5
    return {
        "sign flipped: σ_t x₀ − α_t ε": s * x0 - a * eps,
        "α_t and σ_t swapped: σ_t ε − α_t x₀": s * eps - a * x0,
        "ᾱ used without the square roots": alpha_bar * eps - (1 - alpha_bar) * x0,
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
