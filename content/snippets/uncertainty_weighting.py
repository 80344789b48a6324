"""Homoscedastic-uncertainty multi-task weighting (Kendall, Gal & Cipolla, CVPR 2018).

For regression tasks with squared-error losses L_i and learned noise sigma_i:
    L = sum_i [ L_i / (2 sigma_i^2) + log sigma_i ]
learned as s_i = log sigma_i^2 for stability (the paper's implementation):
    L = sum_i [ 0.5 exp(-s_i) L_i + 0.5 s_i ].
(Their classification terms use 1/sigma^2 without the 1/2.) The log sigma term stops sigma -> inf.
For fixed L_i the optimum is sigma_i^2 = L_i, i.e. weight 1/(2 L_i): noisier (higher-loss) tasks
get smaller weights, and the minimum is 0.5 sum_i (1 + log L_i).
Reference (a second route): the Gaussian NLL it comes from, -log N(r; 0, sigma^2) - 0.5 log 2 pi
with r = sqrt(L_i), via torch.distributions.Normal; the optimum by a grid search over s.
"""

import math
import random

import torch

REFERENCE = "-Normal(0, sigma).log_prob(sqrt(L)) - 0.5 log 2 pi per task; optimum by grid search over s"


def example():
    return {"task_losses": torch.tensor([0.5, 4.0]), "log_var": torch.tensor([0.0, math.log(2.0)])}


def problem(rng: random.Random):
    return {
        "task_losses": torch.tensor([float(rng.choice([1, 2, 3, 4, 6, 8])) for _ in range(2)]),
        "log_var": torch.tensor([rng.choice([-math.log(2.0), 0.0, math.log(2.0), math.log(4.0)]) for _ in range(2)]),
    }


def loss(task_losses, log_var):
    precision = torch.exp(-log_var)
    per_task = 0.5 * precision * task_losses + 0.5 * log_var
    best_s = task_losses.log()
    return {
        "sigma_sq": log_var.exp(),
        "weight_0.5/sigma_sq": 0.5 * precision,
        "per_task": per_task,
        "optimal_log_var": best_s,
        "optimal_total": (0.5 * (1 + best_s)).sum(),
        "value": {"total": per_task.sum(), "optimal_total": (0.5 * (1 + best_s)).sum()},
    }


def reference(task_losses, log_var):
    sigma = torch.exp(0.5 * log_var.double())
    r = task_losses.double().sqrt()
    nll = -torch.distributions.Normal(torch.zeros_like(r), sigma).log_prob(r) - 0.5 * math.log(2 * math.pi)
    grid = torch.linspace(-6, 6, 120001, dtype=torch.float64)
    best = sum((0.5 * torch.exp(-grid) * L + 0.5 * grid).min() for L in task_losses.double().tolist())
    return {"total": nll.sum().float(), "optimal_total": torch.as_tensor(best).float()}


TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}  # the grid has spacing 1e-4 in s; the error is O(spacing^2)


def given(task_losses, log_var):
    out = {f"e^{-s:.4g}": round(math.exp(-s), 5) for s in sorted(set(log_var.tolist())) if abs(s) > 1e-12}
    out.update({f"ln {L:g}": round(math.log(L), 5) for L in sorted(set(task_losses.tolist())) if L != 1})
    return out


def mistakes(task_losses, log_var):
    right = loss(task_losses, log_var)["value"]
    s = log_var
    return {
        "missing the ½ on the log-variance term (that is ½e^(−s)L + s)": {
            **right, "total": (0.5 * torch.exp(-s) * task_losses + s).sum()},
        "weight e^(+s) instead of e^(−s): the weight is the precision 1/σ²": {
            **right, "total": (0.5 * torch.exp(s) * task_losses + 0.5 * s).sum()},
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
