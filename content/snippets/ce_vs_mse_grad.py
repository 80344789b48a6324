"""Gradient w.r.t. the logit of BCE vs squared error on a sigmoid output, against autograd.

p = sigma(z). BCE = -[y log p + (1 - y) log(1 - p)]  ->  dBCE/dz = p - y.
MSE on the probability, L = (p - y)^2 (one example, no 1/2)  ->  dL/dz = 2 (p - y) p (1 - p).
The extra factor p(1 - p) = sigma'(z) vanishes when the sigmoid saturates, even when the
prediction is confidently WRONG: at z = -8, y = 1, dBCE/dz ~ -1.0 but dMSE/dz ~ -6.7e-4
(Goodfellow et al., Deep Learning, sec. 6.2.2). Same story for softmax: dCE/dz = softmax(z) - y.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.autograd.grad of BCE-with-logits and of (sigmoid(z) - y)^2"


def example():
    return {"logits": torch.tensor([-8.0]), "y": torch.tensor([1.0])}


def problem(rng: random.Random):
    z = rng.choice([-1, 1]) * rng.randint(2, 30) / 10  # never 0: at z = 0 the answer is always ±0.25
    return {"logits": torch.tensor([z]), "y": torch.tensor([float(rng.randint(0, 1))])}


def loss(logits, y):
    p = torch.sigmoid(logits)
    grad_ce = p - y
    sigmoid_slope = p * (1 - p)
    grad_mse = 2 * (p - y) * sigmoid_slope
    return {
        "p": p,
        "error_p_minus_y": p - y,
        "sigmoid_slope_p(1-p)": sigmoid_slope,
        "grad_ce": grad_ce,
        "grad_mse": grad_mse,
        "mse_over_ce_ratio": grad_mse / grad_ce,  # = 2 p (1 - p) <= 0.5: MSE is always weaker
        "value": {"ce": grad_ce.sum(), "mse": grad_mse.sum()},
    }


def reference(logits, y):
    z = logits.clone().requires_grad_(True)
    ce = F.binary_cross_entropy_with_logits(z, y, reduction="sum")
    (g_ce,) = torch.autograd.grad(ce, z)
    z = logits.clone().requires_grad_(True)
    mse = ((torch.sigmoid(z) - y) ** 2).sum()
    (g_mse,) = torch.autograd.grad(mse, z)
    return {"ce": g_ce.sum(), "mse": g_mse.sum()}


def given(logits, y):
    z = logits.double()
    return {f"σ({v:g})": round(torch.sigmoid(torch.tensor(v, dtype=torch.float64)).item(), 5) for v in z.tolist()}


def mistakes(logits, y):
    p = torch.sigmoid(logits)
    ce = (p - y).sum()
    return {
        "missing the sigmoid's slope p(1 - p): that is dL/dp, not dL/dz": {"ce": ce, "mse": (2 * (p - y)).sum()},
        "that has a ½ the card's loss (p - y)² does not have": {"ce": ce, "mse": ((p - y) * p * (1 - p)).sum()},
        "wrong sign: the error is p - y, not y - p": {"ce": ce, "mse": (-2 * (p - y) * p * (1 - p)).sum()},
        "that is BCE's gradient p - y: the squared error's is 2(p - y)·p(1 - p)": {"ce": ce, "mse": ce},
    }


def plot():
    """dL/dz for BCE vs squared error on the sigmoid output, target y = 1, over the logit z."""
    z = torch.linspace(-8.0, 8.0, 161)
    p = torch.sigmoid(z)
    return {
        "title": "Gradient w.r.t. the logit, target y = 1",
        "x_label": "logit z (z << 0: confidently wrong)",
        "y_label": "dL/dz",
        "series": [
            {"name": "BCE: p - y", "x": z.tolist(), "y": (p - 1).tolist()},
            {"name": "MSE on p: 2 (p - y) p (1 - p)", "x": z.tolist(), "y": (2 * (p - 1) * p * (1 - p)).tolist()},
        ],
        "note": "Squared error through a sigmoid goes silent when the model is confidently wrong (z << 0); "
        "BCE's gradient stays near -1 there.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
