"""Gaussian negative log-likelihood with a predicted variance, from scratch, against
torch.nn.functional.gaussian_nll_loss.

NLL_i = 0.5 (log v_i + (y_i - y_hat_i)^2 / v_i) [+ 0.5 log(2 pi) if full=True]
v = max(var, eps) with eps = 1e-6; PyTorch defaults full=False, reduction='mean'.
The built-in takes the VARIANCE, not the log-variance: a network that outputs log-variance s
passes var = exp(s) (or uses softplus). With var fixed this is MSE / (2 var) + const.
dNLL/dy_hat = -(y - y_hat) / v: high-variance points get down-weighted gradients, which is
what beta-NLL (Seitzer et al. 2022) counteracts by weighting each term with stopgrad(v^beta).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.gaussian_nll_loss (full=False, eps=1e-6)"


def example():
    return {
        "y": torch.tensor([1.0, 2.0, 3.0]),
        "y_hat": torch.tensor([1.5, 2.0, 0.0]),
        "var": torch.tensor([1.0, 0.5, 4.0]),
    }


def problem(rng: random.Random):
    n = 3
    return {
        "y": torch.tensor([float(rng.randint(-3, 3)) for _ in range(n)]),
        "y_hat": torch.tensor([rng.randint(-6, 6) / 2 for _ in range(n)]),
        "var": torch.tensor([rng.choice([0.5, 1.0, 2.0, 4.0]) for _ in range(n)]),
    }


def loss(y, y_hat, var, eps=1e-6):
    v = var.clamp(min=eps)
    residual = y - y_hat
    per_element = 0.5 * (v.log() + residual**2 / v)
    beta = 0.5
    return {
        "residual": residual,
        "half_log_var": 0.5 * v.log(),
        "half_sq_over_var": 0.5 * residual**2 / v,
        "per_element": per_element,
        "grad_y_hat": -residual / v / y.numel(),  # precision-weighted residual
        "best_var_per_point": residual**2,  # d/dv = 0 at v = r^2 (collapses to eps when r = 0)
        "full_true": per_element.mean() + 0.5 * math.log(2 * math.pi),
        "beta_nll_0.5": (v.detach() ** beta * per_element).mean(),
        "value": per_element.mean(),
    }


def reference(y, y_hat, var, eps=1e-6):
    return F.gaussian_nll_loss(y_hat, y, var, full=False, eps=eps)


def given(y, y_hat, var, eps=1e-6):
    return {f"ln {v:g}": round(math.log(v), 5) for v in sorted(set(var.tolist())) if v != 1}  # ln 1 = 0 needs no table


def mistakes(y, y_hat, var, eps=1e-6):
    v = var.clamp(min=eps)
    r = y - y_hat
    return {
        "missing the ½ (that is log v + r²/v)": (v.log() + r**2 / v).mean(),
        "the ½ on log v only: it multiplies both terms, ½(log v + r²/v)": (0.5 * v.log() + r**2 / v).mean(),
        "the ½ on r²/v only: it multiplies both terms, ½(log v + r²/v)": (v.log() + 0.5 * r**2 / v).mean(),
        "the full=True constant ½·ln 2π added; PyTorch's default is full=False": (0.5 * (v.log() + r**2 / v)).mean() + 0.5 * math.log(2 * math.pi),
        "the standard deviation passed where the variance is expected": (0.5 * (v.sqrt().log() + r**2 / v.sqrt())).mean(),
    }

if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
