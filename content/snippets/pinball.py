"""Quantile (pinball) loss, from scratch; graded against a brute-force tau-quantile and an
independent algebraic route through torch's L1 loss.

rho_tau(u) = max(tau u, (tau - 1) u),  u = y - y_hat   (Koenker & Bassett, 1978).
Under-prediction (u > 0) costs tau per unit, over-prediction 1 - tau; tau = 0.5 gives MAE / 2.
sklearn: mean_pinball_loss(y, y_hat, alpha=tau) (checked in tests/test_reference_regression.py).

Two graded parts:
- "smallest_minimiser": the smallest constant c that minimises THIS loss over the sample, found
  by brute force over candidate constants with the same function that computes the graded loss.
  The minimiser is not unique when tau n is a whole number: every c between the order statistics
  tau n and tau n + 1 minimises it (the step "minimiser_interval" shows that closed interval,
  one point when the minimiser is unique). Its reference is the tau-quantile read off the sorted
  sample (order statistic ceil(tau n)), a second route that pins the sign convention: with
  u = y_hat - y the brute force lands on the (1 - tau)-quantile instead and the check fails.
- "loss": the mean pinball loss; its reference is the "tilted absolute value" identity
  rho_tau(u) = |u| / 2 + (tau - 1/2) u, i.e. F.l1_loss / 2 + (tau - 1/2) mean(y - y_hat).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "sorted-sample tau-quantile (order statistic) for the smallest minimiser; F.l1_loss/2 + (tau-1/2)*mean(y-y_hat) for the loss"


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
        "tau": rng.choice([0.1, 0.25, 0.75, 0.9]),
    }


def _per_element(y, y_hat, tau):
    u = y - y_hat
    return torch.maximum(tau * u, (tau - 1) * u)


def _brute_force_minimisers(y, tau, per_element_fn):
    """The sample points where the mean loss is smallest (the least and the greatest end the interval of minimisers)."""
    y64 = y.double()
    costs = torch.stack([per_element_fn(y64, c.expand_as(y64), tau).mean() for c in y64])
    return y64[costs <= costs.min() + 1e-9]


def loss(y, y_hat, tau=0.5):
    u = y - y_hat
    per_element = _per_element(y, y_hat, tau)
    # Brute force: the mean pinball loss is piecewise linear and convex in a constant c, so its
    # minimisers are a closed interval whose ends are sample points; the value part is the smallest.
    minimisers = _brute_force_minimisers(y, tau, _per_element)
    smallest = minimisers.min().float()
    return {
        "u": u,
        "under_predicted": (u > 0).float(),
        "per_element": per_element,
        "loss": per_element.mean(),
        "minimiser_interval": torch.stack([minimisers.min(), minimisers.max()]).float(),
        "smallest_minimiser": smallest,
        "value": {"loss": per_element.mean(), "smallest_minimiser": smallest},
    }


def reference(y, y_hat, tau=0.5):
    k = math.ceil(tau * y.numel())
    tilted = 0.5 * F.l1_loss(y_hat, y) + (tau - 0.5) * (y - y_hat).mean()
    return {"loss": tilted, "smallest_minimiser": y.sort().values[k - 1]}


def mistakes(y, y_hat, tau=0.5):
    u = y - y_hat
    right_min = loss(y, y_hat, tau)["smallest_minimiser"]
    flipped = torch.maximum(tau * -u, (tau - 1) * -u)  # u = y_hat - y: tau and 1 - tau swapped
    return {
        "residual taken as y_hat - y: that swaps the costs of under- and over-prediction": {
            "loss": flipped.mean(),
            "smallest_minimiser": loss(y_hat, y, tau)["smallest_minimiser"] * 0 + y.double().quantile(1 - tau, interpolation="higher").float(),
        },
        "that is the sum over elements; the card asks for the mean": {
            "loss": torch.maximum(tau * u, (tau - 1) * u).sum(),
            "smallest_minimiser": right_min,
        },
    }


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
