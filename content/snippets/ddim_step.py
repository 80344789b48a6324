"""One deterministic DDIM step (eta = 0), against the Euler step of the DDIM ODE.

Song, Meng & Ermon (2021), Eq. 12 with sigma_t = 0:
    x0_hat = (x_t - sqrt(1 - abar_t) eps_hat) / sqrt(abar_t)            (predicted x0)
    x_prev = sqrt(abar_prev) x0_hat + sqrt(1 - abar_prev) eps_hat        (re-noise with the SAME eps)
eta in [0, 1] adds fresh noise of std sigma_t(eta) = eta sqrt((1 - abar_prev)/(1 - abar_t)) sqrt(1 - abar_t/abar_prev)
and shrinks the eps coefficient to sqrt(1 - abar_prev - sigma^2); eta = 1 gives sigma^2 = beta~_t, the DDPM
posterior variance. The same trained eps-model serves both samplers: DDIM changes sampling, not training.
Reference (a second route, Song et al. Eq. 14): in xbar = x / sqrt(abar) and s = sqrt((1 - abar) / abar),
DDIM is exactly one Euler step of d xbar = eps_theta ds:  xbar_prev = xbar_t + (s_prev - s_t) eps_hat.
"""

import random

import torch

REFERENCE = "Euler step of d(x/sqrt(abar)) = eps d(sqrt((1 - abar)/abar))  (Song et al. 2021, Eq. 14)"


def example():
    return {"x_t": torch.tensor([0.6, -1.2]), "eps_hat": torch.tensor([1.0, -0.5]), "alpha_bar_t": 0.36,
            "alpha_bar_prev": 0.64}


def problem(rng: random.Random):
    return {
        "x_t": torch.tensor([rng.choice([-1.2, -0.6, 0.6, 1.2, 1.8, -1.8]) for _ in range(2)]),
        "eps_hat": torch.tensor([rng.randint(-10, 10) / 5 for _ in range(2)]),
        "alpha_bar_t": 0.36,
        "alpha_bar_prev": 0.64,
    }


def loss(x_t, eps_hat, alpha_bar_t, alpha_bar_prev):
    x0_hat = (x_t - (1 - alpha_bar_t) ** 0.5 * eps_hat) / alpha_bar_t**0.5
    x_prev = alpha_bar_prev**0.5 * x0_hat + (1 - alpha_bar_prev) ** 0.5 * eps_hat
    sigma_eta1 = ((1 - alpha_bar_prev) / (1 - alpha_bar_t) * (1 - alpha_bar_t / alpha_bar_prev)) ** 0.5
    return {
        "x0_hat": x0_hat,
        "x_prev": x_prev,
        "sigma_at_eta_1_equals_sqrt_beta_tilde": torch.tensor(sigma_eta1),
        "value": x_prev[0],
    }


def reference(x_t, eps_hat, alpha_bar_t, alpha_bar_prev):
    s_t = ((1 - alpha_bar_t) / alpha_bar_t) ** 0.5
    s_prev = ((1 - alpha_bar_prev) / alpha_bar_prev) ** 0.5
    xbar_prev = x_t / alpha_bar_t**0.5 + (s_prev - s_t) * eps_hat
    return (alpha_bar_prev**0.5 * xbar_prev)[0]


def mistakes(x_t, eps_hat, alpha_bar_t, alpha_bar_prev):
    x0_hat = (x_t - (1 - alpha_bar_t) ** 0.5 * eps_hat) / alpha_bar_t**0.5
    return {
        "that is x0_hat, the predicted clean sample, not x_{t-1}": x0_hat[0],
        "sqrt dropped: abar used where sqrt(abar) belongs": (
            alpha_bar_prev * (x_t - (1 - alpha_bar_t) * eps_hat) / alpha_bar_t + (1 - alpha_bar_prev) * eps_hat)[0],
        "re-noised with -eps (sign flipped)": (alpha_bar_prev**0.5 * x0_hat - (1 - alpha_bar_prev) ** 0.5 * eps_hat)[0],
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
