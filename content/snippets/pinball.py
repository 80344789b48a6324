"""Quantile (pinball) loss, from scratch, with a brute-force check of its minimiser.

rho_tau(u) = max(tau u, (tau - 1) u),  u = y - y_hat   (Koenker & Bassett, 1978).
Under-prediction (u > 0) costs tau per unit, over-prediction 1 - tau; tau = 0.5 gives MAE / 2.
The constant prediction that minimises the mean pinball loss over a sample is its tau-quantile.
No torch built-in exists, so the reference is a second route: the indicator form
u (tau - 1{u < 0}) for the loss, and a brute-force search over candidate constants for the
minimiser, compared with the sorted sample's ceil(tau n)-th element.
"""

import math
import random

import torch

REFERENCE = "indicator form u(tau - 1{u<0}); brute-force argmin vs sorted sample"


def example():
    return {
        "y": torch.tensor([1.0, 2.0, 3.0, 4.0, 10.0]),
        "y_hat": torch.tensor([2.0, 2.0, 2.0, 2.0, 2.0]),
        "tau": 0.9,
    }


def problem(rng: random.Random):
    n = 4
    c = float(rng.randint(0, 4))
    return {
        "y": torch.tensor([float(rng.randint(0, 6)) for _ in range(n)]),
        "y_hat": torch.full((n,), c),
        "tau": rng.choice([0.1, 0.25, 0.5, 0.75, 0.9]),
    }


def _mean_pinball(y, c, tau):
    u = y - c
    return torch.maximum(tau * u, (tau - 1) * u).mean()


def loss(y, y_hat, tau=0.5):
    u = y - y_hat
    per_element = torch.maximum(tau * u, (tau - 1) * u)
    # Brute force: the mean pinball loss is piecewise linear and convex in a constant c, so its
    # minimum is attained at a sample point; take the smallest minimiser.
    y64 = y.double()
    costs = torch.stack([_mean_pinball(y64, c, tau) for c in y64])
    best = costs.min()
    minimiser = y64[costs <= best + 1e-9].min()
    return {
        "u": u,
        "under_predicted": (u > 0).float(),
        "per_element": per_element,
        "loss": per_element.mean(),
        "minimiser": minimiser.float(),
        "value": {"loss": per_element.mean(), "minimiser": minimiser.float()},
    }


def reference(y, y_hat, tau=0.5):
    u = y - y_hat
    indicator = (u < 0).float()
    k = math.ceil(tau * y.numel())
    return {"loss": (u * (tau - indicator)).mean(), "minimiser": y.sort().values[k - 1]}


def plot():
    """The pinball loss for three quantiles over the residual u = y - y_hat."""
    u = torch.linspace(-3.0, 3.0, 241)
    series = [
        {"name": f"pinball (tau={tau})", "x": u.tolist(), "y": torch.maximum(tau * u, (tau - 1) * u).tolist()}
        for tau in (0.1, 0.5, 0.9)
    ]
    return {
        "title": "Pinball loss over the residual, three quantiles",
        "x_label": "residual u = y - y_hat",
        "y_label": "loss per element",
        "series": series,
        "note": "tau = 0.9: under-predicting (u > 0) costs 9x more than over-predicting, "
        "so the minimiser moves up to the 90th percentile. tau = 0.5 is MAE / 2.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
