"""Log-cosh regression loss, from scratch (stable form), against float64 log(cosh(r)).

l(r) = log cosh(r),  r = y - y_hat, mean over elements.
Small |r|: log cosh r ~ r^2 / 2 (like MSE/2, i.e. Huber's quadratic zone with delta = 1);
large |r|: log cosh r ~ |r| - log 2 (like MAE). Gradient tanh(r): bounded by 1, like Huber's,
but smooth everywhere (infinitely differentiable), which second-order methods (XGBoost's Newton
steps) need: Huber's second derivative jumps at |r| = delta.
Stable form: log cosh r = |r| + softplus(-2|r|) - log 2 (cosh overflows in float32 beyond |r| ~ 89).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.log(torch.cosh(r)) in float64"


def example():
    return {"y": torch.tensor([0.0, 1.0, 2.0, 10.0]), "y_hat": torch.tensor([0.5, 0.0, 2.0, 0.0])}


def problem(rng: random.Random):
    n = 3
    return {
        "y": torch.tensor([float(rng.randint(-3, 3)) for _ in range(n)]),
        "y_hat": torch.tensor([rng.randint(-30, 30) / 10 for _ in range(n)]),
    }


def loss(y, y_hat):
    r = y - y_hat
    a = r.abs()
    per_element = a + F.softplus(-2 * a) - math.log(2)
    return {
        "residual": r,
        "per_element": per_element,
        "half_r_sq": 0.5 * r**2,  # the small-|r| limit
        "abs_minus_log2": a - math.log(2),  # the large-|r| limit
        "grad_y_hat": -torch.tanh(r) / r.numel(),
        "value": per_element.mean(),
    }


def reference(y, y_hat):
    r = (y - y_hat).double()
    return torch.log(torch.cosh(r)).mean().float()


def plot():
    r = torch.linspace(-4.0, 4.0, 161)
    return {
        "title": "log-cosh between MSE/2 and MAE",
        "x_label": "residual r",
        "y_label": "loss per element",
        "series": [
            {"name": "log cosh r", "x": r.tolist(), "y": torch.log(torch.cosh(r)).tolist()},
            {"name": "r^2 / 2", "x": r.tolist(), "y": (0.5 * r**2).tolist()},
            {"name": "|r| - log 2", "x": r.tolist(), "y": (r.abs() - math.log(2)).tolist()},
        ],
        "y_lim": [0.0, 4.0],
        "note": "Quadratic near 0, linear with slope 1 far out: a smooth Huber with delta = 1.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
