"""SAC's tanh-squashed Gaussian log-probability, from scratch, against torch.distributions.

SAC samples u = mu + sigma * eps (eps ~ N(0, I), reparameterised) and acts a = tanh(u), so
actions stay in (-1, 1). The density changes by the Jacobian of tanh (Haarnoja et al., 2018b,
Appendix C):
    log pi(a|s) = log mu(u|s) - sum_i log(1 - tanh(u_i)^2)
Without the correction log pi is wrong by a term that grows as |u| grows, and the entropy
bonus pushes u to +-infinity (actions saturate at the bounds). Implementations compute the
correction stably: log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)) (Spinning Up); SB3 and
CleanRL use log(1 - tanh(u)^2 + 1e-6). An action scale c (a = c tanh u) also subtracts sum log c.
The value is log pi(a|s) summed over the action dimensions.
Reference: TransformedDistribution(Normal(mu, sigma), TanhTransform()).log_prob(a).sum().
"""

import math
import random

import torch
import torch.nn.functional as F
from torch.distributions import Normal, TransformedDistribution
from torch.distributions.transforms import TanhTransform

REFERENCE = "TransformedDistribution(Normal(mu, std), TanhTransform()).log_prob(tanh(u)).sum()"


def example():
    return {"mu": torch.tensor([0.5, -1.0]), "log_std": torch.tensor([0.0, -0.5]), "noise": torch.tensor([1.0, 0.5])}


def problem(rng: random.Random):
    d = 2
    return {
        "mu": torch.tensor([rng.randint(-3, 3) / 2 for _ in range(d)]),
        "log_std": torch.tensor([rng.choice([-1.0, -0.5, 0.0]) for _ in range(d)]),
        "noise": torch.tensor([rng.randint(-4, 4) / 4 for _ in range(d)]),
    }


def loss(mu, log_std, noise):
    std = log_std.exp()
    u = mu + std * noise
    log_mu = (-0.5 * noise**2 - log_std - 0.5 * math.log(2 * math.pi)).sum()  # (u - mu)/std = noise
    correction = (2 * (math.log(2) - u - F.softplus(-2 * u))).sum()  # = sum log(1 - tanh(u)^2)
    return {
        "u_pre_tanh": u,
        "action_tanh_u": torch.tanh(u),
        "log_mu_u": log_mu,
        "sum_log_1_minus_tanh2": correction,
        "value": log_mu - correction,
    }


def mistakes(mu, log_std, noise):
    out = loss(mu, log_std, noise)
    return {
        "forgot the tanh correction: log pi(a) = log mu(u) - sum log(1 - tanh^2 u)": out["log_mu_u"],
        "the correction is subtracted, not added": out["log_mu_u"] + out["sum_log_1_minus_tanh2"],
    }


def reference(mu, log_std, noise):
    dist = TransformedDistribution(Normal(mu.double(), log_std.double().exp()), TanhTransform())
    u = mu.double() + log_std.double().exp() * noise.double()
    return dist.log_prob(torch.tanh(u)).sum().float()


def plot():
    """The log-density correction -log(1 - tanh(u)^2) over the pre-tanh sample u."""
    u = torch.linspace(-3.0, 3.0, 121)
    return {
        "title": "Tanh-squash correction added to log pi: -log(1 - tanh(u)^2)",
        "x_label": "pre-tanh sample u",
        "y_label": "-log(1 - tanh(u)^2)",
        "series": [{"name": "-log(1 - tanh^2 u)", "x": u.tolist(), "y": (-2 * (math.log(2) - u - F.softplus(-2 * u))).tolist()}],
        "note": "Saturated actions (|u| large) get a large log pi: without the correction the entropy "
        "bonus would reward saturating every action at the bound.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
