"""MSE vs MAE vs Huber on one sample with an outlier: same residuals, three losses.

Shows why MSE is dominated by the outlier (its per-element loss is quadratic and its
gradient linear in the residual) while MAE's and Huber's outlier gradients stay bounded.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.mse_loss / l1_loss / huber_loss"


def example():
    return {"y": torch.tensor([1.0, 2.0, 3.0, 20.0]), "y_hat": torch.tensor([1.0, 2.5, 2.5, 3.0])}


def problem(rng: random.Random):
    y = [float(rng.randint(0, 4)) for _ in range(3)] + [float(rng.randint(10, 20))]
    return {"y": torch.tensor(y), "y_hat": torch.tensor([rng.randint(0, 8) / 2 for _ in range(4)])}


def loss(y, y_hat):
    r = y - y_hat
    n = r.numel()
    huber = torch.where(r.abs() <= 1.0, 0.5 * r**2, r.abs() - 0.5)
    return {
        "residual": r,
        "share_of_mse_from_largest": (r**2).max() / (r**2).sum(),
        "grad_mse": -2 * r / n,
        "grad_mae": -r.sign() / n,
        "grad_huber": -r.clamp(-1.0, 1.0) / n,
        "value": {"mse": (r**2).mean(), "mae": r.abs().mean(), "huber": huber.mean()},
    }


def reference(y, y_hat):
    return {
        "mse": F.mse_loss(y_hat, y),
        "mae": F.l1_loss(y_hat, y),
        "huber": F.huber_loss(y_hat, y, delta=1.0),
    }


def plot():
    """How hard each loss pulls on one point: the gradient w.r.t. y_hat over the residual."""
    r = torch.linspace(-4.0, 4.0, 321)
    return {
        "title": "Pull of one point on the fit: -dL/dy_hat over the residual",
        "x_label": "residual r = y - y_hat",
        "y_label": "-dL/dy_hat (one element)",
        "series": [
            {"name": "MSE 2r", "x": r.tolist(), "y": (2 * r).tolist()},
            {"name": "MAE sign(r)", "x": r.tolist(), "y": r.sign().tolist()},
            {"name": "Huber clip(r, -1, 1)", "x": r.tolist(), "y": r.clamp(-1.0, 1.0).tolist()},
        ],
        "note": "An outlier's pull grows without bound under MSE; MAE and Huber cap it "
        "(Huber keeps MSE's smooth, shrinking pull near the fit).",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
