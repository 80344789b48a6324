"""Elastic net vs lasso on a DUPLICATED feature (the grouping effect), by coordinate descent from
scratch, against the closed-form elastic-net solution.

Objective: 1/2 ||y - X w||^2 + lam1 ||w||_1 + lam2/2 ||w||^2 with X = [x, x] (two identical
columns). Coordinate update: w_j = S(x_j . r_j, lam1) / (x_j . x_j + lam2), S = soft-threshold,
r_j = residual without feature j (Friedman et al., 2010, glmnet; Zou & Hastie, 2005).
- lam2 > 0: strictly convex, unique and symmetric solution w1 = w2 = S(x.y, lam1)/(2 x.x + lam2).
- lam2 = 0 (lasso): any split of the same total with equal signs has the same objective; coordinate
  descent puts everything on the first column and leaves the other at exactly 0.
(scikit-learn's ElasticNet scales differently: 1/(2n) data term, alpha and l1_ratio.)
"""

import random

import torch

REFERENCE = "closed form w1 = w2 = S(x.y, lam1) / (2 x.x + lam2)"


def example():
    return {"x": torch.tensor([1.0, 2.0, -1.0]), "y": torch.tensor([2.0, 3.0, -1.0]),
            "lam1": 1.0, "lam2": 1.0}


def problem(rng: random.Random):
    x = [float(rng.randint(-2, 2) or 1) for _ in range(3)]
    return {"x": torch.tensor(x), "y": torch.tensor([rng.randint(-30, 30) / 10 for _ in range(3)]),
            "lam1": rng.choice([0.5, 1.0, 2.0]), "lam2": rng.choice([0.5, 1.0, 2.0])}


def _soft(z, t):
    return max(abs(z) - t, 0.0) * (1 if z > 0 else -1)


def _coordinate_descent(x, y, lam1, lam2, sweeps=3000):
    xx, xy = float(x @ x), float(x @ y)
    w = [0.0, 0.0]
    for _ in range(sweeps):
        for j in (0, 1):
            other = w[1 - j]
            w[j] = _soft(xy - xx * other, lam1) / (xx + lam2)  # x.(y - x*other)
    return w


def _objective(x, y, w, lam1, lam2):
    r = y - x * (w[0] + w[1])
    return 0.5 * float(r @ r) + lam1 * (abs(w[0]) + abs(w[1])) + 0.5 * lam2 * (w[0] ** 2 + w[1] ** 2)


def loss(x, y, lam1, lam2):
    lasso = _coordinate_descent(x, y, lam1, 0.0, sweeps=5)
    total = lasso[0] + lasso[1]
    enet = _coordinate_descent(x, y, lam1, lam2)
    f64 = torch.float64
    all_on_w1 = _objective(x, y, [total, 0.0], lam1, 0.0)
    split_evenly = _objective(x, y, [total / 2, total / 2], lam1, 0.0)
    return {
        "lasso_cd_w": torch.tensor(lasso, dtype=f64),
        "lasso_objective_all_on_w1": torch.tensor(all_on_w1, dtype=f64),
        "lasso_objective_split_evenly": torch.tensor(split_evenly, dtype=f64),  # same: not unique
        "enet_cd_w": torch.tensor(enet, dtype=f64),
        "value": {"enet_w1": torch.tensor(enet[0], dtype=f64),
                  "enet_w2": torch.tensor(enet[1], dtype=f64)},
    }


def reference(x, y, lam1, lam2):
    xy, xx = (x * y).sum().item(), (x * x).sum().item()
    a = torch.sign(torch.tensor(xy, dtype=torch.float64)) * max(abs(xy) - lam1, 0.0) / (2 * xx + lam2)
    return {"enet_w1": a, "enet_w2": a}


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
