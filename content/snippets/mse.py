"""Mean squared error, from scratch, against torch.nn.functional.mse_loss.

MSE = (1/N) sum (y - y_hat)^2: the Gaussian NLL with fixed variance (up to constants),
so its minimiser over a constant prediction is the sample mean.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.mse_loss"


def example():
    return {"y": torch.tensor([1.0, 2.0, 3.0, 10.0]), "y_hat": torch.tensor([1.5, 2.0, 2.0, 4.0])}


def problem(rng: random.Random):
    n = 3
    return {
        "y": torch.tensor([float(rng.randint(-4, 4)) for _ in range(n)]),
        "y_hat": torch.tensor([rng.randint(-8, 8) / 2 for _ in range(n)]),
    }


def loss(y, y_hat):
    residual = y - y_hat
    squared = residual**2
    return {
        "residual": residual,
        "squared": squared,
        # Linear in the residual and unbounded: the outlier dominates, it does not "blow up".
        "grad_y_hat": -2 * residual / residual.numel(),
        "best_constant_prediction": y.mean(),
        "value": squared.mean(),
    }


def reference(y, y_hat):
    return F.mse_loss(y_hat, y)


def mistakes(y, y_hat):
    r = y - y_hat
    return {
        "that is the sum of squared errors; the card asks for the mean": (r**2).sum(),
        "that has a ½: MSE is mean r², not ½·mean r²": 0.5 * (r**2).mean(),
        "that is the MAE (absolute, not squared, residuals)": r.abs().mean(),
        "that is the RMSE (square root of the MSE)": (r**2).mean().sqrt(),
    }

def plot():
    """Per-element MSE vs MAE vs Huber vs pinball over the residual."""
    r = torch.linspace(-3.0, 3.0, 241)
    huber = torch.where(r.abs() <= 1.0, 0.5 * r**2, r.abs() - 0.5)
    return {
        "title": "Regression losses over the residual",
        "x_label": "residual r = y - y_hat",
        "y_label": "loss per element",
        "series": [
            {"name": "MSE r^2", "x": r.tolist(), "y": (r**2).tolist()},
            {"name": "MAE |r|", "x": r.tolist(), "y": r.abs().tolist()},
            {"name": "Huber (delta=1)", "x": r.tolist(), "y": huber.tolist()},
            {"name": "pinball (tau=0.9)", "x": r.tolist(), "y": torch.maximum(0.9 * r, -0.1 * r).tolist()},
        ],
        "y_lim": [0.0, 4.0],
        "note": "MSE grows quadratically: a residual twice as large costs four times as much.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
