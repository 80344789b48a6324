"""IQL's expectile value loss, from scratch, against the split form and the expectile it targets.

Implicit Q-Learning (Kostrikov, Nair & Levine, 2022) fits V(s) to an upper expectile of
Q(s, a) over the DATASET's actions, never querying Q on out-of-distribution actions:
    L_V = mean[ |tau - 1(u < 0)| u^2 ],   u = Q_target(s, a) - V(s)
Residuals where Q is above V (u > 0) weigh tau, those below weigh 1 - tau; tau = 0.5 is half
the MSE (the mean), tau -> 1 approaches the max over in-support actions. The paper uses
tau = 0.7 (MuJoCo locomotion) and 0.9 (AntMaze). Q is then fitted to r + gamma V(s') (MSE) and
the policy is extracted by advantage-weighted regression, weights exp(beta (Q - V)) capped
at 100. Official code: weight = where(diff > 0, expectile, 1 - expectile); (weight * diff^2).mean().
Reference, a second route: the split form tau relu(u)^2 + (1 - tau) relu(-u)^2. The step
`expectile_of_q` is the minimiser of the same loss for a constant V, found by the fixed point
m = sum w_i q_i / sum w_i (a weighted mean) rather than by gradient descent.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "split form: tau relu(u)^2 + (1 - tau) relu(-u)^2, mean"


def example():
    return {"q": torch.tensor([2.0, 0.0, 1.0, 3.0]), "v": torch.tensor([1.0, 1.0, 1.5, 1.0]), "tau": 0.7}


def problem(rng: random.Random):
    n = 3
    q = [float(rng.randint(-2, 4)) for _ in range(n)]
    v = [rng.randint(-2, 6) / 2 for _ in range(n)]
    if all(a == b for a, b in zip(q, v)):
        v[0] += 1.0
    return {"q": torch.tensor(q), "v": torch.tensor(v), "tau": rng.choice([0.7, 0.9])}


def _expectile(x, tau, iters=100):
    m = x.mean()
    for _ in range(iters):
        w = torch.where(x > m, torch.tensor(tau), torch.tensor(1 - tau))
        m = (w * x).sum() / w.sum()
    return m


def loss(q, v, tau=0.7):
    u = q - v
    weight = torch.where(u > 0, torch.tensor(tau), torch.tensor(1 - tau))
    per_sample = weight * u**2
    return {
        "u_q_minus_v": u,
        "weight": weight,
        "per_sample": per_sample,
        "expectile_of_q": _expectile(q, tau),
        "value": per_sample.mean(),
    }


def mistakes(q, v, tau=0.7):
    u = q - v
    return {
        # u taken as V - Q gives the same number as swapping tau and 1 - tau: one message for both
        "tau and 1 - tau are swapped (or u taken as V - Q): with u = Q - V, residuals u > 0 weigh tau": (
            torch.where(u > 0, 1 - tau, tau) * u**2).mean(),
        "that is the pinball (quantile) loss |tau - 1(u<0)| |u|; the expectile loss squares u": (
            torch.where(u > 0, tau, 1 - tau) * u.abs()).mean(),
    }


def reference(q, v, tau=0.7):
    u = q - v
    return (tau * F.relu(u) ** 2 + (1 - tau) * F.relu(-u) ** 2).mean()


def plot():
    """The expectile loss over the residual u = Q - V for a few tau."""
    u = torch.linspace(-2.0, 2.0, 161)
    series = [{"name": f"tau = {t}", "x": u.tolist(), "y": (torch.where(u > 0, t, 1 - t) * u**2).tolist()}
              for t in (0.5, 0.7, 0.9)]
    return {
        "title": "IQL expectile loss |tau - 1(u < 0)| u^2",
        "x_label": "u = Q(s, a) - V(s)",
        "y_label": "loss",
        "series": series,
        "note": "tau > 0.5 penalises V for being below Q more than above: V tracks an upper expectile "
        "of Q over the dataset's actions (tau = 0.5 is half the MSE).",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
