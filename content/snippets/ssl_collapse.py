"""Why SSL needs an anti-collapse mechanism: each loss evaluated on a COLLAPSED encoder (every
embedding = the same vector c), from scratch, against closed forms.

- invariance alone (MSE between the two views) = 0 and BYOL's 2 - 2cos = 0: collapse is a
  global minimum, so BYOL/SimSiam must avoid it through the architecture (predictor +
  stop-gradient [+ EMA target]), not through the loss value;
- SimCLR's NT-Xent = log(2N - 1): every similarity is 1, the positive cannot be picked out
  among 2N - 1 candidates, so the negatives penalise collapse;
- VICReg's variance hinge = gamma - sqrt(eps) per dimension (std = 0): the loss penalises it
  explicitly using BATCH statistics (no negatives, no predictor, no stop-gradient).
The same losses on the given, non-collapsed views are shown as steps for comparison.
"""

import math
import random

import torch

REFERENCE = "closed forms: 0, 0, log(2N - 1), gamma - sqrt(eps)"


def example():
    return {
        "z1": torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]]),
        "z2": torch.tensor([[0.8, 0.6], [-0.6, 0.8], [-0.8, -0.6], [0.6, -0.8]]),
        "collapse_to": torch.tensor([0.6, 0.8]),
        "temperature": 0.5,
    }


def problem(rng: random.Random):
    n = rng.choice([2, 4, 8])
    # coordinates k/10 + 0.05 and noise below 0.05: no zero vector, so every norm is safe
    z1 = torch.tensor([[rng.randint(-10, 10) / 10 + 0.05 for _ in range(2)] for _ in range(n)])
    noise = torch.tensor([[rng.uniform(-0.04, 0.04) for _ in range(2)] for _ in range(n)])
    return {"z1": z1, "z2": z1 + noise,
            "collapse_to": torch.tensor([rng.randint(1, 10) / 10, rng.randint(-10, 10) / 10]),
            "temperature": rng.choice([0.1, 0.5])}


def _losses(z1, z2, temperature, gamma=1.0, eps=1e-4):
    n = z1.shape[0]
    invariance = ((z1 - z2) ** 2).mean()
    u1, u2 = z1 / z1.norm(dim=1, keepdim=True), z2 / z2.norm(dim=1, keepdim=True)
    byol = (2 - 2 * (u1 * u2).sum(dim=1)).mean()
    u = torch.cat([u1, u2])
    logits = u @ u.T / temperature
    logits = logits - torch.diag(torch.full((2 * n,), float("inf")))  # drop k = i
    pos = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    nt_xent = (torch.logsumexp(logits, dim=1) - logits[torch.arange(2 * n), pos]).mean()
    std = torch.sqrt(z1.var(dim=0) + eps)
    variance = torch.clamp(gamma - std, min=0).mean()
    return invariance, byol, nt_xent, variance


def loss(z1, z2, collapse_to, temperature=0.5):
    given = _losses(z1, z2, temperature)
    flat = collapse_to.expand_as(z1).clone()
    collapsed = _losses(flat, flat.clone(), temperature)
    names = ("invariance", "byol", "nt_xent", "vicreg_variance")
    steps = {f"{k}_given": v for k, v in zip(names, given)}
    steps["value"] = {f"{k}_collapsed": v for k, v in zip(names, collapsed)}
    return steps


def reference(z1, z2, collapse_to, temperature=0.5):
    n = z1.shape[0]
    return {
        "invariance_collapsed": torch.tensor(0.0),
        "byol_collapsed": torch.tensor(0.0),
        "nt_xent_collapsed": torch.tensor(math.log(2 * n - 1)),
        "vicreg_variance_collapsed": torch.tensor(1.0 - math.sqrt(1e-4)),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
