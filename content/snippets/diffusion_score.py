"""What eps-prediction learns: the score of the NOISED marginal, eps* = -sqrt(1 - abar) grad log p_t.

Data x0 ~ N(m, s^2) (1-D), x_t = sqrt(abar) x0 + sqrt(1 - abar) eps. Then the noised marginal is
p_t = N(sqrt(abar) m, abar s^2 + 1 - abar), and the MSE-optimal predictor is the posterior mean
E[eps | x_t] = sqrt(1 - abar) (x_t - sqrt(abar) m) / (abar s^2 + 1 - abar)   (Gaussian conditioning).
Tweedie / denoising score matching (Vincent 2011; Song et al. 2021):
E[eps | x_t] = -sqrt(1 - abar) * grad_{x_t} log p_t(x_t).
The reference computes the right-hand side: autograd of torch.distributions.Normal.log_prob of
the noised marginal. The data score -(x - m)/s^2 differs unless abar -> 1 (t -> 0).
"""

import random

import torch
from torch.distributions import Normal

REFERENCE = "-sqrt(1 - abar) * autograd of Normal(sqrt(abar) m, sqrt(abar s^2 + 1 - abar)).log_prob(x_t)"


def example():
    return {"x_t": torch.tensor([0.5, 2.0]), "alpha_bar": 0.64, "data_mean": 1.0, "data_std": 0.5}


def problem(rng: random.Random):
    return {
        "x_t": torch.tensor([rng.randint(-20, 20) / 10 for _ in range(2)]),
        "alpha_bar": rng.choice([0.1, 0.36, 0.64, 0.9, 0.99]),
        "data_mean": rng.choice([-1.0, 0.0, 1.0, 2.0]),
        "data_std": rng.choice([0.2, 0.5, 1.0, 2.0]),
    }


def loss(x_t, alpha_bar, data_mean, data_std):
    a, s = alpha_bar**0.5, (1 - alpha_bar) ** 0.5
    mean_t, var_t = a * data_mean, alpha_bar * data_std**2 + 1 - alpha_bar
    score_t = -(x_t - mean_t) / var_t
    return {
        "noised_marginal_mean_var": torch.tensor([mean_t, var_t]),
        "score_of_noised_marginal": score_t,
        "data_score_at_same_x": -(x_t - data_mean) / data_std**2,  # not what is learned at this t
        "value": s * (x_t - mean_t) / var_t,  # E[eps | x_t], by Gaussian conditioning
    }


def reference(x_t, alpha_bar, data_mean, data_std):
    a, s = alpha_bar**0.5, (1 - alpha_bar) ** 0.5
    p_t = Normal(a * data_mean, (alpha_bar * data_std**2 + 1 - alpha_bar) ** 0.5)
    x = x_t.clone().requires_grad_(True)
    (score,) = torch.autograd.grad(p_t.log_prob(x).sum(), x)
    return -s * score


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
