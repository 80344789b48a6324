"""One ISTA (proximal-gradient) step for a 1-D lasso, from scratch, against a brute-force argmin
of the proximal problem (gradient by torch.autograd, prox by a fine grid).

Objective: 1/2 (y - x w)^2 + lam |w|.  Step with learning rate lr:
  v    = w - lr * d/dw [1/2 (y - x w)^2] = w + lr * x (y - x w)      (gradient step, smooth part)
  w+   = prox_{lr lam |.|}(v) = argmin_u 1/2 (u - v)^2 + lr lam |u|
       = sign(v) max(|v| - lr lam, 0)                                (soft-thresholding)
Any |v| <= lr*lam lands on EXACTLY 0: that is where L1 sparsity comes from (ISTA; Tibshirani,
1996; ESL 3.4). The L2 prox with the same lam, v / (1 + lr lam), only shrinks; a plain
subgradient step on |w| jumps across 0 instead of stopping there.
"""

import random

import torch

REFERENCE = "torch.autograd gradient + brute-force grid argmin of 1/2 (u - v)^2 + lr lam |u|"
TOLERANCE = {"rtol": 1e-4, "atol": 2e-5}  # the grid has spacing 1e-5


def example():
    return {"w": 0.3, "x": 1.0, "y": 0.2, "lr": 0.5, "lam": 1.0}


def problem(rng: random.Random):
    return {"w": rng.randint(-10, 10) / 10, "x": rng.choice([-1.0, -0.5, 0.5, 1.0, 2.0]),
            "y": rng.randint(-20, 20) / 10, "lr": rng.choice([0.1, 0.5]),
            "lam": rng.choice([0.5, 1.0, 2.0])}


def loss(w, x, y, lr, lam):
    # The inputs are short decimals: rounding to 12 places strips binary float noise, so a
    # |v| that equals lr*lam exactly gives exactly 0 (not 1e-17).
    residual = round(y - x * w, 12)
    grad = round(-x * residual, 12)
    v = torch.tensor(round(w - lr * grad, 12), dtype=torch.float64)
    threshold = round(lr * lam, 12)
    w_l1 = torch.sign(v) * torch.clamp(v.abs() - threshold, min=0)
    return {
        "residual": torch.tensor(residual, dtype=torch.float64),
        "grad_smooth": torch.tensor(grad, dtype=torch.float64),
        "v_after_gradient_step": v,
        "threshold_lr_lam": torch.tensor(threshold, dtype=torch.float64),
        "l2_prox_same_lam": v / (1 + lr * lam),  # ridge: shrinks, never exactly 0
        "subgradient_step": v - threshold * torch.sign(torch.tensor(w, dtype=torch.float64)),  # may overshoot 0
        "is_exact_zero": (w_l1 == 0).float(),
        "value": w_l1,
    }


def reference(w, x, y, lr, lam):
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(0.5 * (y - x * wt) ** 2, wt)
    v = w - lr * grad.item()
    lo = round((v - lr * lam - 1.0) * 1e5)
    hi = round((v + lr * lam + 1.0) * 1e5)
    u = torch.arange(lo, hi + 1, dtype=torch.float64) / 1e5
    objective = 0.5 * (u - v) ** 2 + lr * lam * u.abs()
    return u[torch.argmin(objective)]


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
