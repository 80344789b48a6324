"""Huber loss, from scratch, against torch.nn.functional.huber_loss.

L_delta(r) = 0.5 r^2            if |r| <= delta
           = delta (|r| - delta/2) otherwise,   r = y - y_hat, mean over elements.
PyTorch default delta = 1.0; HuberLoss(delta) == delta * SmoothL1Loss(beta=delta).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.huber_loss"


def example():
    return {
        "y": torch.tensor([1.0, 2.0, 3.0, 4.0]),
        "y_hat": torch.tensor([1.5, 2.0, 0.0, 4.2]),
        "delta": 1.0,
    }


def problem(rng: random.Random):
    n = 3
    return {
        "y": torch.tensor([float(rng.randint(-3, 3)) for _ in range(n)]),
        "y_hat": torch.tensor([rng.randint(-30, 30) / 10 for _ in range(n)]),
        "delta": rng.choice([0.5, 1.0, 2.0]),
    }


def loss(y, y_hat, delta=1.0):
    residual = y - y_hat
    abs_residual = residual.abs()
    quadratic = abs_residual <= delta
    per_element = torch.where(quadratic, 0.5 * residual**2, delta * (abs_residual - 0.5 * delta))
    # The gradient w.r.t. y_hat is bounded by delta: -r inside, -delta*sign(r) outside.
    grad_y_hat = torch.where(quadratic, -residual, -delta * residual.sign()) / residual.numel()
    return {
        "residual": residual,
        "abs_residual": abs_residual,
        "quadratic_zone": quadratic.float(),
        "per_element": per_element,
        "grad_y_hat": grad_y_hat,
        "smooth_l1_times_delta": delta * F.smooth_l1_loss(y_hat, y, beta=delta),
        "value": per_element.mean(),
    }


def reference(y, y_hat, delta=1.0):
    return F.huber_loss(y_hat, y, delta=delta)


def mistakes(y, y_hat, delta=1.0):
    r = y - y_hat
    a = r.abs()
    return {
        "missing the ½ in the quadratic zone: that is r², not ½r²": torch.where(a <= delta, r**2, delta * (a - 0.5 * delta)).mean(),
        "that is SmoothL1 (divided by δ), not Huber": F.smooth_l1_loss(y_hat, y, beta=delta),
        "that is the sum over elements; the card asks for the mean": torch.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta)).sum(),
        "linear zone without the −½δ offset: δ|r| instead of δ(|r| − ½δ)": torch.where(a <= delta, 0.5 * r**2, delta * a).mean(),
    }

def plot():
    """MSE vs MAE vs Huber vs pinball as functions of the residual r = y - y_hat (one element)."""
    r = torch.linspace(-3.0, 3.0, 241)
    delta, tau = 1.0, 0.9
    huber = torch.where(r.abs() <= delta, 0.5 * r**2, delta * (r.abs() - 0.5 * delta))
    return {
        "title": "Regression losses over the residual",
        "x_label": "residual r = y - y_hat",
        "y_label": "loss per element",
        "series": [
            {"name": "MSE r^2", "x": r.tolist(), "y": (r**2).tolist()},
            {"name": "MAE |r|", "x": r.tolist(), "y": r.abs().tolist()},
            {"name": "Huber (delta=1)", "x": r.tolist(), "y": huber.tolist()},
            {"name": "pinball (tau=0.9)", "x": r.tolist(), "y": torch.maximum(tau * r, (tau - 1) * r).tolist()},
        ],
        "y_lim": [0.0, 4.0],
        "note": "Huber is MSE/2 inside |r| <= delta and MAE-like outside: an outlier's pull is bounded. "
        "Pinball tilts MAE: under-prediction costs tau, over-prediction 1 - tau.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
