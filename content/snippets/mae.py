"""Mean absolute error, from scratch, against torch.nn.functional.l1_loss.

MAE = (1/N) sum |y - y_hat|: the Laplace NLL with fixed scale (up to constants), so its
minimiser over a constant prediction is the sample median. Its (sub)gradient has constant
magnitude 1/N, which is why it needs learning-rate decay to settle.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.l1_loss"


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
    absolute = residual.abs()
    return {
        "residual": residual,
        "absolute": absolute,
        # autograd uses sign(0) = 0 at the kink; away from it the magnitude is always 1/N.
        "grad_y_hat": -residual.sign() / residual.numel(),
        "best_constant_prediction": y.median(),
        "value": absolute.mean(),
    }


def reference(y, y_hat):
    return F.l1_loss(y_hat, y)


def mistakes(y, y_hat):
    r = y - y_hat
    return {
        "that is the sum of absolute errors; the card asks for the mean": r.abs().sum(),
        "that is the MSE (squared, not absolute, residuals)": (r**2).mean(),
        "absolute value of the mean residual: take |r| first, then average": r.mean().abs(),
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
        "note": "MAE's slope is +-1 everywhere: the same pull on every point, so it estimates the median.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
