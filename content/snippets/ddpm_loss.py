"""DDPM's L_simple (epsilon-prediction MSE), from scratch, against the SNR-weighted x0 loss.

Forward process (Ho et al. 2020): x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, eps ~ N(0, I).
L_simple = E_{t, x0, eps} || eps - eps_theta(x_t, t) ||^2   (here: mean over elements, one t).
Toy eps_theta(x_t, t) = sqrt(1 - abar_t) x_t: the exact posterior mean E[eps | x_t] when the data
is x0 ~ N(0, I), so a "perfect" model for that data still has a nonzero loss on any one sample.
Reference (a second route): with x0_hat = (x_t - sqrt(1 - abar) eps_hat) / sqrt(abar),
||eps - eps_hat||^2 = SNR(t) ||x0 - x0_hat||^2,  SNR(t) = abar_t / (1 - abar_t):
epsilon-prediction is x0-prediction weighted by the signal-to-noise ratio (Kingma et al. 2021).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "SNR(t) * F.mse_loss(x0_hat, x0), the x0-parameterised route"


def example():
    return {"x0": torch.tensor([1.0, -0.5]), "eps": torch.tensor([0.5, 1.0]), "alpha_bar": 0.64}


def problem(rng: random.Random):
    return {
        "x0": torch.tensor([rng.randint(-10, 10) / 10 for _ in range(2)]),
        "eps": torch.tensor([rng.randint(-15, 15) / 10 for _ in range(2)]),
        "alpha_bar": rng.choice([0.36, 0.64]),
    }


def _eps_theta(x_t, alpha_bar):
    return (1 - alpha_bar) ** 0.5 * x_t


def loss(x0, eps, alpha_bar):
    a, s = alpha_bar**0.5, (1 - alpha_bar) ** 0.5
    x_t = a * x0 + s * eps
    eps_hat = _eps_theta(x_t, alpha_bar)
    sq_err = (eps - eps_hat) ** 2
    return {
        "sqrt_alpha_bar_and_sqrt_one_minus": torch.tensor([a, s]),
        "x_t": x_t,
        "eps_hat": eps_hat,
        "squared_error": sq_err,
        "snr": torch.tensor(alpha_bar / (1 - alpha_bar)),
        "value": sq_err.mean(),
    }


def reference(x0, eps, alpha_bar):
    a, s = alpha_bar**0.5, (1 - alpha_bar) ** 0.5
    x_t = a * x0 + s * eps
    x0_hat = (x_t - s * _eps_theta(x_t, alpha_bar)) / a
    return alpha_bar / (1 - alpha_bar) * F.mse_loss(x0_hat, x0)


def mistakes(x0, eps, alpha_bar):
    x_t_nosqrt = alpha_bar * x0 + (1 - alpha_bar) * eps
    a, s = alpha_bar**0.5, (1 - alpha_bar) ** 0.5
    x_t = a * x0 + s * eps
    return {
        "that is the sum over elements; the card asks for the mean": ((eps - _eps_theta(x_t, alpha_bar)) ** 2).sum(),
        "ᾱ and 1 − ᾱ used without square roots in x_t": ((eps - _eps_theta(x_t_nosqrt, alpha_bar)) ** 2).mean(),
        "compared ε̂ with x₀ instead of with ε": ((x0 - _eps_theta(x_t, alpha_bar)) ** 2).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
