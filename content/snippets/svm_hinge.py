"""Binary hinge loss (SVM), from scratch, against 2 * F.multi_margin_loss.

l = max(0, 1 - y f(x)),  y in {-1, +1},  f(x) a raw score (not a probability); mean over
elements (Cortes & Vapnik 1995). Exactly 0 once the margin y f >= 1; the logistic (CE) loss
log(1 + e^{-y f}) is never 0 for a finite score. Subgradient w.r.t. f: -y if y f < 1, else 0.
Reference: the multiclass (Weston-Watkins) margin loss on two-class scores [0, f] with class
index (y + 1) / 2 gives max(0, 1 - y f) / C with C = 2, so it is doubled.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "2 * torch.nn.functional.multi_margin_loss on scores [0, f]"


def example():
    return {"y": torch.tensor([1.0, 1.0, -1.0, -1.0]), "y_hat": torch.tensor([2.0, 0.5, -1.5, 0.3])}


def problem(rng: random.Random):
    n = 3
    return {
        "y": torch.tensor([rng.choice([-1.0, 1.0]) for _ in range(n)]),
        "y_hat": torch.tensor([rng.randint(-25, 25) / 10 for _ in range(n)]),
    }


def loss(y, y_hat):
    margin = y * y_hat
    hinge = (1 - margin).clamp(min=0)
    inside = (margin < 1).float()
    return {
        "margin_y_f": margin,
        "per_element": hinge,
        "support_vector": inside,  # only points with y f < 1 get a gradient
        "subgrad_y_hat": -y * inside / y.numel(),
        "logistic_loss": torch.log1p(torch.exp(-margin)),  # never exactly 0
        "value": hinge.mean(),
    }


def reference(y, y_hat):
    scores = torch.stack([torch.zeros_like(y_hat), y_hat], dim=1)
    cls = (y > 0).long()
    return 2 * F.multi_margin_loss(scores, cls, margin=1.0)


def mistakes(y, y_hat):
    m = y * y_hat
    return {
        "missing the max(0, ·): points past the margin must contribute 0, not a negative loss": (1 - m).mean(),
        "that is the sum; the card asks for the mean": (1 - m).clamp(min=0).sum(),
        "that is the squared hinge": ((1 - m).clamp(min=0) ** 2).mean(),
    }

def plot():
    """0-1 vs hinge vs logistic loss over the margin m = y f(x)."""
    m = torch.linspace(-3.0, 3.0, 241)
    return {
        "title": "Margin losses over m = y f(x)",
        "x_label": "margin m = y f(x)",
        "y_label": "loss",
        "series": [
            {"name": "0-1", "x": m.tolist(), "y": (m <= 0).float().tolist()},
            {"name": "hinge max(0, 1 - m)", "x": m.tolist(), "y": (1 - m).clamp(min=0).tolist()},
            {"name": "logistic log2(1 + e^-m)", "x": m.tolist(), "y": (torch.log1p(torch.exp(-m)) / math.log(2)).tolist()},
        ],
        "note": "Both surrogates are convex upper bounds of the 0-1 loss (logistic in base 2). "
        "Hinge is exactly 0 once m >= 1; logistic never is, so every point keeps a little pull.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
