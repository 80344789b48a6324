"""The ELBO identity log p(x) = ELBO + KL(q(z|x) || p(z|x)), checked on a model with closed forms.

Model (1-D linear Gaussian): prior p(z) = N(0, 1), decoder p(x|z) = N(z, sigma_x^2), so the
evidence is p(x) = N(0, 1 + sigma_x^2) and the true posterior is
p(z|x) = N(x / (1 + sigma_x^2), sigma_x^2 / (1 + sigma_x^2)).
Encoder q(z|x) = N(mu, exp(logvar)).
ELBO = E_q[log p(x|z)] - KL(q(z|x) || p(z))        (Kingma & Welling 2014; the VAE loss is -ELBO)
     = -1/2 log(2 pi sigma_x^2) - ((x - mu)^2 + var) / (2 sigma_x^2) - KL(q || N(0, 1)).
The gap log p(x) - ELBO is KL(q || true posterior) >= 0: zero iff q is the true posterior.
The reference is the evidence itself, log N(x; 0, 1 + sigma_x^2), by torch.distributions.
"""

import math
import random

import torch
from torch.distributions import Normal

REFERENCE = "torch.distributions.Normal(0, sqrt(1 + sigma_x^2)).log_prob(x)"


def _kl_gauss(m1, v1, m2, v2):
    return 0.5 * (torch.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1)


def example():
    return {"x": torch.tensor(1.5), "mu": torch.tensor(0.5), "logvar": torch.tensor(-1.0), "sigma_x": 0.5}


def problem(rng: random.Random):
    return {
        "x": torch.tensor(rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])),
        "mu": torch.tensor(rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0])),
        "logvar": torch.tensor(rng.choice([-2.0, -1.0, 0.0])),
        "sigma_x": rng.choice([0.5, 1.0, 2.0]),
    }


def loss(x, mu, logvar, sigma_x):
    var = logvar.exp()
    recon = -0.5 * math.log(2 * math.pi * sigma_x**2) - ((x - mu) ** 2 + var) / (2 * sigma_x**2)
    kl_prior = _kl_gauss(mu, var, torch.tensor(0.0), torch.tensor(1.0))
    elbo = recon - kl_prior
    post_mean, post_var = x / (1 + sigma_x**2), torch.tensor(sigma_x**2 / (1 + sigma_x**2))
    gap = _kl_gauss(mu, var, post_mean, post_var)
    return {
        "expected_log_likelihood": recon,   # "reconstruction": E_q log p(x|z), not just an MSE
        "kl_q_to_prior": kl_prior,          # KL of the APPROXIMATE posterior q(z|x) to p(z)
        "elbo": elbo,
        "true_posterior_mean_var": torch.stack([post_mean, post_var]),
        "gap_kl_q_to_true_posterior": gap,  # >= 0, so ELBO <= log p(x)
        "value": elbo + gap,
    }


def reference(x, mu, logvar, sigma_x):
    return Normal(0.0, math.sqrt(1 + sigma_x**2)).log_prob(x)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
